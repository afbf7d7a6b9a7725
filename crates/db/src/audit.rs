//! `audit_events`: the append-only, hash-chained audit trail.
//!
//! Each event's hash is SHA-256 over the previous event's hash and the
//! event's own fields (length-prefixed, so no two field lists encode alike).
//! [`verify`] walks the chain and names the first event that does not fit:
//! edited (its hash no longer matches its fields), deleted or reordered (its
//! `prev_hash` or `seq` does not follow the one before).

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};

use crate::Result;

/// The `prev_hash` of the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An event to append. `before`/`after` are JSON text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewEvent {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub outcome: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    pub seq: i64,
    pub event: NewEvent,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an event following `prev_hash`.
pub fn chain_hash(prev_hash: &str, seq: i64, e: &NewEvent) -> String {
    let mut h = Sha256::new();
    let mut field = |b: &[u8]| {
        h.update((b.len() as u64).to_be_bytes());
        h.update(b);
    };
    field(prev_hash.as_bytes());
    field(&seq.to_be_bytes());
    field(e.at.as_bytes());
    field(e.actor.as_bytes());
    field(e.action.as_bytes());
    field(e.subject.as_bytes());
    field(e.outcome.as_bytes());
    for opt in [&e.before, &e.after] {
        match opt {
            None => field(b"\0none"),
            Some(s) => field(s.as_bytes()),
        }
    }
    hex::encode(h.finalize())
}

/// Appends one event at the end of the chain. Takes the write lock first
/// (`BEGIN IMMEDIATE`), so two processes cannot both extend the same head.
/// Pass a plain connection, not one inside a transaction.
pub fn append(conn: &mut Connection, e: &NewEvent) -> Result<EventRow> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let row = append_in(&tx, e)?;
    tx.commit()?;
    Ok(row)
}

/// Appends inside a transaction the caller holds (it must hold the write lock).
pub fn append_in(conn: &Connection, e: &NewEvent) -> Result<EventRow> {
    let head: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev_hash) = match head {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_string()),
    };
    let hash = chain_hash(&prev_hash, seq, e);
    conn.execute(
        "INSERT INTO audit_events (seq, at, actor, action, subject, outcome, before, after, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![seq, e.at, e.actor, e.action, e.subject, e.outcome, e.before, e.after, prev_hash, hash],
    )?;
    Ok(EventRow {
        seq,
        event: e.clone(),
        prev_hash,
        hash,
    })
}

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        seq: r.get(0)?,
        event: NewEvent {
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            subject: r.get(4)?,
            outcome: r.get(5)?,
            before: r.get(6)?,
            after: r.get(7)?,
        },
        prev_hash: r.get(8)?,
        hash: r.get(9)?,
    })
}

const COLUMNS: &str = "seq, at, actor, action, subject, outcome, before, after, prev_hash, hash";

/// Events about `subject` (e.g. a dossier code), oldest first.
pub fn of_subject(conn: &Connection, subject: &str) -> Result<Vec<EventRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM audit_events WHERE subject = ?1 ORDER BY seq"
    ))?;
    let rows = stmt
        .query_map([subject], read_row)?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The last `limit` events, newest first.
pub fn latest(conn: &Connection, limit: u32) -> Result<Vec<EventRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM audit_events ORDER BY seq DESC LIMIT ?1"
    ))?;
    let rows = stmt
        .query_map([limit], read_row)?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The newest event's seq and hash.
