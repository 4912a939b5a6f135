-- Investigators' overrides of derived values; the derived value itself is recomputed and kept.
CREATE TABLE overrides (
    form_key    TEXT NOT NULL,
    derivation  TEXT NOT NULL,
    subject     TEXT NOT NULL,
    value       TEXT NOT NULL,
    derived     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    username    TEXT NOT NULL,
    at          TEXT NOT NULL,
    event_rowid INTEGER NOT NULL REFERENCES events (rowid),
    PRIMARY KEY (form_key, derivation)
);

-- Study definition versions published on or received by this node. A version never changes.
CREATE TABLE definitions (
    version     TEXT PRIMARY KEY,
    study       TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    files       TEXT NOT NULL,
    event_rowid INTEGER NOT NULL REFERENCES events (rowid)
);
