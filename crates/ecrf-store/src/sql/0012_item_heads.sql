-- Heads instead of every version. An item's versions are its value events, already in the
-- change log; what the merge policy needs is only the heads (the versions no other version was
-- written on). An item with one head (nearly every item) keeps it as `item_values.event_rowid`
-- and nothing else; an item with several lists all of them here. A received value therefore
-- writes its event and its current value, not a copy of itself with an index entry beside
-- them: see BENCHMARKS.md. Every database that had `item_versions` has its projections rebuilt
-- from the log when it is opened (`PROJECTIONS_SINCE`).
DROP TABLE item_versions;
CREATE TABLE item_heads (
    key         TEXT NOT NULL,
    event_rowid INTEGER NOT NULL REFERENCES events (rowid),
    PRIMARY KEY (key, event_rowid)
) WITHOUT ROWID;

-- The reports read current values through this index, subject by subject; holding what they
-- read (a value's slot, event, value and form key) spares a seek into the table for every
-- value (a fifth of the endpoint report's time). It is written once per item, like the index
-- it replaces.
DROP INDEX item_values_subject_item;
CREATE INDEX item_values_subject_item
    ON item_values (subject, form, item, grp_repeat, event, grp, form_key, value);
