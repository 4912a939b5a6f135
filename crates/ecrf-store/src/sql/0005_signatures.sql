-- Electronic signatures: what each covers and the hash of that content when signed. Whether a
-- signature still holds is recomputed from current values, never stored.
CREATE TABLE signatures (
    signature    TEXT PRIMARY KEY,
    subject      TEXT,
    scope        TEXT NOT NULL,
    meaning      TEXT NOT NULL,
    printed_name TEXT NOT NULL,
    username     TEXT NOT NULL,
    at           TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    forms        TEXT NOT NULL,
    certificate  TEXT,
    event_rowid  INTEGER NOT NULL REFERENCES events (rowid)
);
CREATE INDEX signatures_subject ON signatures (subject);
