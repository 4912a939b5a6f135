-- Sync between nodes: concurrent versions of values, conflicts, events waiting for what they
-- were written on, trusted node keys, acknowledgements, imported bundles and signed PDFs.

-- A site may be given the central node's key fingerprint when it is set up.
ALTER TABLE node ADD COLUMN central_key TEXT;

-- Every applied value event of each item (value_set or conflict_resolved). `item_values`
-- shows the winner of the heads (the versions no other version was written on).
CREATE TABLE item_versions (
    event_rowid INTEGER PRIMARY KEY REFERENCES events (rowid),
    key         TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    hlc         INTEGER NOT NULL,
    resolution  INTEGER NOT NULL,
    flagged     INTEGER NOT NULL,
    value       TEXT NOT NULL,
    superseded  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX item_versions_key ON item_versions (key, superseded);
CREATE INDEX item_versions_event ON item_versions (event_id);

-- Items whose heads disagree: every competing version is kept; one is shown.
CREATE TABLE conflicts (
    key      TEXT PRIMARY KEY,
    subject  TEXT NOT NULL,
    form_key TEXT NOT NULL,
    heads    TEXT NOT NULL,
    shown    TEXT NOT NULL
);
CREATE INDEX conflicts_subject ON conflicts (subject);

-- Received events that wait for their predecessor in their stream or for the value they were
-- written on. They join the change log, in order, when that arrives.
CREATE TABLE pending_events (
    event_id    TEXT PRIMARY KEY,
    node        TEXT NOT NULL,
    epoch       INTEGER NOT NULL,
    stream      TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    hash        TEXT NOT NULL,
    event       TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    flagged     INTEGER NOT NULL
);
CREATE TABLE pending_deps (
    event_id TEXT NOT NULL REFERENCES pending_events (event_id),
    dep      TEXT NOT NULL,
    PRIMARY KEY (event_id, dep)
);
CREATE INDEX pending_deps_dep ON pending_deps (dep);

-- Received events stamped implausibly far in the future (they never win a conflict).
CREATE TABLE future_events (
    event_rowid INTEGER PRIMARY KEY REFERENCES events (rowid),
    imported_at TEXT NOT NULL
);

-- Node keys this node trusts (from its own node_accepted / node_revoked events).
CREATE TABLE nodes (
    node        TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    public_key  TEXT NOT NULL,
    role        TEXT NOT NULL,
    site        TEXT,
    status      TEXT NOT NULL CHECK (status IN ('accepted', 'revoked')),
    accepted_at TEXT NOT NULL,
    accepted_by TEXT NOT NULL,
    revoked_at  TEXT,
    reason      TEXT
);

-- What each writer has acknowledged of each stream (contiguously from 1).
CREATE TABLE acks (
    writer TEXT NOT NULL,
    node   TEXT NOT NULL,
    epoch  INTEGER NOT NULL,
    stream TEXT NOT NULL,
    up_to  INTEGER NOT NULL,
    PRIMARY KEY (writer, node, epoch, stream)
);

-- Status changes of queries, so the status is the latest by clock whatever the arrival order.
CREATE TABLE query_status (
    event_rowid INTEGER PRIMARY KEY REFERENCES events (rowid),
    query       TEXT NOT NULL,
    status      TEXT NOT NULL,
    hlc         INTEGER NOT NULL,
    node        TEXT NOT NULL
);
CREATE INDEX query_status_query ON query_status (query);

-- Which completion or reopening of a form and which override is the latest by clock.
ALTER TABLE forms ADD COLUMN status_hlc INTEGER NOT NULL DEFAULT 0;
ALTER TABLE forms ADD COLUMN status_node TEXT NOT NULL DEFAULT '';
CREATE TABLE override_latest (
    form_key   TEXT NOT NULL,
    derivation TEXT NOT NULL,
    hlc        INTEGER NOT NULL,
    node       TEXT NOT NULL,
    PRIMARY KEY (form_key, derivation)
);

-- Bundles imported (the refused ones are in the security log).
CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    file        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    origin      TEXT NOT NULL,
    origin_site TEXT,
    created_at  TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    summary     TEXT NOT NULL
);

-- Signed PDF CRFs made here or received, by the signature they belong to.
CREATE TABLE documents (
    sha256      TEXT PRIMARY KEY,
    signature   TEXT NOT NULL,
    subject     TEXT,
    origin      TEXT NOT NULL,
    bytes       BLOB NOT NULL,
    created_at  TEXT NOT NULL,
    imported_at TEXT
);
CREATE INDEX documents_signature ON documents (signature);
