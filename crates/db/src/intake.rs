//! Intake tables (migration 0004): the hot folder's ledger, derived versions
//! of stored files, and intake flags (what a person must look at).

use rusqlite::{params, Connection, OptionalExtension};

use crate::Result;

/// One file the hot folder took.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRow {
    pub path: String,
    pub size: u64,
    pub mtime_ns: i64,
    pub sha256: Option<String>,
    /// stored | duplicate | failed
    pub status: String,
    pub error: Option<String>,
    pub taken_at: String,
}

/// The ledger's row for this path, size and modification time.
pub fn ledger_get(
    conn: &Connection,
    path: &str,
    size: u64,
    mtime_ns: i64,
) -> Result<Option<LedgerRow>> {
    Ok(conn
        .query_row(
            "SELECT path, size, mtime_ns, sha256, status, error, taken_at FROM hotfolder_ledger
             WHERE path = ?1 AND size = ?2 AND mtime_ns = ?3",
            params![path, size as i64, mtime_ns],
            ledger_row,
        )
        .optional()?)
}

/// Records a file as taken (or, for `failed`, as tried: a later version of
/// the file under the same path is a new key and is tried again).
pub fn ledger_record(conn: &Connection, r: &LedgerRow) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO hotfolder_ledger (path, size, mtime_ns, sha256, status, error, taken_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![r.path, r.size as i64, r.mtime_ns, r.sha256, r.status, r.error, r.taken_at],
    )?;
    Ok(())
}

pub fn ledger_all(conn: &Connection) -> Result<Vec<LedgerRow>> {
    let mut stmt = conn.prepare(
        "SELECT path, size, mtime_ns, sha256, status, error, taken_at FROM hotfolder_ledger
         ORDER BY taken_at, path",
    )?;
    let rows = stmt.query_map([], ledger_row)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

fn ledger_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<LedgerRow> {
    Ok(LedgerRow {
        path: r.get(0)?,
        size: r.get::<_, i64>(1)? as u64,
        mtime_ns: r.get(2)?,
        sha256: r.get(3)?,
        status: r.get(4)?,
        error: r.get(5)?,
        taken_at: r.get(6)?,
    })
}

/// A file made from another stored file.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    pub sha256: String,
    pub source_sha256: String,
    /// split | separator | straighten | rotate | delete | reorder | replace
    pub operation: String,
    /// Source pages (1-based) in the new file's order.
    pub pages: Vec<u32>,
    /// JSON object.
    pub detail: String,
    pub actor: String,
    pub created_at: String,
}

