-- Current values in one B-tree, in the order the reports read them. Until version 12 a current
-- value was a row of a rowid table, an entry of the index on its key and one of the covering
-- index by subject: three B-trees written for every value received, on top of the log's three.
-- Now the table itself is ordered by (subject, form, key), without a rowid: one B-tree. The
-- reports read a subject's forms as a range of it; a form instance's values are a range
-- (subject, form, then the key range of `form_range`); one item is a single seek (its subject
-- and form come with its key). See BENCHMARKS.md. The rows are copied as they are.
CREATE TABLE item_values_by_subject (
    key         TEXT NOT NULL,
    form_key    TEXT NOT NULL,
    subject     TEXT NOT NULL,
    event       TEXT NOT NULL,
    form        TEXT NOT NULL,
    grp         TEXT NOT NULL,
    grp_repeat  INTEGER NOT NULL,
    item        TEXT NOT NULL,
    value       TEXT NOT NULL,
    event_rowid INTEGER NOT NULL REFERENCES events (rowid),
    heads       INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (subject, form, key)
) WITHOUT ROWID;
INSERT INTO item_values_by_subject
    (key, form_key, subject, event, form, grp, grp_repeat, item, value, event_rowid, heads)
    SELECT key, form_key, subject, event, form, grp, grp_repeat, item, value, event_rowid, heads
    FROM item_values;
DROP TABLE item_values;
ALTER TABLE item_values_by_subject RENAME TO item_values;
