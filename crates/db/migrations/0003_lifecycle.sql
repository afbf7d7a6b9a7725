-- The lifecycle of each dossier: its current state with the figures the
-- dashboard needs (kept beside the dossier so a million rows aggregate in one
-- scan), the full history of state changes with who and when, excluded
-- waiting periods, saved import column mappings, and the office's calendar
-- edits and options. Dates without time are 'yyyy-mm-dd' local (UTC+7).

CREATE TABLE lifecycle (
    dossier_id      INTEGER PRIMARY KEY REFERENCES dossiers(id),
    state           TEXT NOT NULL CHECK (state IN ('received', 'supplement_requested', 'supplement_received',
                        'processing', 'result_ready', 'returned', 'withdrawn', 'refused')),
    -- desk | online_full (toàn trình; older data: level 4) | online_partial (một phần; level 3) | post
    channel         TEXT NOT NULL CHECK (channel IN ('desk', 'online_full', 'online_partial', 'post')),
    return_channel  TEXT CHECK (return_channel IN ('desk', 'post')),
    officer         TEXT,
    procedure_code  TEXT,
    received_date   TEXT NOT NULL,
    deadline_days   INTEGER,            -- working days, by the rules in force on received_date
    clock_start     TEXT NOT NULL,      -- received_date or the latest supplement's arrival
    due_date        TEXT,
    finished_date   TEXT,               -- result ready, or refused
    outcome         TEXT CHECK (outcome IN ('early', 'on_time', 'late')),
    digitised       INTEGER NOT NULL DEFAULT 0,  -- scanned at reception
    apology_at      TEXT,               -- Mẫu 04 issued
    updated_at      TEXT NOT NULL
);
CREATE INDEX lifecycle_open_due ON lifecycle(state, due_date);
CREATE INDEX lifecycle_received ON lifecycle(received_date);

CREATE TABLE lifecycle_events (
    id          INTEGER PRIMARY KEY,
    dossier_id  INTEGER NOT NULL REFERENCES dossiers(id),
    state       TEXT NOT NULL,
    at          TEXT NOT NULL,          -- when it happened (ISO 8601 with offset)
    actor       TEXT NOT NULL,          -- who did it
    note        TEXT,
    recorded_at TEXT NOT NULL           -- when doisoat was told (UTC)
);
CREATE INDEX lifecycle_events_dossier ON lifecycle_events(dossier_id, at);
CREATE UNIQUE INDEX lifecycle_events_identity ON lifecycle_events(dossier_id, state, at);

CREATE TABLE excluded_periods (
    dossier_id  INTEGER NOT NULL REFERENCES dossiers(id),
    from_date   TEXT NOT NULL,
    to_date     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    PRIMARY KEY (dossier_id, from_date)
);

CREATE TABLE import_presets (
    name        TEXT PRIMARY KEY,
    mapping     TEXT NOT NULL,          -- JSON: {field: column header}
    updated_at  TEXT NOT NULL
);

-- Single-row settings as JSON values: 'calendar' (the holiday table, when
-- edited), 'rules', 'office' (saturday_morning, reminder lead time).
CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
