-- Dashboard figures kept up to date on write, so the figures over a million
-- dossiers read a few thousand rows instead of scanning them all.
--
-- 1. Each `lifecycle` row also carries whether its paper and electronic
--    copies agree (`agrees`: NULL = never reconciled, 1 = every component's
--    latest verdict is a match, 0 = not) and its open findings; triggers on
--    `reconciliations` and `findings` keep both right.
-- 2. `lifecycle_figures` holds the counts per received day, procedure and
--    officer; triggers on `lifecycle` add and subtract rows as they change.
-- 3. Unfinished dossiers by due date get a partial index, so the overdue and
--    due-soon lists walk only open dossiers, in due-date order.

ALTER TABLE lifecycle ADD COLUMN agrees INTEGER;
ALTER TABLE lifecycle ADD COLUMN open_findings INTEGER NOT NULL DEFAULT 0;

UPDATE lifecycle SET
    agrees = (SELECT MIN(r.verdict = 'match') FROM reconciliations r WHERE r.dossier_id = lifecycle.dossier_id),
    open_findings = (SELECT COUNT(*) FROM findings f WHERE f.dossier_id = lifecycle.dossier_id
                     AND +f.status = 'open' AND f.kind != 'byte_identical');

CREATE TABLE lifecycle_figures (
    received_date   TEXT NOT NULL,
    procedure_code  TEXT NOT NULL,      -- '' when unknown
    officer         TEXT NOT NULL,      -- '' when unknown
    dossiers        INTEGER NOT NULL,
    finished        INTEGER NOT NULL,   -- has an outcome
    early           INTEGER NOT NULL,
    on_time         INTEGER NOT NULL,
    late            INTEGER NOT NULL,
    withdrawn       INTEGER NOT NULL,   -- withdrawn without an outcome
    online          INTEGER NOT NULL,
    post            INTEGER NOT NULL,   -- received or returned by post
    digitised       INTEGER NOT NULL,
    reconciled      INTEGER NOT NULL,
    agreeing        INTEGER NOT NULL,
    open_findings   INTEGER NOT NULL,
    PRIMARY KEY (received_date, procedure_code, officer)
) WITHOUT ROWID;

INSERT INTO lifecycle_figures
SELECT received_date, IFNULL(procedure_code, ''), IFNULL(officer, ''),
       COUNT(*),
       SUM(outcome IS NOT NULL), SUM(outcome IS 'early'), SUM(outcome IS 'on_time'), SUM(outcome IS 'late'),
       SUM(outcome IS NULL AND state = 'withdrawn'),
       SUM(substr(channel, 1, 6) = 'online'),
       SUM(channel = 'post' OR return_channel IS 'post'),
       SUM(digitised != 0),
       SUM(agrees IS NOT NULL), SUM(agrees IS 1),
       SUM(open_findings)
FROM lifecycle GROUP BY 1, 2, 3;

CREATE TRIGGER lifecycle_figures_add AFTER INSERT ON lifecycle BEGIN
    INSERT INTO lifecycle_figures VALUES (
        NEW.received_date, IFNULL(NEW.procedure_code, ''), IFNULL(NEW.officer, ''), 1,
        NEW.outcome IS NOT NULL, NEW.outcome IS 'early', NEW.outcome IS 'on_time', NEW.outcome IS 'late',
        NEW.outcome IS NULL AND NEW.state = 'withdrawn',
        substr(NEW.channel, 1, 6) = 'online',
        NEW.channel = 'post' OR NEW.return_channel IS 'post',
        NEW.digitised != 0,
        NEW.agrees IS NOT NULL, NEW.agrees IS 1, NEW.open_findings)
    ON CONFLICT DO UPDATE SET
        dossiers = dossiers + excluded.dossiers, finished = finished + excluded.finished,
        early = early + excluded.early, on_time = on_time + excluded.on_time, late = late + excluded.late,
        withdrawn = withdrawn + excluded.withdrawn, online = online + excluded.online,
        post = post + excluded.post, digitised = digitised + excluded.digitised,
        reconciled = reconciled + excluded.reconciled, agreeing = agreeing + excluded.agreeing,
        open_findings = open_findings + excluded.open_findings;
    -- A dossier reconciled before its lifecycle was recorded.
    UPDATE lifecycle SET
        agrees = (SELECT MIN(r.verdict = 'match') FROM reconciliations r WHERE r.dossier_id = NEW.dossier_id),
        open_findings = (SELECT COUNT(*) FROM findings f WHERE f.dossier_id = NEW.dossier_id
                         AND +f.status = 'open' AND f.kind != 'byte_identical')
    WHERE dossier_id = NEW.dossier_id
      AND EXISTS (SELECT 1 FROM reconciliations r WHERE r.dossier_id = NEW.dossier_id
                  UNION ALL SELECT 1 FROM findings f WHERE f.dossier_id = NEW.dossier_id);
