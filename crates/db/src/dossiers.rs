//! `dossiers`, `components` and the `dossier_search` index.
//!
//! The search index holds one row per dossier (rowid = dossier id) with the
//! code, applicant name and CCCD folded by `doisoat_domain::text::fold`, so
//! a query folded the same way finds "Nguyễn Văn Đức" from "nguyen van duc".

use rusqlite::{params, params_from_iter, types::Value, Connection, OptionalExtension};
use serde_json::Map;

use doisoat_domain::text::fold;

use crate::Result;

/// A dossier as an import or an ingest describes it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DossierRecord {
    pub code: String,
    pub code_check: String,
    pub procedure_code: Option<String>,
    pub receipt_no: Option<String>,
    /// ISO 8601 local time with offset, e.g. `2022-11-25T08:30:00+07:00`.
    pub received_at: Option<String>,
    pub applicant_name: Option<String>,
    pub applicant_id: Option<String>,
    pub status: Option<String>,
    /// Fields doisoat does not model, kept as they came.
    pub extra: Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    Added(i64),
    Updated(i64),
    Unchanged(i64),
}

impl Upsert {
    pub fn id(self) -> i64 {
        match self {
            Upsert::Added(id) | Upsert::Updated(id) | Upsert::Unchanged(id) => id,
        }
    }
}

/// A dossier as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct DossierRow {
    pub id: i64,
    pub record: DossierRecord,
    pub created_at: String,
    pub updated_at: String,
    pub open_findings: u32,
}

const COLUMNS: &str = "d.id, d.code, d.code_check, d.procedure_code, d.receipt_no, d.received_at, d.applicant_name, \
     d.applicant_id, d.status, d.extra, d.created_at, d.updated_at, \
     (SELECT COUNT(*) FROM findings f WHERE f.dossier_id = d.id AND f.status = 'open' AND f.kind != 'byte_identical')";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DossierRow> {
    let extra: String = r.get(9)?;
    Ok(DossierRow {
        id: r.get(0)?,
        record: DossierRecord {
            code: r.get(1)?,
            code_check: r.get(2)?,
            procedure_code: r.get(3)?,
            receipt_no: r.get(4)?,
            received_at: r.get(5)?,
            applicant_name: r.get(6)?,
            applicant_id: r.get(7)?,
            status: r.get(8)?,
            extra: serde_json::from_str(&extra).unwrap_or_default(),
        },
        created_at: r.get(10)?,
        updated_at: r.get(11)?,
        open_findings: r.get(12)?,
    })
}

pub fn get(conn: &Connection, code: &str) -> Result<Option<DossierRow>> {
    let sql = format!("SELECT {COLUMNS} FROM dossiers d WHERE d.code = ?1");
    Ok(conn.query_row(&sql, [code], row).optional()?)
}

/// A dossier by the code a person typed: trimmed, then, only if that finds
/// nothing, in the upper case codes are stored in.
pub fn find(conn: &Connection, code: &str) -> Result<Option<DossierRow>> {
    let code = code.trim();
    match get(conn, code)? {
        Some(row) => Ok(Some(row)),
        None => get(conn, &code.to_uppercase()),
    }
}

pub fn id_of(conn: &Connection, code: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row("SELECT id FROM dossiers WHERE code = ?1", [code], |r| {
            r.get(0)
        })
        .optional()?)
}

/// The code of dossier `id`.
pub fn code_of(conn: &Connection, id: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT code FROM dossiers WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?)
}

fn index_text(rec: &DossierRecord) -> String {
    fold(&format!(
        "{} {} {}",
        rec.code,
        rec.applicant_name.as_deref().unwrap_or(""),
        rec.applicant_id.as_deref().unwrap_or("")
    ))
}

