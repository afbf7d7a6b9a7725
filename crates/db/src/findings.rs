//! `findings` and their history. A reconciliation replaces the open findings
//! of a component with what it finds now, but a finding a person has already
//! acknowledged or resolved keeps its status, note and history when the same
//! finding comes up again.

use rusqlite::{params, params_from_iter, types::Value, Connection, OptionalExtension};

use doisoat_domain::{FindingKind, FindingStatus};

use crate::Result;

#[derive(Debug, Clone, PartialEq)]
pub struct NewFinding {
    pub component_code: String,
    pub kind: FindingKind,
    /// Stable description of what the finding is about, e.g.
    /// `page_differs:<paper sha>:3:<electronic sha>:3`.
    pub identity: String,
    pub paper_sha256: Option<String>,
    pub electronic_sha256: Option<String>,
    pub paper_page: Option<u32>,
    pub electronic_page: Option<u32>,
    pub similarity: Option<f32>,
    /// JSON: regions, text changes, notes.
    pub detail: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FindingRow {
    pub id: i64,
    pub dossier_code: String,
    pub finding: NewFinding,
    pub status: FindingStatus,
    pub note: Option<String>,
    pub actor: Option<String>,
    pub status_at: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FindingEvent {
    pub status: FindingStatus,
    pub note: Option<String>,
    pub actor: String,
    pub at: String,
}

/// Replaces what is known about one component. Returns the ids now current.
pub fn replace_for_component(
    conn: &Connection,
    dossier_id: i64,
    component: &str,
    found: &[NewFinding],
    now: &str,
) -> Result<Vec<i64>> {
    let mut keep = Vec::with_capacity(found.len());
    for f in found {
        let detail = serde_json::to_string(&f.detail)?;
        let existing: Option<i64> = conn
            .query_row(
                "SELECT id FROM findings WHERE dossier_id = ?1 AND component_code = ?2 AND identity = ?3",
                params![dossier_id, component, f.identity],
                |r| r.get(0),
            )
            .optional()?;
        let id = match existing {
            Some(id) => {
                conn.execute(
                    "UPDATE findings SET similarity = ?2, detail = ?3 WHERE id = ?1",
                    params![id, f.similarity, detail],
                )?;
                id
            }
            None => {
                conn.execute(
                    "INSERT INTO findings (dossier_id, component_code, kind, identity, paper_sha256, electronic_sha256,
                         paper_page, electronic_page, similarity, detail, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                    params![
                        dossier_id,
                        component,
                        f.kind.as_str(),
                        f.identity,
                        f.paper_sha256,
                        f.electronic_sha256,
                        f.paper_page,
                        f.electronic_page,
                        f.similarity,
                        detail,
                        now
                    ],
                )?;
                conn.last_insert_rowid()
            }
        };
        keep.push(id);
    }
    // Open findings that no longer hold are withdrawn; handled ones stay as history.
    let placeholders = vec!["?"; keep.len()].join(",");
    let mut args: Vec<Value> = vec![
        Value::Integer(dossier_id),
        Value::Text(component.to_string()),
    ];
    args.extend(keep.iter().map(|id| Value::Integer(*id)));
    let not_in = if keep.is_empty() {
        String::new()
    } else {
        format!("AND id NOT IN ({placeholders})")
    };
    conn.execute(
        &format!("DELETE FROM findings WHERE dossier_id = ?1 AND component_code = ?2 AND status = 'open' {not_in}"),
        params_from_iter(args.iter()),
    )?;
    Ok(keep)
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub dossier_code: Option<String>,
    pub status: Option<FindingStatus>,
    pub kind: Option<FindingKind>,
}

const SELECT: &str = "SELECT f.id, d.code, f.component_code, f.kind, f.identity, f.paper_sha256, f.electronic_sha256,
        f.paper_page, f.electronic_page, f.similarity, f.detail, f.status, f.note, f.actor, f.status_at, f.created_at
     FROM findings f JOIN dossiers d ON d.id = f.dossier_id";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<FindingRow> {
    let kind: String = r.get(3)?;
    let detail: String = r.get(10)?;
    let status: String = r.get(11)?;
    Ok(FindingRow {
        id: r.get(0)?,
        dossier_code: r.get(1)?,
        finding: NewFinding {
            component_code: r.get(2)?,
            kind: FindingKind::parse(&kind).unwrap_or(FindingKind::PageDiffers),
            identity: r.get(4)?,
            paper_sha256: r.get(5)?,
            electronic_sha256: r.get(6)?,
            paper_page: r.get(7)?,
            electronic_page: r.get(8)?,
            similarity: r.get(9)?,
            detail: serde_json::from_str(&detail).unwrap_or_default(),
        },
        status: FindingStatus::parse(&status).unwrap_or(FindingStatus::Open),
        note: r.get(12)?,
        actor: r.get(13)?,
        status_at: r.get(14)?,
        created_at: r.get(15)?,
    })
}

pub fn list(conn: &Connection, filter: &Filter) -> Result<Vec<FindingRow>> {
    let mut conds = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if let Some(code) = &filter.dossier_code {
        conds.push("d.code = ?");
        args.push(Value::Text(code.clone()));
    }
    if let Some(s) = filter.status {
        conds.push("f.status = ?");
        args.push(Value::Text(s.as_str().into()));
    }
    if let Some(k) = filter.kind {
        conds.push("f.kind = ?");
        args.push(Value::Text(k.as_str().into()));
    }
    let filter = if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    };
    let mut stmt = conn.prepare(&format!(
        "{SELECT} {filter} ORDER BY d.code, f.component_code, COALESCE(f.electronic_page, f.paper_page), f.id"
    ))?;
    let rows = stmt.query_map(params_from_iter(args.iter()), row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<FindingRow>> {
    Ok(conn
        .query_row(&format!("{SELECT} WHERE f.id = ?1"), [id], row)
        .optional()?)
}

/// Records a person's decision on a finding, and keeps it in the history.
/// Returns `false` when there is no such finding.
pub fn set_status(
    conn: &Connection,
    id: i64,
    status: FindingStatus,
    note: Option<&str>,
    actor: &str,
    now: &str,
) -> Result<bool> {
    let n = conn.execute(
        "UPDATE findings SET status = ?2, note = ?3, actor = ?4, status_at = ?5 WHERE id = ?1",
        params![id, status.as_str(), note, actor, now],
    )?;
    if n == 0 {
        return Ok(false);
    }
    conn.execute(
        "INSERT INTO finding_events (finding_id, status, note, actor, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, status.as_str(), note, actor, now],
    )?;
    Ok(true)
}

pub fn events(conn: &Connection, id: i64) -> Result<Vec<FindingEvent>> {
    let mut stmt = conn.prepare(
        "SELECT status, note, actor, at FROM finding_events WHERE finding_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([id], |r| {
        let s: String = r.get(0)?;
        Ok(FindingEvent {
            status: FindingStatus::parse(&s).unwrap_or(FindingStatus::Open),
            note: r.get(1)?,
            actor: r.get(2)?,
            at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(identity: &str) -> NewFinding {
        NewFinding {
            component_code: "TP1".into(),
            kind: FindingKind::PageDiffers,
            identity: identity.into(),
            paper_sha256: Some("p".into()),
            electronic_sha256: Some("e".into()),
            paper_page: Some(2),
            electronic_page: Some(2),
            similarity: Some(0.8),
            detail: serde_json::json!({"regions": [{"x": 0.1, "y": 0.2, "w": 0.05, "h": 0.02}]}),
        }
    }

    #[test]
    fn rerun_keeps_decisions_and_withdraws_stale_open_findings() {
        let conn = crate::open_in_memory().unwrap();
        let d = crate::dossiers::ensure(&conn, "D1", "odd_shape", "t").unwrap();
        let ids =
            replace_for_component(&conn, d, "TP1", &[finding("a"), finding("b")], "t1").unwrap();
        assert_eq!(ids.len(), 2);
        assert!(set_status(
            &conn,
            ids[0],
            FindingStatus::Resolved,
            Some("Bản giấy đúng"),
            "lan",
            "t2"
        )
        .unwrap());
        // Re-run: "a" still found, "b" gone, "c" new.
        let again =
            replace_for_component(&conn, d, "TP1", &[finding("a"), finding("c")], "t3").unwrap();
        assert_eq!(again[0], ids[0]);
        let all = list(&conn, &Filter::default()).unwrap();
        let identities: Vec<_> = all.iter().map(|f| f.finding.identity.as_str()).collect();
        assert_eq!(identities.len(), 2);
        assert!(identities.contains(&"a") && identities.contains(&"c"));
        let a = get(&conn, ids[0]).unwrap().unwrap();
        assert_eq!(a.status, FindingStatus::Resolved);
        assert_eq!(a.note.as_deref(), Some("Bản giấy đúng"));
        assert_eq!(a.finding.detail["regions"][0]["x"], 0.1);
        assert_eq!(events(&conn, ids[0]).unwrap()[0].actor, "lan");
        // An empty result withdraws the remaining open finding only.
        replace_for_component(&conn, d, "TP1", &[], "t4").unwrap();
        let left = list(&conn, &Filter::default()).unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].id, ids[0]);
        assert!(!set_status(&conn, 999, FindingStatus::Resolved, None, "lan", "t5").unwrap());
    }
}
