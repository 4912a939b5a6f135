-- Projections of current state, kept in the same transaction as the events they come from.
-- Each can be rebuilt by replaying the change log.

CREATE TABLE subjects (
    subject     TEXT PRIMARY KEY,
    site        TEXT NOT NULL,
    enrolled_at TEXT NOT NULL,
    definition  TEXT NOT NULL,
    event_rowid INTEGER NOT NULL REFERENCES events (rowid)
);

-- Current value of each item (the value shown).
CREATE TABLE item_values (
    key         TEXT PRIMARY KEY,
    form_key    TEXT NOT NULL,
    subject     TEXT NOT NULL,
    event       TEXT NOT NULL,
    form        TEXT NOT NULL,
    grp         TEXT NOT NULL,
    grp_repeat  INTEGER NOT NULL,
    item        TEXT NOT NULL,
    value       TEXT NOT NULL,
    event_rowid INTEGER NOT NULL REFERENCES events (rowid)
);
CREATE INDEX item_values_form ON item_values (form_key);
CREATE INDEX item_values_subject_item ON item_values (subject, form, item);

-- State of each form instance.
CREATE TABLE forms (
    form_key     TEXT PRIMARY KEY,
    subject      TEXT NOT NULL,
    event        TEXT NOT NULL,
    event_repeat INTEGER NOT NULL,
    form         TEXT NOT NULL,
    form_repeat  INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('in_progress', 'complete')),
    definition   TEXT NOT NULL,
    derived      TEXT NOT NULL DEFAULT '[]',
    updated_rowid INTEGER NOT NULL REFERENCES events (rowid)
);
CREATE INDEX forms_subject ON forms (subject);

-- Security events (failed logins, lockouts, refusals), apart from the clinical change log.
CREATE TABLE security_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    username TEXT NOT NULL,
    kind     TEXT NOT NULL,
    detail   TEXT NOT NULL
);
CREATE TRIGGER security_log_no_update BEFORE UPDATE ON security_log
BEGIN SELECT RAISE(ABORT, 'the security log is append-only'); END;
CREATE TRIGGER security_log_no_delete BEFORE DELETE ON security_log
BEGIN SELECT RAISE(ABORT, 'the security log is append-only'); END;