/// Inserts a dossier, or updates it when any field differs. An identical
/// record leaves the row (and its `updated_at`) untouched.
pub fn upsert(conn: &Connection, rec: &DossierRecord, now: &str) -> Result<Upsert> {
    let existing = get(conn, &rec.code)?;
    if let Some(existing) = &existing {
        if existing.record == *rec {
            return Ok(Upsert::Unchanged(existing.id));
        }
    }
    // One statement for both cases, so the column list is written once; an
    // update keeps `created_at`.
    let id: i64 = conn.query_row(
        "INSERT INTO dossiers (code, code_check, procedure_code, receipt_no, received_at, applicant_name,
             applicant_id, status, extra, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)
         ON CONFLICT (code) DO UPDATE SET code_check = excluded.code_check,
             procedure_code = excluded.procedure_code, receipt_no = excluded.receipt_no,
             received_at = excluded.received_at, applicant_name = excluded.applicant_name,
             applicant_id = excluded.applicant_id, status = excluded.status, extra = excluded.extra,
             updated_at = excluded.updated_at
         RETURNING id",
        params![
            rec.code,
            rec.code_check,
            rec.procedure_code,
            rec.receipt_no,
            rec.received_at,
            rec.applicant_name,
            rec.applicant_id,
            rec.status,
            serde_json::to_string(&rec.extra)?,
            now
        ],
        |r| r.get(0),
    )?;
    if existing.is_some() {
        conn.execute(
            "UPDATE dossier_search SET folded = ?2 WHERE rowid = ?1",
            params![id, index_text(rec)],
        )?;
        Ok(Upsert::Updated(id))
    } else {
        conn.execute(
            "INSERT INTO dossier_search (rowid, folded) VALUES (?1, ?2)",
            params![id, index_text(rec)],
        )?;
        Ok(Upsert::Added(id))
    }
}

/// The id of the dossier with `code`, creating a bare record when none
/// exists yet (a paper scan may arrive before the portal export).
pub fn ensure(conn: &Connection, code: &str, code_check: &str, now: &str) -> Result<i64> {
    if let Some(id) = id_of(conn, code)? {
        return Ok(id);
    }
    let rec = DossierRecord {
        code: code.to_string(),
        code_check: code_check.to_string(),
        ..Default::default()
    };
    Ok(upsert(conn, &rec, now)?.id())
}

/// Adds a component to a dossier; returns whether it was new. A later name
/// fills in a missing one but never erases it.
pub fn upsert_component(
    conn: &Connection,
    dossier_id: i64,
    code: &str,
    name: Option<&str>,
) -> Result<bool> {
    let n = conn.execute(
        "INSERT INTO components (dossier_id, code, name) VALUES (?1, ?2, ?3)
         ON CONFLICT (dossier_id, code) DO UPDATE SET name = COALESCE(excluded.name, components.name)
         WHERE components.name IS NOT excluded.name AND excluded.name IS NOT NULL",
        params![dossier_id, code, name],
    )?;
    Ok(n > 0)
}