END;

CREATE TRIGGER lifecycle_figures_remove AFTER DELETE ON lifecycle BEGIN
    UPDATE lifecycle_figures SET
        dossiers = dossiers - 1, finished = finished - (OLD.outcome IS NOT NULL),
        early = early - (OLD.outcome IS 'early'), on_time = on_time - (OLD.outcome IS 'on_time'),
        late = late - (OLD.outcome IS 'late'),
        withdrawn = withdrawn - (OLD.outcome IS NULL AND OLD.state = 'withdrawn'),
        online = online - (substr(OLD.channel, 1, 6) = 'online'),
        post = post - (OLD.channel = 'post' OR OLD.return_channel IS 'post'),
        digitised = digitised - (OLD.digitised != 0),
        reconciled = reconciled - (OLD.agrees IS NOT NULL), agreeing = agreeing - (OLD.agrees IS 1),
        open_findings = open_findings - OLD.open_findings
    WHERE received_date = OLD.received_date AND procedure_code = IFNULL(OLD.procedure_code, '')
      AND officer = IFNULL(OLD.officer, '');
    DELETE FROM lifecycle_figures WHERE received_date = OLD.received_date
      AND procedure_code = IFNULL(OLD.procedure_code, '') AND officer = IFNULL(OLD.officer, '')
      AND dossiers = 0;
END;

-- An update is a removal of the old row's counts and an addition of the new.
CREATE TRIGGER lifecycle_figures_change AFTER UPDATE OF
    received_date, procedure_code, officer, state, channel, return_channel, outcome, digitised,
    agrees, open_findings ON lifecycle
WHEN OLD.received_date IS NOT NEW.received_date OR OLD.procedure_code IS NOT NEW.procedure_code
  OR OLD.officer IS NOT NEW.officer OR OLD.state IS NOT NEW.state OR OLD.channel IS NOT NEW.channel
  OR OLD.return_channel IS NOT NEW.return_channel OR OLD.outcome IS NOT NEW.outcome
  OR OLD.digitised IS NOT NEW.digitised OR OLD.agrees IS NOT NEW.agrees
  OR OLD.open_findings IS NOT NEW.open_findings
BEGIN
    UPDATE lifecycle_figures SET
        dossiers = dossiers - 1, finished = finished - (OLD.outcome IS NOT NULL),
        early = early - (OLD.outcome IS 'early'), on_time = on_time - (OLD.outcome IS 'on_time'),
        late = late - (OLD.outcome IS 'late'),
        withdrawn = withdrawn - (OLD.outcome IS NULL AND OLD.state = 'withdrawn'),
        online = online - (substr(OLD.channel, 1, 6) = 'online'),
        post = post - (OLD.channel = 'post' OR OLD.return_channel IS 'post'),
        digitised = digitised - (OLD.digitised != 0),
        reconciled = reconciled - (OLD.agrees IS NOT NULL), agreeing = agreeing - (OLD.agrees IS 1),
        open_findings = open_findings - OLD.open_findings
    WHERE received_date = OLD.received_date AND procedure_code = IFNULL(OLD.procedure_code, '')
      AND officer = IFNULL(OLD.officer, '');
    INSERT INTO lifecycle_figures VALUES (
        NEW.received_date, IFNULL(NEW.procedure_code, ''), IFNULL(NEW.officer, ''), 1,
        NEW.outcome IS NOT NULL, NEW.outcome IS 'early', NEW.outcome IS 'on_time', NEW.outcome IS 'late',
        NEW.outcome IS NULL AND NEW.state = 'withdrawn',
        substr(NEW.channel, 1, 6) = 'online',
        NEW.channel = 'post' OR NEW.return_channel IS 'post',
        NEW.digitised != 0,
        NEW.agrees IS NOT NULL, NEW.agrees IS 1, NEW.open_findings)
    ON CONFLICT DO UPDATE SET
        dossiers = dossiers + excluded.dossiers, finished = finished + excluded.finished,
        early = early + excluded.early, on_time = on_time + excluded.on_time, late = late + excluded.late,
        withdrawn = withdrawn + excluded.withdrawn, online = online + excluded.online,
        post = post + excluded.post, digitised = digitised + excluded.digitised,
        reconciled = reconciled + excluded.reconciled, agreeing = agreeing + excluded.agreeing,
        open_findings = open_findings + excluded.open_findings;
    DELETE FROM lifecycle_figures WHERE received_date = OLD.received_date
      AND procedure_code = IFNULL(OLD.procedure_code, '') AND officer = IFNULL(OLD.officer, '')
      AND dossiers = 0;
