//! `fixity_state` and `fixity_history`: when each stored file was last
//! verified and what was found, and every verification ever made. The next
//! pass takes files oldest verification first (never-verified files first).

use rusqlite::{params, Connection};

use crate::Result;

/// A file due for verification.
#[derive(Debug, Clone, PartialEq)]
pub struct Due {
    pub sha256: String,
    pub size: u64,
    pub last_verified: Option<String>,
    /// Whether the file's SHA-512 is recorded yet (migration 0006).
    pub sha512_known: bool,
}

/// Recorded files in the order the next pass should verify them.
pub fn due(conn: &Connection, limit: Option<u64>) -> Result<Vec<Due>> {
    let mut stmt = conn.prepare(
        "SELECT f.sha256, f.size, s.last_verified, f.sha512 IS NOT NULL FROM files f LEFT JOIN fixity_state s ON s.sha256 = f.sha256
         ORDER BY s.last_verified IS NOT NULL, s.last_verified, f.sha256 LIMIT ?1",
    )?;
    let limit = limit.map(|l| l as i64).unwrap_or(-1);
    let rows = stmt
        .query_map([limit], |r| {
            Ok(Due {
                sha256: r.get(0)?,
                size: r.get::<_, i64>(1)? as u64,
                last_verified: r.get(2)?,
                sha512_known: r.get(3)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Records one verification: the latest state and a history row.
pub fn record(
    conn: &Connection,
    sha256: &str,
    at: &str,
    result: &str,
    actual: Option<&str>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO fixity_state (sha256, last_verified, result) VALUES (?1, ?2, ?3)
         ON CONFLICT(sha256) DO UPDATE SET last_verified = excluded.last_verified, result = excluded.result",
        params![sha256, at, result],
    )?;
    conn.execute(
        "INSERT INTO fixity_history (sha256, at, result, actual) VALUES (?1, ?2, ?3, ?4)",
        params![sha256, at, result, actual],
    )?;
    Ok(())
}

/// One verification of one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub at: String,
    pub result: String,
    pub actual: Option<String>,
}

/// A file's verifications, oldest first.
pub fn history(conn: &Connection, sha256: &str) -> Result<Vec<Check>> {
    let mut stmt = conn
        .prepare("SELECT at, result, actual FROM fixity_history WHERE sha256 = ?1 ORDER BY id")?;
    let rows = stmt
        .query_map([sha256], |r| {
            Ok(Check {
                at: r.get(0)?,
                result: r.get(1)?,
                actual: r.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oldest_verification_comes_first_and_history_accumulates() {
        let conn = crate::open_in_memory().unwrap();
        for (sha, size) in [("aa", 1), ("bb", 2), ("cc", 3)] {
            conn.execute(
                "INSERT INTO files (sha256, size, kind, page_count, first_name, stored_at) VALUES (?1, ?2, 'pdf', 1, 'x', 't')",
                params![sha, size],
            )
            .unwrap();
        }
        record(&conn, "aa", "2026-01-02T00:00:00Z", "intact", None).unwrap();
        record(&conn, "cc", "2026-01-01T00:00:00Z", "intact", None).unwrap();
        let order: Vec<_> = due(&conn, None)
            .unwrap()
            .into_iter()
            .map(|d| d.sha256)
            .collect();
        assert_eq!(order, ["bb", "cc", "aa"]);
        assert_eq!(due(&conn, Some(1)).unwrap().len(), 1);
        record(&conn, "aa", "2026-01-03T00:00:00Z", "changed", Some("ff")).unwrap();
        let h = history(&conn, "aa").unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h[1].result, "changed");
        assert_eq!(h[1].actual.as_deref(), Some("ff"));
    }
}
