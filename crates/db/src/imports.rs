//! `imports`: which export files have been imported, so re-importing the same
//! bytes changes nothing.

use rusqlite::{params, Connection, OptionalExtension};

use crate::Result;

#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    pub sha256: String,
    pub file_name: String,
    pub format: String,
    pub rows: u64,
    pub dossiers: u64,
    pub imported_at: String,
}

pub fn get(conn: &Connection, sha256: &str) -> Result<Option<ImportRow>> {
    Ok(conn
        .query_row(
            "SELECT sha256, file_name, format, rows, dossiers, imported_at FROM imports WHERE sha256 = ?1",
            [sha256],
            |r| {
                Ok(ImportRow {
                    sha256: r.get(0)?,
                    file_name: r.get(1)?,
                    format: r.get(2)?,
                    rows: r.get::<_, i64>(3)? as u64,
                    dossiers: r.get::<_, i64>(4)? as u64,
                    imported_at: r.get(5)?,
                })
            },
        )
        .optional()?)
}

pub fn record(conn: &Connection, row: &ImportRow) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO imports (sha256, file_name, format, rows, dossiers, imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![row.sha256, row.file_name, row.format, row.rows as i64, row.dossiers as i64, row.imported_at],
    )?;
    Ok(())
}
