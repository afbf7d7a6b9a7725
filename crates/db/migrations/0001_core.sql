-- Stored files, their pages, dossiers and their components, the copies that
-- link files to components, findings of reconciliation, and imports.
-- Times are ISO 8601 text: UTC with 'Z' for events, local time with offset
-- for dates taken from the portal.

CREATE TABLE files (
    sha256      TEXT PRIMARY KEY,
    size        INTEGER NOT NULL,
    kind        TEXT NOT NULL,          -- pdf | jpeg | png | tiff
    page_count  INTEGER NOT NULL,
    first_name  TEXT NOT NULL,          -- NFC file name when first stored
    stored_at   TEXT NOT NULL
);

CREATE TABLE pages (
    sha256      TEXT NOT NULL REFERENCES files(sha256),
    page_no     INTEGER NOT NULL,       -- 1-based
    width_px    INTEGER NOT NULL,
    height_px   INTEGER NOT NULL,
    dpi         REAL NOT NULL,
    dpi_known   INTEGER NOT NULL,
    has_text    INTEGER NOT NULL,
    scanned     INTEGER NOT NULL,
    fingerprint BLOB NOT NULL,          -- dHash 16x16, 32 bytes
    thumbnail   BLOB NOT NULL,          -- JPEG
    PRIMARY KEY (sha256, page_no)
) WITHOUT ROWID;

CREATE TABLE dossiers (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    code_check      TEXT NOT NULL,      -- valid | odd_shape | bad_date
    procedure_code  TEXT,
    receipt_no      TEXT,
    received_at     TEXT,
    applicant_name  TEXT,
    applicant_id    TEXT,
    status          TEXT,
    extra           TEXT NOT NULL DEFAULT '{}',  -- fields doisoat does not model, kept verbatim
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX dossiers_received ON dossiers(received_at);
CREATE INDEX dossiers_status ON dossiers(status);

-- Diacritic- and đ-folded text of code, applicant name and CCCD; trigram
-- tokens give substring search ("221125-00", "van duc").
CREATE VIRTUAL TABLE dossier_search USING fts5(folded, tokenize = 'trigram');

CREATE TABLE components (
    dossier_id  INTEGER NOT NULL REFERENCES dossiers(id),
    code        TEXT NOT NULL,
    name        TEXT,
    PRIMARY KEY (dossier_id, code)
);

CREATE TABLE copies (
    id              INTEGER PRIMARY KEY,
    sha256          TEXT NOT NULL REFERENCES files(sha256),
    side            TEXT NOT NULL CHECK (side IN ('paper', 'electronic')),
    dossier_id      INTEGER REFERENCES dossiers(id),
    component_code  TEXT,
    original_name   TEXT NOT NULL,
    portal_file_id  TEXT,
    created_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX copies_identity
    ON copies(sha256, side, IFNULL(dossier_id, 0), IFNULL(component_code, ''));
CREATE INDEX copies_dossier ON copies(dossier_id, component_code);

CREATE TABLE findings (
    id                  INTEGER PRIMARY KEY,
    dossier_id          INTEGER NOT NULL REFERENCES dossiers(id),
    component_code      TEXT NOT NULL,
    kind                TEXT NOT NULL,
    identity            TEXT NOT NULL,  -- what the finding is about, stable across re-runs
    paper_sha256        TEXT,
    electronic_sha256   TEXT,
    paper_page          INTEGER,
    electronic_page     INTEGER,
    similarity          REAL,
    detail              TEXT NOT NULL DEFAULT '{}',  -- JSON: regions, text changes, notes
    status              TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
    note                TEXT,
    actor               TEXT,
    status_at           TEXT,
    created_at          TEXT NOT NULL
);
CREATE UNIQUE INDEX findings_identity ON findings(dossier_id, component_code, identity);
CREATE INDEX findings_status ON findings(status);

CREATE TABLE finding_events (
    id          INTEGER PRIMARY KEY,
    finding_id  INTEGER NOT NULL REFERENCES findings(id),
    status      TEXT NOT NULL,
    note        TEXT,
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL
);

CREATE TABLE imports (
    sha256      TEXT PRIMARY KEY,
    file_name   TEXT NOT NULL,
    format      TEXT NOT NULL,
    rows        INTEGER NOT NULL,
    dossiers    INTEGER NOT NULL,
    imported_at TEXT NOT NULL
);

-- The last comparison of each component: which copies were compared and
-- what came out. A component whose latest copies differ from these has not
-- been reconciled since they arrived.
CREATE TABLE reconciliations (
    dossier_id          INTEGER NOT NULL REFERENCES dossiers(id),
    component_code      TEXT NOT NULL,
    paper_sha256        TEXT,
    electronic_sha256   TEXT,
    verdict             TEXT NOT NULL,  -- match | mismatch | paper_missing | electronic_missing
    at                  TEXT NOT NULL,
    PRIMARY KEY (dossier_id, component_code)
);
