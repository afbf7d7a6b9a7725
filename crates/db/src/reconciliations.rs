//! `reconciliations`: the last comparison made for each component.

use rusqlite::{params, Connection};

use crate::Result;

#[derive(Debug, Clone, PartialEq)]
pub struct Reconciliation {
    pub component_code: String,
    pub paper_sha256: Option<String>,
    pub electronic_sha256: Option<String>,
    pub verdict: String,
    pub at: String,
    /// The kinds of the comparison's notes (`red_ink_ignored`, …), each once.
    pub notes: Vec<String>,
}

pub fn record(conn: &Connection, dossier_id: i64, r: &Reconciliation) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO reconciliations (dossier_id, component_code, paper_sha256, electronic_sha256, verdict, at, notes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            dossier_id,
            r.component_code,
            r.paper_sha256,
            r.electronic_sha256,
            r.verdict,
            r.at,
            serde_json::to_string(&r.notes)?
        ],
    )?;
    Ok(())
}

pub fn of_dossier(conn: &Connection, dossier_id: i64) -> Result<Vec<Reconciliation>> {
    let mut stmt = conn.prepare_cached(
        "SELECT component_code, paper_sha256, electronic_sha256, verdict, at, notes FROM reconciliations
         WHERE dossier_id = ?1 ORDER BY component_code",
    )?;
    let rows = stmt
        .query_map([dossier_id], |r| {
            Ok((
                Reconciliation {
                    component_code: r.get(0)?,
                    paper_sha256: r.get(1)?,
                    electronic_sha256: r.get(2)?,
                    verdict: r.get(3)?,
                    at: r.get(4)?,
                    notes: Vec::new(),
                },
                r.get::<_, String>(5)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(mut rec, notes)| {
            rec.notes = serde_json::from_str(&notes)?;
            Ok(rec)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latest_result_replaces_the_previous() {
        let conn = crate::open_in_memory().unwrap();
        let d = crate::dossiers::ensure(&conn, "D", "odd_shape", "t").unwrap();
        let mut r = Reconciliation {
            component_code: "TP1".into(),
            paper_sha256: Some("p".into()),
            electronic_sha256: Some("e".into()),
            verdict: "mismatch".into(),
            at: "t1".into(),
            notes: vec!["red_ink_ignored".into()],
        };
        record(&conn, d, &r).unwrap();
        r.verdict = "match".into();
        record(&conn, d, &r).unwrap();
        assert_eq!(of_dossier(&conn, d).unwrap(), vec![r]);
    }
}
