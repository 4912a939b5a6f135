-- Leaner projections: fewer B-tree entries written per value received (imports are that much
-- faster).
--
-- One index on the versions of an item instead of two: marking the version an edit was
-- written on looks it up by (key, event id), and the heads of an item are read by key. The
-- superseded flag is no longer in an index, so marking a version rewrites no index entry.
DROP INDEX item_versions_key;
DROP INDEX item_versions_event;
CREATE INDEX item_versions_key ON item_versions (key, event_id);

-- A form's current values are a range of the key index: an item's key begins with its form's
-- key and '/'. (A table without rowid, keyed by the key, was tried too: it saves one more
-- B-tree per value but makes every read through the (subject, form, item) index look the row
-- up by its text key, and the endpoint report was 30 % slower.)
DROP INDEX item_values_form;
