//! `lifecycle`, `lifecycle_events`, `excluded_periods`, `import_presets` and
//! `settings`: where each dossier stands, how it got there (who and when),
//! and the office's saved choices.
//!
//! The dashboard's figures are not aggregated from `lifecycle` at read time:
//! triggers (migration 0005) keep per-day counts in `lifecycle_figures` and
//! each dossier's agreement and open findings on its `lifecycle` row, so
//! [`figures`] reads a few thousand rows however many dossiers there are.

use rusqlite::{params, Connection, OptionalExtension};

use crate::Result;

/// Where one dossier stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LifecycleRow {
    pub dossier_id: i64,
    pub state: String,
    pub channel: String,
    pub return_channel: Option<String>,
    pub officer: Option<String>,
    pub procedure_code: Option<String>,
    pub received_date: String,
    pub deadline_days: Option<u32>,
    pub clock_start: String,
    pub due_date: Option<String>,
    pub finished_date: Option<String>,
    pub outcome: Option<String>,
    pub digitised: bool,
    pub apology_at: Option<String>,
}

const COLUMNS: &str =
    "dossier_id, state, channel, return_channel, officer, procedure_code, received_date, \
    deadline_days, clock_start, due_date, finished_date, outcome, digitised, apology_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<LifecycleRow> {
    Ok(LifecycleRow {
        dossier_id: r.get(0)?,
        state: r.get(1)?,
        channel: r.get(2)?,
        return_channel: r.get(3)?,
        officer: r.get(4)?,
        procedure_code: r.get(5)?,
        received_date: r.get(6)?,
        deadline_days: r.get(7)?,
        clock_start: r.get(8)?,
        due_date: r.get(9)?,
        finished_date: r.get(10)?,
        outcome: r.get(11)?,
        digitised: r.get(12)?,
        apology_at: r.get(13)?,
    })
}

const SELECT_ONE: &str = "SELECT dossier_id, state, channel, return_channel, officer, \
    procedure_code, received_date, deadline_days, clock_start, due_date, finished_date, outcome, \
    digitised, apology_at FROM lifecycle WHERE dossier_id = ?1";

const UPSERT: &str = "INSERT INTO lifecycle (dossier_id, state, channel, return_channel, officer, \
    procedure_code, received_date, deadline_days, clock_start, due_date, finished_date, outcome, \
    digitised, apology_at, updated_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15) \
    ON CONFLICT (dossier_id) DO UPDATE SET state = excluded.state, channel = excluded.channel, \
    return_channel = excluded.return_channel, officer = excluded.officer, \
    procedure_code = excluded.procedure_code, received_date = excluded.received_date, \
    deadline_days = excluded.deadline_days, clock_start = excluded.clock_start, \
    due_date = excluded.due_date, finished_date = excluded.finished_date, \
    outcome = excluded.outcome, digitised = excluded.digitised, apology_at = excluded.apology_at, \
    updated_at = excluded.updated_at";

pub fn get(conn: &Connection, dossier_id: i64) -> Result<Option<LifecycleRow>> {
    let mut stmt = conn.prepare_cached(SELECT_ONE)?;
    Ok(stmt.query_row([dossier_id], row).optional()?)
}

/// Writes the row when it differs from what is stored; returns whether it did.
pub fn put(conn: &Connection, l: &LifecycleRow, now: &str) -> Result<bool> {
    if get(conn, l.dossier_id)?.as_ref() == Some(l) {
        return Ok(false);
    }
    write(conn, l, now)?;
    Ok(true)
}

/// Writes the row (an upsert, so the figure triggers see an update, never a
/// delete and insert), whether or not it changed.
pub fn write(conn: &Connection, l: &LifecycleRow, now: &str) -> Result<()> {
    let mut stmt = conn.prepare_cached(UPSERT)?;
    stmt.execute(params![
        l.dossier_id,
        l.state,
        l.channel,
        l.return_channel,
        l.officer,
        l.procedure_code,
        l.received_date,
        l.deadline_days,
        l.clock_start,
        l.due_date,
        l.finished_date,
        l.outcome,
        l.digitised,
        l.apology_at,
        now
    ])?;
    Ok(())
}

/// One change of state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub state: String,
    pub at: String,
    pub actor: String,
    pub note: Option<String>,
    pub recorded_at: String,
}

/// Records a change of state; the same state at the same time is recorded once.
pub fn add_event(conn: &Connection, dossier_id: i64, e: &EventRow) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO lifecycle_events (dossier_id, state, at, actor, note, recorded_at) VALUES (?1,?2,?3,?4,?5,?6)",
        )?
        .execute(params![dossier_id, e.state, e.at, e.actor, e.note, e.recorded_at])?;
    Ok(n > 0)
}

