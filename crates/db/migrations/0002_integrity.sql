-- Accounts and roles, the tamper-evident audit trail, per-file fixity
-- history, and conflicts found when a bag from another office is imported.

CREATE TABLE users (
    name            TEXT PRIMARY KEY,
    role            TEXT NOT NULL CHECK (role IN ('clerk', 'archivist', 'supervisor', 'administrator')),
    password_hash   TEXT NOT NULL,      -- argon2id, PHC string
    token_hash      TEXT,               -- SHA-256 hex of a local token, if one was issued
    created_at      TEXT NOT NULL
);

-- Append-only. Each row's `hash` is SHA-256 over `prev_hash` and the row's
-- own fields, so an edited, deleted or reordered row breaks the chain.
CREATE TABLE audit_events (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,          -- ingest | link | import | resolve | export | bag_import | settings | sign_in | user_add | backup | restore ...
    subject     TEXT NOT NULL,          -- dossier code, file SHA-256, user name, path
    outcome     TEXT NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed')),
    before      TEXT,                   -- JSON
    after       TEXT,                   -- JSON
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_subject ON audit_events(subject);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

-- The latest verification of each stored file (oldest first is the order of
-- the next pass) and every verification ever made.
CREATE TABLE fixity_state (
    sha256          TEXT PRIMARY KEY,
    last_verified   TEXT NOT NULL,
    result          TEXT NOT NULL CHECK (result IN ('intact', 'changed', 'missing'))
);
CREATE INDEX fixity_state_age ON fixity_state(last_verified);

CREATE TABLE fixity_history (
    id          INTEGER PRIMARY KEY,
    sha256      TEXT NOT NULL,
    at          TEXT NOT NULL,
    result      TEXT NOT NULL,
    actual      TEXT                    -- what the bytes hash to now, when changed
);
CREATE INDEX fixity_history_file ON fixity_history(sha256, at);

-- A bag brought a version of a dossier that differs from the one held here.
-- Both are kept (the held record stays, the incoming one is stored here);
-- a person decides.
CREATE TABLE exchange_conflicts (
    id          INTEGER PRIMARY KEY,
    dossier_code TEXT NOT NULL,
    what        TEXT NOT NULL,          -- record | copy
    held        TEXT NOT NULL,          -- JSON
    incoming    TEXT NOT NULL,          -- JSON
    bag         TEXT NOT NULL,          -- bag's External-Identifier or name
    found_at    TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'decided')),
    UNIQUE (dossier_code, what, incoming)
);
