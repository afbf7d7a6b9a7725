-- Reception-desk intake: the hot folder's ledger, derived versions of
-- stored files, and what intake flagged for a person to look at.

-- Every file the hot folder has taken, so each is ingested once, across
-- restarts. Keyed by where it was and how it looked; the content hash
-- catches a copy of the same bytes under another name.
CREATE TABLE hotfolder_ledger (
    path        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    mtime_ns    INTEGER NOT NULL,
    sha256      TEXT,
    status      TEXT NOT NULL,          -- stored | duplicate | failed
    error       TEXT,
    taken_at    TEXT NOT NULL,
    PRIMARY KEY (path, size, mtime_ns)
);
CREATE INDEX hotfolder_ledger_sha ON hotfolder_ledger(sha256);

-- A file made from other stored files: the parts of a split batch, a kept-
-- aside separator page, a straightened or edited version. Originals are
-- never changed; each edit is a new row and a new file.
CREATE TABLE derived_files (
    id              INTEGER PRIMARY KEY,
    sha256          TEXT NOT NULL REFERENCES files(sha256),
    source_sha256   TEXT NOT NULL REFERENCES files(sha256),
    operation       TEXT NOT NULL,      -- split | separator | straighten | rotate | delete | reorder | replace
    pages           TEXT NOT NULL,      -- JSON: the source pages (1-based) in the new file's order
    detail          TEXT NOT NULL DEFAULT '{}',
    actor           TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX derived_source ON derived_files(source_sha256);
CREATE INDEX derived_sha ON derived_files(sha256);

-- What intake could not decide alone.
CREATE TABLE intake_flags (
    id              INTEGER PRIMARY KEY,
    batch_sha256    TEXT NOT NULL REFERENCES files(sha256),
    sha256          TEXT REFERENCES files(sha256),
    pages           TEXT NOT NULL,      -- JSON: batch pages (1-based)
    kind            TEXT NOT NULL,      -- unreadable_separator | unknown_dossier | no_code | blank_page | low_dpi | not_colour | skewed | upside_down
    code            TEXT,               -- the dossier code read, when there is one
    detail          TEXT NOT NULL DEFAULT '{}',
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    created_at      TEXT NOT NULL
);
CREATE INDEX intake_flags_status ON intake_flags(status, kind);
