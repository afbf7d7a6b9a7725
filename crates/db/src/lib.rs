//! The SQLite database of doisoat: one file beside the store.
//!
//! Each table module keeps its queries (and tests) beside it. Functions take
//! a `&Connection` (a `Transaction` derefs to one), so callers decide the
//! transaction boundaries: an ingest writes a file, its pages and its link in
//! one transaction, or nothing.
//!
//! Everything here blocks. Callers on an async runtime must move it to a
//! blocking thread (`spawn_blocking`) first.

pub mod audit;
pub mod copies;
pub mod dossiers;
pub mod files;
pub mod findings;
pub mod fixity;
pub mod imports;
pub mod intake;
pub mod lifecycle;
mod migrations;
pub mod reconciliations;
pub mod users;

use std::path::Path;

pub use rusqlite::{Connection, Transaction, TransactionBehavior};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration {id} failed: {source}")]
    Migration {
        id: &'static str,
        source: rusqlite::Error,
    },
    #[error("the database was written by a newer doisoat (it has migration {0}, unknown here)")]
    TooNew(String),
    #[error("stored JSON is malformed: {0}")]
    Json(#[from] serde_json::Error),
}

pub type Result<T, E = DbError> = std::result::Result<T, E>;

/// Opens (creating if needed) the database at `path`, sets the pragmas doisoat
/// relies on, and applies pending migrations, each in its own transaction.
pub fn open(path: &Path) -> Result<Connection> {
    let mut conn = Connection::open(path)?;
    configure(&conn)?;
    migrations::apply(&mut conn)?;
    Ok(conn)
}

/// An in-memory database with the full schema, for tests.
pub fn open_in_memory() -> Result<Connection> {
    let mut conn = Connection::open_in_memory()?;
    configure(&conn)?;
    migrations::apply(&mut conn)?;
    Ok(conn)
}

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // WAL keeps readers (the UI) unblocked while an ingest writes; NORMAL is
    // durable against a killed process, which is the crash doisoat must survive.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

/// `PRAGMA integrity_check`, as a list of problems (empty when healthy).
pub fn integrity_problems(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(rows.into_iter().filter(|r| r != "ok").collect())
}

/// Ids of the migrations applied to this database, in order.
pub fn applied_migrations(conn: &Connection) -> Result<Vec<String>> {
    migrations::applied(conn)
}
