-- Queries on items or forms: opened by edit checks (rule set) or by people; their whole thread
-- is in the change log.
CREATE TABLE queries (
    query       TEXT PRIMARY KEY,
    subject     TEXT NOT NULL,
    form_key    TEXT NOT NULL,
    item_key    TEXT,
    grp         TEXT,
    grp_repeat  INTEGER,
    item        TEXT,
    rule        TEXT,
    status      TEXT NOT NULL CHECK (status IN ('open', 'answered', 'closed')),
    text        TEXT NOT NULL,
    opened_by   TEXT NOT NULL,
    opened_at   TEXT NOT NULL,
    event_rowid INTEGER NOT NULL REFERENCES events (rowid)
);
CREATE INDEX queries_form ON queries (form_key);
CREATE INDEX queries_subject ON queries (subject, status);
