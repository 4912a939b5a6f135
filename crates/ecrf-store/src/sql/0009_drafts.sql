-- Typed input not yet saved, per user and form instance, kept on every change so that a crash
-- or a kill loses nothing. Not clinical data and not in the change log: a draft becomes data
-- only when the form is saved (which removes the draft), and never leaves this node.
CREATE TABLE drafts (
    username TEXT NOT NULL,
    form_key TEXT NOT NULL,
    form     TEXT NOT NULL,
    entries  TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (username, form_key)
);
