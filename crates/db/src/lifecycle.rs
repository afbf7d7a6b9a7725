//! `lifecycle`, `lifecycle_events`, `excluded_periods`, `import_presets` and
//! `settings`: where each dossier stands, how it got there (who and when),
//! and the office's saved choices.
//!
//! The `lifecycle` row carries everything the dashboard aggregates, so the
//! figures are one scan of one table ([`scan_figures`]); reconciliation
//! verdicts and open findings come from two grouped queries beside it.

use std::collections::HashMap;

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

pub fn get(conn: &Connection, dossier_id: i64) -> Result<Option<LifecycleRow>> {
    let sql = format!("SELECT {COLUMNS} FROM lifecycle WHERE dossier_id = ?1");
    Ok(conn.query_row(&sql, [dossier_id], row).optional()?)
}

/// Writes the row when it differs from what is stored; returns whether it did.
pub fn put(conn: &Connection, l: &LifecycleRow, now: &str) -> Result<bool> {
    if get(conn, l.dossier_id)?.as_ref() == Some(l) {
        return Ok(false);
    }
    conn.execute(
        &format!("INSERT OR REPLACE INTO lifecycle ({COLUMNS}, updated_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)"),
        params![
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
        ],
    )?;
    Ok(true)
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
    let n = conn.execute(
        "INSERT OR IGNORE INTO lifecycle_events (dossier_id, state, at, actor, note, recorded_at) VALUES (?1,?2,?3,?4,?5,?6)",
        params![dossier_id, e.state, e.at, e.actor, e.note, e.recorded_at],
    )?;
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
        .prepare("SELECT from_date, to_date, reason FROM excluded_periods WHERE dossier_id = ?1 ORDER BY from_date")?;
    let rows = stmt
        .query_map([dossier_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// What the dashboard needs of one dossier.
#[derive(Debug, Clone, Copy)]
pub struct FigureRow<'a> {
    pub dossier_id: i64,
    pub received_date: &'a str,
    pub procedure_code: &'a str,
    pub officer: &'a str,
    pub state: &'a str,
    pub channel: &'a str,
    pub return_channel: &'a str,
    pub outcome: &'a str,
    pub digitised: bool,
}

/// Calls `each` for every dossier received in `[from, to]` (inclusive, `yyyy-mm-dd`).
/// A plain table scan (`+received_date` keeps SQLite off the index): a
/// dashboard period covers most rows, and walking the index then fetching
/// each row was 14x slower over 300,000 dossiers.
pub fn scan_figures(
    conn: &Connection,
    from: &str,
    to: &str,
    mut each: impl FnMut(&FigureRow<'_>),
) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT dossier_id, received_date, IFNULL(procedure_code, ''), IFNULL(officer, ''), state, channel, \
         IFNULL(return_channel, ''), IFNULL(outcome, ''), digitised FROM lifecycle \
         WHERE +received_date >= ?1 AND +received_date <= ?2",
    )?;
    let mut rows = stmt.query([from, to])?;
    while let Some(r) = rows.next()? {
        let text = |i: usize| {
            r.get_ref(i)
                .ok()
                .and_then(|v| v.as_str().ok())
                .unwrap_or("")
        };
        each(&FigureRow {
            dossier_id: r.get(0)?,
            received_date: text(1),
            procedure_code: text(2),
            officer: text(3),
            state: text(4),
            channel: text(5),
            return_channel: text(6),
            outcome: text(7),
            digitised: r.get::<_, i64>(8)? != 0,
        });
    }
    Ok(())
}

/// Per dossier with a reconciliation: whether every component's latest verdict is a match.
pub fn agreement(conn: &Connection) -> Result<HashMap<i64, bool>> {
    let mut stmt = conn.prepare(
        "SELECT dossier_id, MIN(verdict = 'match') FROM reconciliations GROUP BY dossier_id",
    )?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? != 0)))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Open findings per dossier (agreements are not problems).
pub fn open_findings(conn: &Connection) -> Result<HashMap<i64, u32>> {
    let mut stmt = conn.prepare(
        "SELECT dossier_id, COUNT(*) FROM findings WHERE status = 'open' AND kind != 'byte_identical' GROUP BY dossier_id",
    )?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
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
        let mut seen = Vec::new();
        scan_figures(&conn, "2022-01-01", "2022-12-31", |r| {
            seen.push((r.state.to_string(), r.channel.to_string()))
        })
        .unwrap();
        assert_eq!(seen, vec![("returned".to_string(), "post".to_string())]);
        save_preset(&conn, "Long An", r#"{"MaHoSo":"Mã hồ sơ"}"#, "t").unwrap();
        assert_eq!(
            preset(&conn, "Long An").unwrap().as_deref(),
            Some(r#"{"MaHoSo":"Mã hồ sơ"}"#)
        );
    }
}
