-- This node's users' signing keys: the private key sealed under a key derived from the user's
-- password, and the self-signed certificate. Kept (inactive) after a password reset, so old
-- signatures still verify.
CREATE TABLE signing_keys (
    fingerprint TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (user_id),
    cert_der    BLOB NOT NULL,
    sealed_key  BLOB NOT NULL,
    created_at  TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX signing_keys_user ON signing_keys (user_id, active);
CREATE TRIGGER signing_keys_no_delete BEFORE DELETE ON signing_keys
BEGIN SELECT RAISE(ABORT, 'signing keys are kept for verification, never deleted'); END;

-- Every user certificate known to this node (its own and those received), for verification.
CREATE TABLE certificates (
    fingerprint TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL,
    cert_der    BLOB NOT NULL,
    event_rowid INTEGER NOT NULL REFERENCES events (rowid)
);