pub fn head(conn: &Connection) -> Result<Option<(i64, String)>> {
    Ok(conn
        .query_row(
            "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// The stored hash of event `seq`, if it exists.
pub fn of_seq(conn: &Connection, seq: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT hash FROM audit_events WHERE seq = ?1", [seq], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Why an event breaks the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// Its fields no longer hash to its stored hash: the row was edited.
    Edited,
    /// Its `prev_hash` is not the hash of the event stored before it: an
    /// event was deleted or the rows were reordered.
    Unlinked,
    /// Its sequence number does not follow the one before it.
    OutOfSequence { expected: i64 },
}

/// The first event that breaks the chain, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadEvent {
    pub seq: i64,
    pub why: Break,
}

/// The outcome of walking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainCheck {
    pub events: u64,
    pub head: Option<(i64, String)>,
    pub first_bad: Option<BadEvent>,
}

/// Walks every event in storage order (rowid), not by `seq`, so rows swapped
/// on disk are caught as well as renumbered ones.
pub fn verify(conn: &Connection) -> Result<ChainCheck> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM audit_events ORDER BY rowid"
    ))?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS.to_string();
    let mut expected = 1i64;
    let mut events = 0u64;
    let mut head = None;
    while let Some(r) = rows.next()? {
        let row = read_row(r)?;
        events += 1;
        let bad = if row.seq != expected {
            Some(Break::OutOfSequence { expected })
        } else if chain_hash(&row.prev_hash, row.seq, &row.event) != row.hash {
            Some(Break::Edited)
        } else if row.prev_hash != prev {
            Some(Break::Unlinked)
        } else {
            None
        };
        if let Some(why) = bad {
            return Ok(ChainCheck {
                events,
                head,
                first_bad: Some(BadEvent { seq: row.seq, why }),
            });
        }
        prev = row.hash.clone();
        expected += 1;
        head = Some((row.seq, row.hash));
    }
    Ok(ChainCheck {
        events,
        head,
        first_bad: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(n: u32) -> NewEvent {
        NewEvent {
            at: format!("2026-01-01T00:00:{n:02}Z"),
            actor: "lan".into(),
            action: "ingest".into(),
            subject: format!("file{n}"),
            outcome: "ok".into(),
            before: None,
            after: Some(format!("{{\"n\":{n}}}")),
        }
    }

    fn unlock(conn: &Connection) {
        conn.execute_batch(
            "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;",
        )
        .unwrap();
    }

    #[test]
    fn chain_detects_edit_delete_and_reorder() {
        let mut conn = crate::open_in_memory().unwrap();
        for n in 1..=5 {
            append(&mut conn, &ev(n)).unwrap();
        }
        let ok = verify(&conn).unwrap();
        assert_eq!(ok.events, 5);
        assert_eq!(ok.first_bad, None);
        assert_eq!(ok.head.as_ref().unwrap().0, 5);

        // Append-only in SQL too.
        assert!(conn
            .execute("UPDATE audit_events SET actor = 'x' WHERE seq = 2", [])
            .is_err());
        assert!(conn
            .execute("DELETE FROM audit_events WHERE seq = 2", [])
            .is_err());

        unlock(&conn);
        conn.execute(
            "UPDATE audit_events SET actor = 'mallory' WHERE seq = 3",
            [],
        )
        .unwrap();
        assert_eq!(
            verify(&conn).unwrap().first_bad,
            Some(BadEvent {
                seq: 3,
                why: Break::Edited
            })
        );
        conn.execute("UPDATE audit_events SET actor = 'lan' WHERE seq = 3", [])
            .unwrap();
        assert_eq!(verify(&conn).unwrap().first_bad, None);

        // Deleting a middle event and renumbering the rest to hide the gap.
        conn.execute("DELETE FROM audit_events WHERE seq = 2", [])
            .unwrap();
        assert_eq!(
            verify(&conn).unwrap().first_bad,
            Some(BadEvent {
                seq: 3,
                why: Break::OutOfSequence { expected: 2 }
            })
        );
    }

    #[test]
    fn swapped_rows_are_found() {
        let mut conn = crate::open_in_memory().unwrap();
        for n in 1..=3 {
            append(&mut conn, &ev(n)).unwrap();
        }
        unlock(&conn);
        // Swap the contents of events 2 and 3 but keep the seq numbers in place.
        let rows = latest(&conn, 10).unwrap();
        let (e3, e2) = (&rows[0], &rows[1]);
        for (seq, src) in [(2, e3), (3, e2)] {
            conn.execute(
                "UPDATE audit_events SET at=?2, actor=?3, action=?4, subject=?5, after=?6, prev_hash=?7, hash=?8 WHERE seq=?1",
                params![
                    seq,
                    src.event.at,
                    src.event.actor,
                    src.event.action,
                    src.event.subject,
                    src.event.after,
                    src.prev_hash,
                    format!("tmp{seq}")
                ],
            )
            .unwrap();
        }
        let bad = verify(&conn).unwrap().first_bad.unwrap();
        assert_eq!(bad.seq, 2);
    }
}
