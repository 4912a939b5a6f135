-- Node identity: exactly one row.
CREATE TABLE node (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    node_id     TEXT NOT NULL,
    epoch       INTEGER NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('site', 'central')),
    site        TEXT,
    study       TEXT NOT NULL,
    signing_key BLOB NOT NULL,
    public_key  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    hlc         INTEGER NOT NULL DEFAULT 0
);

-- The change log: the audit trail and the unit of sync. Append-only.
CREATE TABLE events (
    rowid       INTEGER PRIMARY KEY,
    node        TEXT NOT NULL,
    epoch       INTEGER NOT NULL,
    stream      TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    hlc         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    subject     TEXT,
    user_id     TEXT NOT NULL,
    username    TEXT NOT NULL,
    captured_at TEXT NOT NULL,
    imported_at TEXT,
    payload     TEXT NOT NULL,
    hash        TEXT NOT NULL,
    chain       TEXT NOT NULL,
    UNIQUE (node, epoch, stream, seq)
);
CREATE INDEX events_subject ON events (subject);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the change log is append-only: events cannot be changed'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the change log is append-only: events cannot be deleted'); END;

-- Users of this node. Never deleted: deactivated. Ids never reused.
CREATE TABLE users (
    user_id       TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    full_name     TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    failed        INTEGER NOT NULL DEFAULT 0,
    locked        INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);
CREATE TRIGGER users_no_delete BEFORE DELETE ON users
BEGIN SELECT RAISE(ABORT, 'users are deactivated, never deleted'); END;
