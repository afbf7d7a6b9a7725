//! Versioned schema migrations. Each has a stable id and is applied once, in
//! order, inside its own transaction together with the row that records it,
//! so a crash mid-migration leaves the previous schema intact.
//!
//! Ids are recorded by name (not only counted), so migrations added on
//! parallel branches apply cleanly once merged. Migrations never drop data.

use rusqlite::Connection;

use crate::{DbError, Result};

const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_core", include_str!("../migrations/0001_core.sql")),
    (
        "0002_integrity",
        include_str!("../migrations/0002_integrity.sql"),
    ),
    (
        "0003_lifecycle",
        include_str!("../migrations/0003_lifecycle.sql"),
    ),
    ("0004_intake", include_str!("../migrations/0004_intake.sql")),
    (
        "0005_lifecycle_figures",
        include_str!("../migrations/0005_lifecycle_figures.sql"),
    ),
    ("0006_sha512", include_str!("../migrations/0006_sha512.sql")),
    (
        "0007_reconciliation_notes",
        include_str!("../migrations/0007_reconciliation_notes.sql"),
    ),
];

pub(crate) fn apply(conn: &mut Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             id TEXT PRIMARY KEY,
             applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
         )",
    )?;
    let done = applied(conn)?;
    if let Some(unknown) = done
        .iter()
        .find(|id| !MIGRATIONS.iter().any(|(m, _)| m == id))
    {
        return Err(DbError::TooNew(unknown.clone()));
    }
    for (id, sql) in MIGRATIONS {
        if done.iter().any(|d| d == id) {
            continue;
        }
        let tx = conn.transaction()?;
        tx.execute_batch(sql)
            .map_err(|source| DbError::Migration { id, source })?;
        tx.execute("INSERT INTO schema_migrations (id) VALUES (?1)", [id])?;
        tx.commit()?;
        tracing::info!(migration = id, "applied");
    }
    Ok(())
}

pub(crate) fn applied(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT id FROM schema_migrations ORDER BY id")?;
    let ids = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::MIGRATIONS;

    #[test]
    fn applies_once_and_refuses_unknown_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let conn = crate::open(&path).unwrap();
        assert_eq!(
            crate::applied_migrations(&conn).unwrap(),
            MIGRATIONS.iter().map(|(id, _)| *id).collect::<Vec<_>>()
        );
        drop(conn);
        let conn = crate::open(&path).unwrap();
        assert_eq!(
            crate::applied_migrations(&conn).unwrap().len(),
            MIGRATIONS.len()
        );
        conn.execute(
            "INSERT INTO schema_migrations (id) VALUES ('9999_future')",
            [],
        )
        .unwrap();
        drop(conn);
        assert!(
            matches!(crate::open(&path), Err(crate::DbError::TooNew(id)) if id == "9999_future")
        );
    }
}