/// The history of one dossier, oldest first.
pub fn events(conn: &Connection, dossier_id: i64) -> Result<Vec<EventRow>> {
    let mut stmt = conn.prepare(
        "SELECT state, at, actor, note, recorded_at FROM lifecycle_events WHERE dossier_id = ?1 ORDER BY at, id",
    )?;
    let rows = stmt
        .query_map([dossier_id], |r| {
            Ok(EventRow {
                state: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                note: r.get(3)?,
                recorded_at: r.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

pub fn add_excluded(
    conn: &Connection,
    dossier_id: i64,
    from: &str,
    to: &str,
    reason: &str,
) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO excluded_periods (dossier_id, from_date, to_date, reason) VALUES (?1,?2,?3,?4)",
        params![dossier_id, from, to, reason],
    )?;
    Ok(())
}

/// Excluded waiting periods of one dossier: (from, to, reason).
pub fn excluded(conn: &Connection, dossier_id: i64) -> Result<Vec<(String, String, String)>> {
    let mut stmt = conn
        .prepare_cached("SELECT from_date, to_date, reason FROM excluded_periods WHERE dossier_id = ?1 ORDER BY from_date")?;
    let rows = stmt
        .query_map([dossier_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The dashboard's counts for the dossiers received on one day for one
/// procedure and officer (`''` when unknown), kept up to date on write by
/// the triggers of migration 0005.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FigureCounts {
    pub received_date: String,
    pub procedure_code: String,
    pub officer: String,
    pub dossiers: u64,
    /// Has an outcome (early, on time or late).
    pub finished: u64,
    pub early: u64,
    pub on_time: u64,
    pub late: u64,
    /// Withdrawn without an outcome.
    pub withdrawn: u64,
    pub online: u64,
    /// Received or returned by post.
    pub post: u64,
    pub digitised: u64,
    /// Has at least one reconciled component.
    pub reconciled: u64,
    /// Every component's latest verdict is a match.
    pub agreeing: u64,
    pub open_findings: u64,
}

/// Calls `each` for the counts of every (day, procedure, officer) with
/// dossiers received in `[from, to]` (inclusive, `yyyy-mm-dd`), by day.
pub fn figures(
    conn: &Connection,
    from: &str,
    to: &str,
    mut each: impl FnMut(&FigureCounts),
) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT received_date, procedure_code, officer, dossiers, finished, early, on_time, late, \
         withdrawn, online, post, digitised, reconciled, agreeing, open_findings \
         FROM lifecycle_figures WHERE received_date >= ?1 AND received_date <= ?2 AND dossiers > 0",
    )?;
    let mut rows = stmt.query([from, to])?;
    while let Some(r) = rows.next()? {
        let n = |i: usize| r.get::<_, i64>(i).map(|v| v.max(0) as u64);
        each(&FigureCounts {
            received_date: r.get(0)?,
            procedure_code: r.get(1)?,
            officer: r.get(2)?,
            dossiers: n(3)?,
            finished: n(4)?,
            early: n(5)?,
            on_time: n(6)?,
            late: n(7)?,
            withdrawn: n(8)?,
            online: n(9)?,
            post: n(10)?,
            digitised: n(11)?,
            reconciled: n(12)?,
            agreeing: n(13)?,
            open_findings: n(14)?,
        });
    }
    Ok(())
}

/// Unfinished dossiers due in `[from, until]`, soonest first, with their codes.
pub fn open_due(
    conn: &Connection,
    from: &str,
    until: &str,
    limit: u32,
) -> Result<Vec<(String, LifecycleRow)>> {
    let cols = COLUMNS
        .split(", ")
        .map(|c| format!("l.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut stmt = conn.prepare(&format!(
        "SELECT {cols}, d.code FROM lifecycle l JOIN dossiers d ON d.id = l.dossier_id \
         WHERE l.state IN ('received', 'supplement_requested', 'supplement_received', 'processing') \
         AND l.due_date >= ?1 AND l.due_date <= ?2 ORDER BY l.due_date, d.code LIMIT ?3"
    ))?;
    let rows = stmt
        .query_map(params![from, until, limit], |r| Ok((r.get(14)?, row(r)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// How many unfinished dossiers were due before `day`.
pub fn count_overdue(conn: &Connection, day: &str) -> Result<u64> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM lifecycle WHERE state IN ('received', 'supplement_requested', 'supplement_received', 'processing') \
         AND due_date < ?1",
        [day],
        |r| r.get::<_, i64>(0),
    )? as u64)
}

pub fn save_preset(conn: &Connection, name: &str, mapping_json: &str, now: &str) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO import_presets (name, mapping, updated_at) VALUES (?1, ?2, ?3)",
        params![name, mapping_json, now],
    )?;
    Ok(())
}

pub fn preset(conn: &Connection, name: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT mapping FROM import_presets WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .optional()?)
}

pub fn presets(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare("SELECT name, mapping FROM import_presets ORDER BY name")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

pub fn setting(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

pub fn set_setting(conn: &Connection, key: &str, value: &str, now: &str) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)",
        params![key, value, now],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_events_and_figures_round_trip() {
        let conn = crate::open_in_memory().unwrap();
        let id = crate::dossiers::ensure(&conn, "000.00.38.H38-221125-0001", "valid", "t").unwrap();
        let mut l = LifecycleRow {
            dossier_id: id,
            state: "received".into(),
            channel: "post".into(),
            received_date: "2022-11-25".into(),
            clock_start: "2022-11-25".into(),
            due_date: Some("2022-12-09".into()),
            deadline_days: Some(10),
            ..Default::default()
        };
        assert!(put(&conn, &l, "t1").unwrap());
        assert!(
            !put(&conn, &l, "t2").unwrap(),
            "unchanged rows are not rewritten"
        );
        assert_eq!(get(&conn, id).unwrap().unwrap(), l);
        let e = EventRow {
            state: "received".into(),
            at: "2022-11-25T08:00:00+07:00".into(),
            actor: "Lan".into(),
            note: None,
            recorded_at: "t".into(),
        };
        assert!(add_event(&conn, id, &e).unwrap());
        assert!(!add_event(&conn, id, &e).unwrap());
        assert_eq!(events(&conn, id).unwrap(), vec![e]);
        let due = open_due(&conn, "0000", "2022-12-31", 10).unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].0, "000.00.38.H38-221125-0001");
        l.state = "returned".into();
        put(&conn, &l, "t3").unwrap();
        assert!(open_due(&conn, "0000", "2022-12-31", 10)
            .unwrap()
            .is_empty());
        let counts = |conn: &Connection| {
            let mut seen = Vec::new();
            figures(conn, "2022-01-01", "2022-12-31", |c| seen.push(c.clone())).unwrap();
            seen
        };
        let seen = counts(&conn);
        assert_eq!(seen.len(), 1);
        assert_eq!(
            (
                seen[0].received_date.as_str(),
                seen[0].dossiers,
                seen[0].post
            ),
            ("2022-11-25", 1, 1)
        );
        assert_eq!((seen[0].finished, seen[0].reconciled), (0, 0));
        // Finishing late moves the dossier between counts; reconciling and
        // findings reach the figures through their own tables.
        l.outcome = Some("late".into());
        l.officer = Some("Lan".into());
        put(&conn, &l, "t4").unwrap();
        conn.execute_batch(
            "INSERT INTO reconciliations (dossier_id, component_code, verdict, at) VALUES (1, 'DON', 'match', 't');
             INSERT INTO reconciliations (dossier_id, component_code, verdict, at) VALUES (1, 'GCN', 'mismatch', 't');
             INSERT INTO findings (dossier_id, component_code, kind, identity, created_at) VALUES (1, 'GCN', 'text_changed', 'a', 't');
             INSERT INTO findings (dossier_id, component_code, kind, identity, created_at) VALUES (1, 'DON', 'byte_identical', 'b', 't');",
        )
        .unwrap();
        let seen = counts(&conn);
        assert_eq!(
            seen.len(),
            1,
            "the old (day, procedure, officer) row is gone: {seen:?}"
        );
        let c = &seen[0];
        assert_eq!(c.officer, "Lan");
        assert_eq!(
            (
                c.dossiers,
                c.finished,
                c.late,
                c.early,
                c.reconciled,
                c.agreeing,
                c.open_findings
            ),
            (1, 1, 1, 0, 1, 0, 1)
        );
        conn.execute_batch(
            "INSERT OR REPLACE INTO reconciliations (dossier_id, component_code, verdict, at) VALUES (1, 'GCN', 'match', 't2');
             UPDATE findings SET status = 'resolved' WHERE identity = 'a';",
        )
        .unwrap();
        let c = &counts(&conn)[0];
        assert_eq!((c.reconciled, c.agreeing, c.open_findings), (1, 1, 0));
        // A lifecycle recorded after the dossier was reconciled starts with its agreement.
        let id2 =
            crate::dossiers::ensure(&conn, "000.00.38.H38-221125-0002", "valid", "t").unwrap();
        conn.execute(
            "INSERT INTO reconciliations (dossier_id, component_code, verdict, at) VALUES (?1, 'DON', 'mismatch', 't')",
            [id2],
        )
        .unwrap();
        let l2 = LifecycleRow {
            dossier_id: id2,
            state: "withdrawn".into(),
            channel: "online_full".into(),
            received_date: "2022-11-25".into(),
            clock_start: "2022-11-25".into(),
            ..Default::default()
        };
        put(&conn, &l2, "t5").unwrap();
        let total = counts(&conn).iter().fold((0, 0, 0, 0), |a, c| {
            (
                a.0 + c.dossiers,
                a.1 + c.reconciled,
                a.2 + c.withdrawn,
                a.3 + c.online,
            )
        });
        assert_eq!(total, (2, 2, 1, 1));
        assert!(counts(&conn)
            .iter()
            .any(|c| c.officer.is_empty() && c.reconciled == 1 && c.agreeing == 0));
        conn.execute("DELETE FROM lifecycle WHERE dossier_id = ?1", [id2])
            .unwrap();
        assert_eq!(counts(&conn).len(), 1);
        save_preset(&conn, "Long An", r#"{"MaHoSo":"Mã hồ sơ"}"#, "t").unwrap();
        assert_eq!(
            preset(&conn, "Long An").unwrap().as_deref(),
            Some(r#"{"MaHoSo":"Mã hồ sơ"}"#)
        );
    }
}