pub fn components(conn: &Connection, dossier_id: i64) -> Result<Vec<(String, Option<String>)>> {
    let mut stmt = conn
        .prepare_cached("SELECT code, name FROM components WHERE dossier_id = ?1 ORDER BY code")?;
    let rows = stmt.query_map([dossier_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every dossier id with its code, in code order.
pub fn all_codes(conn: &Connection) -> Result<Vec<(i64, String)>> {
    let mut stmt = conn.prepare("SELECT id, code FROM dossiers ORDER BY code")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// What the dossier list asks for.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Free text: code, applicant name or CCCD, any accents, any part.
    pub text: Option<String>,
    pub status: Option<String>,
    pub has_open_findings: Option<bool>,
    /// Inclusive dates, `YYYY-MM-DD`, compared with the reception date.
    pub received_from: Option<String>,
    pub received_to: Option<String>,
    pub offset: u32,
    pub limit: u32,
}

/// A folded free-text query, split into terms.
///
/// Trigram tokens need three characters: longer terms go to the FTS5 index,
/// shorter ones are substring checks on the same table.
struct TextQuery {
    long: Vec<String>,
    short: Vec<String>,
}

/// Above this many matches a text query counts as broad: its page is read by
/// walking the reception-date index and checking each row (stops after one
/// page), instead of materialising every match and sorting it.
const BROAD: i64 = 2_000;

impl TextQuery {
    fn parse(text: &str) -> Option<TextQuery> {
        let folded = fold(text);
        let (long, short): (Vec<String>, Vec<String>) = folded
            .split_whitespace()
            .map(str::to_owned)
            .partition(|t| t.chars().count() >= 3);
        (!long.is_empty() || !short.is_empty()).then_some(TextQuery { long, short })
    }

    /// Conditions on `dossier_search` (aliased `s`) that select the matches
    /// through the trigram index.
    fn indexed(&self, args: &mut Vec<Value>) -> String {
        let mut parts = Vec::new();
        if !self.long.is_empty() {
            let phrase: Vec<String> = self
                .long
                .iter()
                .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
                .collect();
            args.push(Value::Text(phrase.join(" AND ")));
            parts.push("s.folded MATCH ?".to_string());
        }
        for t in &self.short {
            args.push(Value::Text(t.clone()));
            parts.push("instr(s.folded, ?) > 0".to_string());
        }
        parts.join(" AND ")
    }

    /// The same test as plain substring checks on one row `s`, for the
    /// walk along the date index.
    fn per_row(&self, args: &mut Vec<Value>) -> String {
        let mut parts = Vec::new();
        for t in self.long.iter().chain(&self.short) {
            args.push(Value::Text(t.clone()));
            parts.push("instr(s.folded, ?) > 0".to_string());
        }
        parts.join(" AND ")
    }
}

/// One page of the dossier list, newest reception first, and the total count.
///
/// Free text is planned by how many dossiers it matches: the count comes from
/// the search table alone (every dossier has one row there), a selective query
/// then reads its few matches through the index, and a broad one ("n",
/// "000.00") walks the date index and stops after one page. Either way a
/// keystroke costs one count and one short read.
pub fn search(conn: &Connection, q: &Query) -> Result<(u64, Vec<DossierRow>)> {
    let text = q.text.as_deref().and_then(TextQuery::parse);
    let mut conds = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if let Some(s) = &q.status {
        conds.push("d.status = ?".to_string());
        args.push(Value::Text(s.clone()));
    }
    if let Some(from) = &q.received_from {
        conds.push("d.received_at >= ?".to_string());
        args.push(Value::Text(from.clone()));
    }
    if let Some(to) = &q.received_to {
        // Inclusive: anything on that day sorts below the next character.
        conds.push("d.received_at < ?".to_string());
        args.push(Value::Text(format!("{to}~")));
    }
    if let Some(open) = q.has_open_findings {
        let exists = "EXISTS (SELECT 1 FROM findings f WHERE f.dossier_id = d.id AND f.status = 'open' AND f.kind != 'byte_identical')";
        conds.push(if open {
            exists.to_string()
        } else {
            format!("NOT {exists}")
        });
    }
    let only_text = conds.is_empty();

    let mut broad = false;
    let mut text_total = None;
    if let Some(text) = &text {
        let mut targs = Vec::new();
        let cond = text.indexed(&mut targs);
        let matches: i64 = conn.query_row(
            &format!("SELECT COUNT(*) FROM dossier_search s WHERE {cond}"),
            params_from_iter(targs.iter()),
            |r| r.get(0),
        )?;
        broad = matches > BROAD;
        if only_text {
            text_total = Some(matches);
        }
        let mut targs = Vec::new();
        let cond = if broad {
            format!(
                "EXISTS (SELECT 1 FROM dossier_search s WHERE s.rowid = d.id AND {})",
                text.per_row(&mut targs)
            )
        } else {
            format!(
                "d.id IN (SELECT s.rowid FROM dossier_search s WHERE {})",
                text.indexed(&mut targs)
            )
        };
        conds.insert(0, cond);
        targs.append(&mut args);
        args = targs;
    }
    let filter = if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    };
    let total: i64 = match text_total {
        Some(n) => n,
        None => conn.query_row(
            &format!("SELECT COUNT(*) FROM dossiers d {filter}"),
            params_from_iter(args.iter()),
            |r| r.get(0),
        )?,
    };
    let limit = if q.limit == 0 { 100 } else { q.limit.min(1000) };
    // A broad query must walk the date index, not sort its matches.
    let source = if broad {
        "dossiers d INDEXED BY dossiers_received"
    } else {
        "dossiers d"
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM {source} {filter} ORDER BY d.received_at DESC, d.id DESC LIMIT {limit} OFFSET {}",
        q.offset
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt
        .query_map(params_from_iter(args.iter()), row)?
        .collect::<Result<_, _>>()?;
    Ok((total as u64, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(code: &str, name: &str, cccd: &str, day: &str) -> DossierRecord {
        DossierRecord {
            code: code.into(),
            code_check: "valid".into(),
            applicant_name: Some(name.into()),
            applicant_id: Some(cccd.into()),
            received_at: Some(format!("{day}T08:00:00+07:00")),
            status: Some("received".into()),
            ..Default::default()
        }
    }

    fn codes(conn: &Connection, q: Query) -> Vec<String> {
        search(conn, &q)
            .unwrap()
            .1
            .into_iter()
            .map(|d| d.record.code)
            .collect()
    }

    #[test]
    fn upsert_reports_changes_and_keeps_identical_rows() {
        let conn = crate::open_in_memory().unwrap();
        let r = rec(
            "000.00.38.H38-221125-0001",
            "Nguyễn Văn Đức",
            "080123456789",
            "2022-11-25",
        );
        assert!(matches!(upsert(&conn, &r, "t1").unwrap(), Upsert::Added(_)));
        assert!(matches!(
            upsert(&conn, &r, "t2").unwrap(),
            Upsert::Unchanged(_)
        ));
        assert_eq!(get(&conn, &r.code).unwrap().unwrap().updated_at, "t1");
        let id = get(&conn, &r.code).unwrap().unwrap().id;
        let mut r2 = r.clone();
        r2.status = Some("processing".into());
        r2.applicant_name = Some("Trần Thị Bình".into());
        assert!(matches!(
            upsert(&conn, &r2, "t3").unwrap(),
            Upsert::Updated(same) if same == id
        ));
        let (created, updated): (String, String) = conn
            .query_row(
                "SELECT created_at, updated_at FROM dossiers WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((created.as_str(), updated.as_str()), ("t1", "t3"));
        let by = |text: &str| {
            codes(
                &conn,
                Query {
                    text: Some(text.into()),
                    ..Default::default()
                },
            )
        };
        assert_eq!(by("tran thi binh"), vec![r.code.clone()]);
        assert!(
            by("nguyen van duc").is_empty(),
            "the old name left the index"
        );
        assert_eq!(
            get(&conn, &r.code)
                .unwrap()
                .unwrap()
                .record
                .status
                .as_deref(),
            Some("processing")
        );
    }

    #[test]
    fn search_folds_diacritics_and_d() {
        let conn = crate::open_in_memory().unwrap();
        upsert(
            &conn,
            &rec(
                "000.00.38.H38-221125-0001",
                "Nguyễn Văn Đức",
                "080123456789",
                "2022-11-25",
            ),
            "t",
        )
        .unwrap();
        upsert(
            &conn,
            &rec(
                "000.00.38.H38-221126-0002",
                "Trần Thị Hương",
                "079987654321",
                "2022-11-26",
            ),
            "t",
        )
        .unwrap();
        let q = |t: &str| Query {
            text: Some(t.into()),
            ..Default::default()
        };
        assert_eq!(
            codes(&conn, q("nguyen van duc")),
            vec!["000.00.38.H38-221125-0001"]
        );
        assert_eq!(codes(&conn, q("ĐỨC")), vec!["000.00.38.H38-221125-0001"]);
        assert_eq!(codes(&conn, q("huong")), vec!["000.00.38.H38-221126-0002"]);
        assert_eq!(
            codes(&conn, q("221126-00")),
            vec!["000.00.38.H38-221126-0002"]
        );
        assert_eq!(
            codes(&conn, q("0799876")),
            vec!["000.00.38.H38-221126-0002"]
        );
        assert!(codes(&conn, q("le van tam")).is_empty());
        // Short terms still filter.
        assert_eq!(codes(&conn, q("thi h")), vec!["000.00.38.H38-221126-0002"]);
        // Dates are inclusive and newest comes first.
        let all = codes(&conn, Query::default());
        assert_eq!(
            all,
            vec!["000.00.38.H38-221126-0002", "000.00.38.H38-221125-0001"]
        );
        let day = Query {
            received_from: Some("2022-11-25".into()),
            received_to: Some("2022-11-25".into()),
            ..Default::default()
        };
        assert_eq!(codes(&conn, day), vec!["000.00.38.H38-221125-0001"]);
    }

    /// A broad query (more matches than [`BROAD`]) is read along the date
    /// index; it must give the same rows, order, pages and totals as a
    /// selective one would.
    #[test]
    fn broad_and_selective_queries_agree() {
        let conn = crate::open_in_memory().unwrap();
        let names = ["Nguyễn Văn Đức", "Trần Thị Hương", "Lê Minh Tâm"];
        conn.execute_batch("BEGIN").unwrap();
        for i in 0..3000u32 {
            let day = format!("2023-{:02}-{:02}", 1 + i % 12, 1 + i % 28);
            let code = format!("000.00.38.H38-230101-{i:04}");
            let cccd = format!("0{:011}", 79_000_000_000u64 + u64::from(i));
            upsert(&conn, &rec(&code, names[i as usize % 3], &cccd, &day), "t").unwrap();
        }
        conn.execute_batch("COMMIT").unwrap();
        let page = |t: &str, offset: u32| {
            search(
                &conn,
                &Query {
                    text: Some(t.into()),
                    offset,
                    limit: 50,
                    ..Default::default()
                },
            )
            .unwrap()
        };
        // Broad: every dossier matches "h38"; one in three is a Nguyễn.
        let (total, rows) = page("h38", 0);
        assert_eq!(total, 3000);
        let (all_total, all_rows) = search(
            &conn,
            &Query {
                limit: 50,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(all_total, 3000);
        let ids = |rows: &[DossierRow]| rows.iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(ids(&rows), ids(&all_rows), "same order as the plain list");
        let (total, rows) = page("nguyen", 100);
        assert_eq!(total, 1000);
        assert_eq!(rows.len(), 50);
        assert!(rows
            .iter()
            .all(|r| r.record.applicant_name.as_deref() == Some("Nguyễn Văn Đức")));
        let dates: Vec<_> = rows.iter().map(|r| r.record.received_at.clone()).collect();
        let mut sorted = dates.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(dates, sorted, "newest first");
        // Short terms alone are broad too.
        let (total, _) = page("n", 0);
        assert_eq!(total, 3000, "every name has an n");
        let (total, rows) = page("d", 0);
        assert_eq!(total, 1000, "only Đức folds to a d");
        assert!(rows
            .iter()
            .all(|r| r.record.applicant_name.as_deref() == Some("Nguyễn Văn Đức")));
        // Selective: one CCCD.
        let (total, rows) = page("079000002999", 0);
        assert_eq!(total, 1);
        assert_eq!(rows[0].record.code, "000.00.38.H38-230101-2999");
        // Broad text with another filter counts through the join.
        let (total, _) = search(
            &conn,
            &Query {
                text: Some("h38".into()),
                received_from: Some("2023-12-01".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(total, 250);
    }

    #[test]
    fn components_keep_their_names() {
        let conn = crate::open_in_memory().unwrap();
        let id = ensure(&conn, "X-1", "odd_shape", "t").unwrap();
        assert_eq!(ensure(&conn, "X-1", "odd_shape", "t").unwrap(), id);
        assert!(upsert_component(&conn, id, "TP1", Some("Đơn đăng ký")).unwrap());
        upsert_component(&conn, id, "TP1", None).unwrap();
        assert_eq!(
            components(&conn, id).unwrap(),
            vec![("TP1".to_string(), Some("Đơn đăng ký".to_string()))]
        );
    }
}