pub fn derived_insert(conn: &Connection, d: &Derived) -> Result<i64> {
    conn.execute(
        "INSERT INTO derived_files (sha256, source_sha256, operation, pages, detail, actor, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            d.sha256,
            d.source_sha256,
            d.operation,
            serde_json::to_string(&d.pages)?,
            d.detail,
            d.actor,
            d.created_at
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The files derived from `source`, oldest first.
pub fn derived_from(conn: &Connection, source: &str) -> Result<Vec<Derived>> {
    let mut stmt = conn.prepare(
        "SELECT sha256, source_sha256, operation, pages, detail, actor, created_at
         FROM derived_files WHERE source_sha256 = ?1 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([source], |r| {
            Ok((
                Derived {
                    sha256: r.get(0)?,
                    source_sha256: r.get(1)?,
                    operation: r.get(2)?,
                    pages: Vec::new(),
                    detail: r.get(4)?,
                    actor: r.get(5)?,
                    created_at: r.get(6)?,
                },
                r.get::<_, String>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(mut d, pages)| {
            d.pages = serde_json::from_str(&pages)?;
            Ok(d)
        })
        .collect()
}

/// Something intake could not decide alone.
#[derive(Debug, Clone, PartialEq)]
pub struct Flag {
    pub id: i64,
    pub batch_sha256: String,
    pub sha256: Option<String>,
    /// Batch pages (1-based).
    pub pages: Vec<u32>,
    pub kind: String,
    pub code: Option<String>,
    pub detail: String,
    pub status: String,
    pub created_at: String,
}

pub fn flag_insert(conn: &Connection, f: &Flag) -> Result<i64> {
    conn.execute(
        "INSERT INTO intake_flags (batch_sha256, sha256, pages, kind, code, detail, status, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            f.batch_sha256,
            f.sha256,
            serde_json::to_string(&f.pages)?,
            f.kind,
            f.code,
            f.detail,
            f.status,
            f.created_at
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Flags, open ones only unless `all`.
pub fn flags(conn: &Connection, all: bool) -> Result<Vec<Flag>> {
    let mut stmt = conn.prepare(
        "SELECT id, batch_sha256, sha256, pages, kind, code, detail, status, created_at
         FROM intake_flags WHERE ?1 OR status = 'open' ORDER BY id",
    )?;
    let rows = stmt
        .query_map([all], |r| {
            Ok((
                Flag {
                    id: r.get(0)?,
                    batch_sha256: r.get(1)?,
                    sha256: r.get(2)?,
                    pages: Vec::new(),
                    kind: r.get(4)?,
                    code: r.get(5)?,
                    detail: r.get(6)?,
                    status: r.get(7)?,
                    created_at: r.get(8)?,
                },
                r.get::<_, String>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(mut f, pages)| {
            f.pages = serde_json::from_str(&pages)?;
            Ok(f)
        })
        .collect()
}

pub fn flag_get(conn: &Connection, id: i64) -> Result<Option<Flag>> {
    Ok(flags(conn, true)?.into_iter().find(|f| f.id == id))
}

/// Marks a flag resolved; `false` when there is no such open flag.
pub fn flag_resolve(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE intake_flags SET status = 'resolved' WHERE id = ?1 AND status = 'open'",
        [id],
    )? > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(conn: &Connection, sha: &str) {
        conn.execute(
            "INSERT INTO files (sha256, size, kind, page_count, first_name, stored_at)
             VALUES (?1, 1, 'pdf', 1, 'x.pdf', '2026-01-01T00:00:00Z')",
            [sha],
        )
        .unwrap();
    }

    #[test]
    fn ledger_derived_and_flags_round_trip() {
        let conn = crate::open_in_memory().unwrap();
        file(&conn, "aa");
        file(&conn, "bb");
        let row = LedgerRow {
            path: "/in/a.pdf".into(),
            size: 10,
            mtime_ns: 5,
            sha256: Some("aa".into()),
            status: "stored".into(),
            error: None,
            taken_at: "2026-01-01T00:00:00Z".into(),
        };
        ledger_record(&conn, &row).unwrap();
        assert_eq!(ledger_get(&conn, "/in/a.pdf", 10, 5).unwrap(), Some(row));
        assert_eq!(ledger_get(&conn, "/in/a.pdf", 11, 5).unwrap(), None);
        let d = Derived {
            sha256: "bb".into(),
            source_sha256: "aa".into(),
            operation: "split".into(),
            pages: vec![2, 3],
            detail: "{}".into(),
            actor: "clerk".into(),
            created_at: "2026-01-01T00:00:00Z".into(),
        };
        derived_insert(&conn, &d).unwrap();
        assert_eq!(derived_from(&conn, "aa").unwrap(), vec![d]);
        let id = flag_insert(
            &conn,
            &Flag {
                id: 0,
                batch_sha256: "aa".into(),
                sha256: Some("bb".into()),
                pages: vec![4],
                kind: "unknown_dossier".into(),
                code: Some("000.00.38.H38-221125-0009".into()),
                detail: "{}".into(),
                status: "open".into(),
                created_at: "2026-01-01T00:00:00Z".into(),
            },
        )
        .unwrap();
        assert_eq!(flags(&conn, false).unwrap()[0].pages, vec![4]);
        assert!(flag_resolve(&conn, id).unwrap());
        assert!(!flag_resolve(&conn, id).unwrap());
        assert!(flags(&conn, false).unwrap().is_empty());
        assert_eq!(flags(&conn, true).unwrap().len(), 1);
    }
}
