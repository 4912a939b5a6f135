-- Source data verification marks: the latest per item or form by clock. A mark holds only
-- while it is newer than every value it covers (a change of the value clears it).
CREATE TABLE sdv (
    target_key TEXT PRIMARY KEY,
    level      TEXT NOT NULL CHECK (level IN ('item', 'form')),
    form_key   TEXT NOT NULL,
    subject    TEXT NOT NULL,
    verified   INTEGER NOT NULL,
    hlc        INTEGER NOT NULL,
    node       TEXT NOT NULL,
    username   TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE INDEX sdv_form ON sdv (form_key);
CREATE INDEX sdv_subject ON sdv (subject);

-- Locks: the latest lock or unlock per scope (form, event, subject, study) by clock.
CREATE TABLE locks (
    scope_key TEXT PRIMARY KEY,
    scope     TEXT NOT NULL,
    subject   TEXT,
    locked    INTEGER NOT NULL,
    hlc       INTEGER NOT NULL,
    node      TEXT NOT NULL,
    username  TEXT NOT NULL,
    at        TEXT NOT NULL,
    reason    TEXT
);
CREATE INDEX locks_subject ON locks (subject);
