//! `files` and `pages`: what the store holds, as the database knows it.

use rusqlite::{params, Connection, OptionalExtension};

use crate::Result;

#[derive(Debug, Clone, PartialEq)]
pub struct FileRow {
    pub sha256: String,
    pub size: u64,
    pub kind: String,
    pub page_count: u32,
    pub first_name: String,
    pub stored_at: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PageRow {
    pub page_no: u32,
    pub width_px: u32,
    pub height_px: u32,
    pub dpi: f32,
    pub dpi_known: bool,
    pub has_text: bool,
    pub scanned: bool,
    pub fingerprint: Vec<u8>,
    pub thumbnail: Vec<u8>,
}

pub fn exists(conn: &Connection, sha256: &str) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM files WHERE sha256 = ?1",
            [sha256],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Records a stored file and all its pages. Call inside the transaction that
/// also links the file, so either all of it is recorded or none.
pub fn insert(conn: &Connection, file: &FileRow, pages: &[PageRow]) -> Result<()> {
    conn.execute(
        "INSERT INTO files (sha256, size, kind, page_count, first_name, stored_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![file.sha256, file.size as i64, file.kind, file.page_count, file.first_name, file.stored_at],
    )?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO pages (sha256, page_no, width_px, height_px, dpi, dpi_known, has_text, scanned, fingerprint, thumbnail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for p in pages {
        stmt.execute(params![
            file.sha256,
            p.page_no,
            p.width_px,
            p.height_px,
            p.dpi,
            p.dpi_known,
            p.has_text,
            p.scanned,
            p.fingerprint,
            p.thumbnail
        ])?;
    }
    Ok(())
}

pub fn get(conn: &Connection, sha256: &str) -> Result<Option<FileRow>> {
    Ok(conn
        .query_row(
            "SELECT sha256, size, kind, page_count, first_name, stored_at FROM files WHERE sha256 = ?1",
            [sha256],
            |r| {
                Ok(FileRow {
                    sha256: r.get(0)?,
                    size: r.get::<_, i64>(1)? as u64,
                    kind: r.get(2)?,
                    page_count: r.get(3)?,
                    first_name: r.get(4)?,
                    stored_at: r.get(5)?,
                })
            },
        )
        .optional()?)
}

/// Pages of a file, without thumbnails.
pub fn pages(conn: &Connection, sha256: &str) -> Result<Vec<PageRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT page_no, width_px, height_px, dpi, dpi_known, has_text, scanned, fingerprint
         FROM pages WHERE sha256 = ?1 ORDER BY page_no",
    )?;
    let rows = stmt.query_map([sha256], |r| {
        Ok(PageRow {
            page_no: r.get(0)?,
            width_px: r.get(1)?,
            height_px: r.get(2)?,
            dpi: r.get(3)?,
            dpi_known: r.get(4)?,
            has_text: r.get(5)?,
            scanned: r.get(6)?,
            fingerprint: r.get(7)?,
            thumbnail: Vec::new(),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn thumbnail(conn: &Connection, sha256: &str, page_no: u32) -> Result<Option<Vec<u8>>> {
    Ok(conn
        .query_row(
            "SELECT thumbnail FROM pages WHERE sha256 = ?1 AND page_no = ?2",
            params![sha256, page_no],
            |r| r.get(0),
        )
        .optional()?)
}

/// Records the SHA-512 of a stored file, computed from bytes whose SHA-256
/// matched its name. A SHA-512 already recorded is kept (the same bytes
/// have only one). Returns whether a row changed.
pub fn record_sha512(conn: &Connection, sha256: &str, sha512: &str) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE files SET sha512 = ?2 WHERE sha256 = ?1 AND sha512 IS NULL",
        params![sha256, sha512],
    )? > 0)
}

/// The recorded SHA-512 of a stored file (`None` when not yet known).
pub fn sha512(conn: &Connection, sha256: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT sha512 FROM files WHERE sha256 = ?1",
            [sha256],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
}

/// Every recorded file with its size, for verification.
pub fn all(conn: &Connection) -> Result<Vec<(String, u64)>> {
    let mut stmt = conn.prepare("SELECT sha256, size FROM files ORDER BY sha256")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample(sha: &str) -> (FileRow, Vec<PageRow>) {
        let file = FileRow {
            sha256: sha.into(),
            size: 10,
            kind: "pdf".into(),
            page_count: 2,
            first_name: "a.pdf".into(),
            stored_at: "2026-01-01T00:00:00Z".into(),
        };
        let page = |n| PageRow {
            page_no: n,
            width_px: 1654,
            height_px: 2339,
            dpi: 200.0,
            dpi_known: true,
            has_text: false,
            scanned: true,
            fingerprint: vec![n as u8; 32],
            thumbnail: vec![0xFF, 0xD8, n as u8],
        };
        (file, vec![page(1), page(2)])
    }

    #[test]
    fn insert_and_read_back() {
        let conn = crate::open_in_memory().unwrap();
        let (f, p) = sample("aa");
        insert(&conn, &f, &p).unwrap();
        assert!(exists(&conn, "aa").unwrap());
        assert_eq!(get(&conn, "aa").unwrap().unwrap(), f);
        let pages = pages(&conn, "aa").unwrap();
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[1].fingerprint, vec![2; 32]);
        assert_eq!(
            thumbnail(&conn, "aa", 2).unwrap().unwrap(),
            vec![0xFF, 0xD8, 2]
        );
        // The same digest twice violates the primary key: duplicates are caught.
        assert!(insert(&conn, &f, &[]).is_err());
    }

    #[test]
    fn sha512_is_recorded_once() {
        let conn = crate::open_in_memory().unwrap();
        let (f, p) = sample("bb");
        insert(&conn, &f, &p).unwrap();
        assert_eq!(sha512(&conn, "bb").unwrap(), None);
        assert!(record_sha512(&conn, "bb", "51").unwrap());
        assert!(!record_sha512(&conn, "bb", "52").unwrap());
        assert_eq!(sha512(&conn, "bb").unwrap().as_deref(), Some("51"));
        // A file not held gets nothing.
        assert!(!record_sha512(&conn, "cc", "51").unwrap());
        assert_eq!(sha512(&conn, "cc").unwrap(), None);
    }
}
