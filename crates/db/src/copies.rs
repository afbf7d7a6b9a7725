//! `copies`: which stored file is the paper or electronic copy of which
//! dossier component. The same bytes can be a copy of several components.

use rusqlite::{params, Connection, OptionalExtension};

use doisoat_domain::Side;

use crate::Result;

#[derive(Debug, Clone, PartialEq)]
pub struct NewCopy {
    pub sha256: String,
    pub side: Side,
    pub dossier_id: Option<i64>,
    pub component_code: Option<String>,
    pub original_name: String,
    pub portal_file_id: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CopyRow {
    pub id: i64,
    pub sha256: String,
    pub side: Side,
    pub dossier_id: Option<i64>,
    pub component_code: Option<String>,
    pub original_name: String,
    pub created_at: String,
    pub kind: String,
    pub size: u64,
    pub page_count: u32,
}

/// Links a file; returns `false` when exactly this link already exists.
pub fn link(conn: &Connection, c: &NewCopy) -> Result<bool> {
    let n = conn.execute(
        "INSERT OR IGNORE INTO copies (sha256, side, dossier_id, component_code, original_name, portal_file_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![c.sha256, c.side.as_str(), c.dossier_id, c.component_code, c.original_name, c.portal_file_id, c.created_at],
    )?;
    Ok(n > 0)
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CopyRow> {
    let side: String = r.get(2)?;
    Ok(CopyRow {
        id: r.get(0)?,
        sha256: r.get(1)?,
        side: Side::parse(&side).unwrap_or(Side::Paper),
        dossier_id: r.get(3)?,
        component_code: r.get(4)?,
        original_name: r.get(5)?,
        created_at: r.get(6)?,
        kind: r.get(7)?,
        size: r.get::<_, i64>(8)? as u64,
        page_count: r.get(9)?,
    })
}

const SELECT: &str =
    "SELECT c.id, c.sha256, c.side, c.dossier_id, c.component_code, c.original_name, c.created_at,
        f.kind, f.size, f.page_count
     FROM copies c JOIN files f ON f.sha256 = c.sha256";

/// Copies of a dossier, oldest first.
pub fn of_dossier(conn: &Connection, dossier_id: i64) -> Result<Vec<CopyRow>> {
    let mut stmt =
        conn.prepare_cached(&format!("{SELECT} WHERE c.dossier_id = ?1 ORDER BY c.id"))?;
    let rows = stmt.query_map([dossier_id], row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One copy by its id.
pub fn get(conn: &Connection, id: i64) -> Result<Option<CopyRow>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE c.id = ?1"))?;
    Ok(stmt.query_row([id], row).optional()?)
}

/// Removes the link `id` (the file stays in the store, and any other copy
/// of it stays linked). Returns whether a link was removed.
pub fn unlink(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.execute("DELETE FROM copies WHERE id = ?1", [id])? > 0)
}

/// Copies of a file, wherever linked.
pub fn of_file(conn: &Connection, sha256: &str) -> Result<Vec<CopyRow>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE c.sha256 = ?1 ORDER BY c.id"))?;
    let rows = stmt.query_map([sha256], row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linking_twice_is_a_no_op_even_without_a_dossier() {
        let conn = crate::open_in_memory().unwrap();
        let (f, p) = (
            crate::files::FileRow {
                sha256: "ab".into(),
                size: 3,
                kind: "png".into(),
                page_count: 1,
                first_name: "x.png".into(),
                stored_at: "t".into(),
            },
            vec![],
        );
        crate::files::insert(&conn, &f, &p).unwrap();
        let c = NewCopy {
            sha256: "ab".into(),
            side: Side::Paper,
            dossier_id: None,
            component_code: None,
            original_name: "x.png".into(),
            portal_file_id: None,
            created_at: "t".into(),
        };
        assert!(link(&conn, &c).unwrap());
        assert!(!link(&conn, &c).unwrap());
        let id = crate::dossiers::ensure(&conn, "D1", "odd_shape", "t").unwrap();
        let linked = NewCopy {
            dossier_id: Some(id),
            component_code: Some("TP1".into()),
            ..c.clone()
        };
        assert!(link(&conn, &linked).unwrap());
        assert!(!link(&conn, &linked).unwrap());
        let rows = of_dossier(&conn, id).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].kind, "png");
        assert_eq!(of_file(&conn, "ab").unwrap().len(), 2);
    }
}