END;

-- Agreement: recomputed from the dossier's reconciliations on any change
-- (INSERT OR REPLACE fires the insert trigger with the new row in place).
CREATE TRIGGER lifecycle_agrees_insert AFTER INSERT ON reconciliations BEGIN
    UPDATE lifecycle SET agrees =
        (SELECT MIN(r.verdict = 'match') FROM reconciliations r WHERE r.dossier_id = NEW.dossier_id)
    WHERE dossier_id = NEW.dossier_id;
END;
CREATE TRIGGER lifecycle_agrees_update AFTER UPDATE ON reconciliations BEGIN
    UPDATE lifecycle SET agrees =
        (SELECT MIN(r.verdict = 'match') FROM reconciliations r WHERE r.dossier_id = lifecycle.dossier_id)
    WHERE dossier_id IN (OLD.dossier_id, NEW.dossier_id);
END;
CREATE TRIGGER lifecycle_agrees_delete AFTER DELETE ON reconciliations BEGIN
    UPDATE lifecycle SET agrees =
        (SELECT MIN(r.verdict = 'match') FROM reconciliations r WHERE r.dossier_id = OLD.dossier_id)
    WHERE dossier_id = OLD.dossier_id;
END;

-- Open findings (agreements, kind byte_identical, are not problems).
-- `+f.status` keeps SQLite on the per-dossier index: the status index
-- would walk every open finding of the office for each dossier.
CREATE TRIGGER lifecycle_findings_insert AFTER INSERT ON findings BEGIN
    UPDATE lifecycle SET open_findings =
        (SELECT COUNT(*) FROM findings f WHERE f.dossier_id = NEW.dossier_id
         AND +f.status = 'open' AND f.kind != 'byte_identical')
    WHERE dossier_id = NEW.dossier_id;
END;
CREATE TRIGGER lifecycle_findings_update AFTER UPDATE OF dossier_id, status, kind ON findings BEGIN
    UPDATE lifecycle SET open_findings =
        (SELECT COUNT(*) FROM findings f WHERE f.dossier_id = lifecycle.dossier_id
         AND +f.status = 'open' AND f.kind != 'byte_identical')
    WHERE dossier_id IN (OLD.dossier_id, NEW.dossier_id);
END;
CREATE TRIGGER lifecycle_findings_delete AFTER DELETE ON findings BEGIN
    UPDATE lifecycle SET open_findings =
        (SELECT COUNT(*) FROM findings f WHERE f.dossier_id = OLD.dossier_id
         AND +f.status = 'open' AND f.kind != 'byte_identical')
    WHERE dossier_id = OLD.dossier_id;
END;

-- Open dossiers by due date (replaces the (state, due_date) index, which
-- made the lists collect and sort every open dossier before the first 1000).
DROP INDEX IF EXISTS lifecycle_open_due;
CREATE INDEX lifecycle_open_by_due ON lifecycle(due_date, state)
    WHERE state IN ('received', 'supplement_requested', 'supplement_received', 'processing');
