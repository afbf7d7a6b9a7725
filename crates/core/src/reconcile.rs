//! Reconciliation: for each component of a dossier, the latest paper copy
//! against the latest electronic copy, with what differs stored as findings.
//!
//! The comparison itself (pairing, registration, ink maps, OCR) is
//! `doisoat-compare`'s; this module decides what to compare and turns the
//! result into findings. Comparing runs without holding the database lock.

use std::path::Path;

use serde::Serialize;

use doisoat_compare::{Comparison, Options, PairStatus, Verdict};
use doisoat_db::{copies, dossiers, findings, reconciliations};
use doisoat_domain::{FindingKind, FindingStatus, Side};
use doisoat_hashing::{hash_file, Sha256Digest};

use crate::{
    ComponentStatus, CopyView, CoreError, Finding, Job, Office, Progress, ReconcileReport, Result,
};

/// `doisoat compare`'s result, in the shape of `contracts/compare.md`.
#[derive(Debug, Clone, Serialize)]
pub struct CompareReport {
    pub verdict: Verdict,
    pub paper: CompareFile,
    pub electronic: CompareFile,
    pub pages: Vec<doisoat_compare::PairResult>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<doisoat_compare::Note>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CompareFile {
    pub file: String,
    pub sha256: String,
    pub pages: usize,
}

fn open_side(path: &Path) -> Result<(doisoat_pages::Document, CompareFile)> {
    let doc = doisoat_pages::open(path).map_err(|e| CoreError::file(path, e))?;
    let (digest, _) =
        hash_file(path).map_err(|e| CoreError::file(path, doisoat_pages::PagesError::Io(e)))?;
    let file = CompareFile {
        file: path.display().to_string(),
        sha256: digest.to_hex(),
        pages: doc.page_count(),
    };
    Ok((doc, file))
}

fn compare_docs(
    paper: (&Path, &doisoat_pages::Document),
    electronic: (&Path, &doisoat_pages::Document),
    job: &Job,
) -> Result<Comparison> {
    let keep_going = |_: usize, _: usize| !job.is_cancelled();
    // OCR runs only where the pixels point: it names the changed text,
    // settles borderline pairs, and reads the few weakest suspects of a
    // scanned pair that showed no change (a tone mark swapped in place).
    let opts = Options {
        ocr: true,
        ..Options::default()
    };
    doisoat_compare::compare_with(paper.1, electronic.1, &opts, &keep_going).map_err(|e| match e {
        doisoat_compare::CompareError::Page { side, source, .. } => {
            let path = if side == doisoat_compare::Side::Paper {
                paper.0
            } else {
                electronic.0
            };
            CoreError::file(path, source)
        }
        doisoat_compare::CompareError::Cancelled => CoreError::Cancelled,
        other => CoreError::Compare(other.to_string()),
    })
}

/// Compares two files directly, without storing anything.
pub fn compare_files(paper: &Path, electronic: &Path, job: &Job) -> Result<CompareReport> {
    let (pdoc, pfile) = open_side(paper)?;
    let (edoc, efile) = open_side(electronic)?;
    let c = compare_docs((paper, &pdoc), (electronic, &edoc), job)?;
    Ok(CompareReport {
        verdict: c.verdict,
        paper: pfile,
        electronic: efile,
        pages: c.pages,
        notes: c.notes,
    })
}

pub(crate) fn run(office: &Office, dossier: Option<&str>, job: &Job) -> Result<ReconcileReport> {
    let targets: Vec<(i64, String)> = {
        let conn = office.conn();
        match dossier {
            Some(code) => {
                let code = code.trim();
                let row = dossiers::find(&conn, code)?
                    .ok_or_else(|| CoreError::DossierNotFound(code.to_string()))?;
                vec![(row.id, row.record.code)]
            }
            None => dossiers::all_codes(&conn)?,
        }
    };
    let mut report = ReconcileReport {
        dossiers: 0,
        components: 0,
        findings: Vec::new(),
        cancelled: false,
    };
    let total = targets.len() as u64;
    for (i, (id, code)) in targets.iter().enumerate() {
        if job.is_cancelled() {
            report.cancelled = true;
            break;
        }
        job.report(&Progress {
            stage: "reconcile".into(),
            done: i as u64,
            total,
            item: Some(code.clone()),
            pages: 0,
        });
        match reconcile_dossier(office, *id, job) {
            Ok(n) => report.components += n,
            Err(CoreError::Cancelled) => {
                report.cancelled = true;
                break;
            }
            Err(e) => return Err(e),
        }
        report.dossiers += 1;
    }
    job.report(&Progress {
        stage: "reconcile".into(),
        done: report.dossiers as u64,
        total,
        item: None,
        pages: 0,
    });
    let conn = office.conn();
    for (_, code) in targets.iter().take(report.dossiers as usize) {
        let rows = findings::list(
            &conn,
            &findings::Filter {
                dossier_code: Some(code.clone()),
                ..Default::default()
            },
        )?;
        report.findings.extend(rows.iter().map(Finding::from));
    }
    Ok(report)
}

/// Reconciles every component of one dossier; returns how many it looked at.
fn reconcile_dossier(office: &Office, dossier_id: i64, job: &Job) -> Result<u32> {
    let (components, all) = {
        let conn = office.conn();
        (
            dossiers::components(&conn, dossier_id)?,
            copies::of_dossier(&conn, dossier_id)?,
        )
    };
    let mut codes: Vec<String> = components.into_iter().map(|(c, _)| c).collect();
    for c in all.iter().filter_map(|c| c.component_code.clone()) {
        if !codes.contains(&c) {
            codes.push(c);
        }
    }
    let mut n = 0;
    for comp in &codes {
        let latest = |side: Side| {
            all.iter()
                .rfind(|c| c.side == side && c.component_code.as_deref() == Some(comp))
        };
        let (paper, electronic) = (latest(Side::Paper), latest(Side::Electronic));
        if paper.is_none() && electronic.is_none() {
            continue;
        }
        let (found, verdict, notes) = findings_for(office, comp, paper, electronic, job)?;
        let conn = office.conn();
        let now = office.now();
        findings::replace_for_component(&conn, dossier_id, comp, &found, &now)?;
        reconciliations::record(
            &conn,
            dossier_id,
            &reconciliations::Reconciliation {
                component_code: comp.clone(),
                paper_sha256: paper.map(|c| c.sha256.clone()),
                electronic_sha256: electronic.map(|c| c.sha256.clone()),
                verdict: verdict.into(),
                at: now,
                notes,
            },
        )?;
        n += 1;
    }
    Ok(n)
}

fn base(
    comp: &str,
    kind: FindingKind,
    paper: Option<&copies::CopyRow>,
    electronic: Option<&copies::CopyRow>,
) -> findings::NewFinding {
    findings::NewFinding {
        component_code: comp.to_string(),
        kind,
        identity: format!(
            "{}:{}:{}",
            kind.as_str(),
            paper.map(|c| c.sha256.as_str()).unwrap_or("-"),
            electronic.map(|c| c.sha256.as_str()).unwrap_or("-")
        ),
        paper_sha256: paper.map(|c| c.sha256.clone()),
        electronic_sha256: electronic.map(|c| c.sha256.clone()),
        paper_page: None,
        electronic_page: None,
        similarity: None,
        detail: serde_json::json!({}),
    }
}

fn findings_for(
    office: &Office,
    comp: &str,
    paper: Option<&copies::CopyRow>,
    electronic: Option<&copies::CopyRow>,
    job: &Job,
) -> Result<(Vec<findings::NewFinding>, &'static str, Vec<String>)> {
    let (p, e) = match (paper, electronic) {
        (None, Some(_)) => {
            return Ok((
                vec![base(comp, FindingKind::PaperMissing, paper, electronic)],
                "paper_missing",
                Vec::new(),
            ))
        }
        (Some(_), None) => {
            return Ok((
                vec![base(
                    comp,
                    FindingKind::ElectronicMissing,
                    paper,
                    electronic,
                )],
                "electronic_missing",
                Vec::new(),
            ))
        }
        (Some(p), Some(e)) => (p, e),
        (None, None) => return Ok((Vec::new(), "match", Vec::new())),
    };
    if p.sha256 == e.sha256 {
        return Ok((
            vec![base(comp, FindingKind::ByteIdentical, paper, electronic)],
            "match",
            Vec::new(),
        ));
    }
    let path_of = |sha: &str| -> Result<std::path::PathBuf> {
        let d: Sha256Digest = sha
            .parse()
            .map_err(|_| CoreError::InvalidArgument(format!("bad digest {sha}")))?;
        Ok(office.store().path_of(&d))
    };
    let (pp, ep) = (path_of(&p.sha256)?, path_of(&e.sha256)?);
    let pdoc = doisoat_pages::open(&pp).map_err(|err| CoreError::file(&pp, err))?;
    let edoc = doisoat_pages::open(&ep).map_err(|err| CoreError::file(&ep, err))?;
    let c = compare_docs((&pp, &pdoc), (&ep, &edoc), job)?;

    let mut out = Vec::new();
    if p.page_count != e.page_count {
        let mut f = base(comp, FindingKind::PageCountDiffers, paper, electronic);
        f.detail =
            serde_json::json!({"paper_pages": p.page_count, "electronic_pages": e.page_count});
        out.push(f);
    }
    for pair in &c.pages {
        let kind = match pair.status {
            PairStatus::Same => continue,
            PairStatus::Different => FindingKind::PageDiffers,
            PairStatus::MissingFromPaper | PairStatus::MissingFromElectronic => {
                FindingKind::PageUnpaired
            }
        };
        let mut f = base(comp, kind, paper, electronic);
        f.identity = format!(
            "{}:{}:{}:{}:{}",
            kind.as_str(),
            p.sha256,
            pair.paper_page.map(|n| n.to_string()).unwrap_or_default(),
            e.sha256,
            pair.electronic_page
                .map(|n| n.to_string())
                .unwrap_or_default()
        );
        f.paper_page = pair.paper_page;
        f.electronic_page = pair.electronic_page;
        f.similarity = pair.similarity;
        let notes: Vec<String> = c
            .notes
            .iter()
            .filter(|n| {
                (n.side == doisoat_compare::Side::Paper && Some(n.page) == pair.paper_page)
                    || (n.side == doisoat_compare::Side::Electronic
                        && Some(n.page) == pair.electronic_page)
            })
            .map(note_kind)
            .collect();
        f.detail = serde_json::json!({"regions": pair.regions, "text": pair.text, "notes": notes});
        out.push(f);
    }
    let verdict = if c.verdict == Verdict::Match && out.is_empty() {
        "match"
    } else {
        "mismatch"
    };
    // Every note of the comparison, each kind once, for the component: a
    // match has no finding to carry them.
    let mut notes: Vec<String> = Vec::new();
    for kind in c.notes.iter().map(note_kind) {
        if !notes.contains(&kind) {
            notes.push(kind);
        }
    }
    Ok((out, verdict, notes))
}

/// A comparison note's kind as its JSON name (`red_ink_ignored`, …).
fn note_kind(n: &doisoat_compare::Note) -> String {
    serde_json::to_value(n.kind)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// The badge of a component, from its copies and its findings.
pub(crate) fn component_status(
    paper: &[CopyView],
    electronic: &[CopyView],
    found: &[&findings::FindingRow],
    last: Option<&reconciliations::Reconciliation>,
) -> ComponentStatus {
    match (paper.last(), electronic.last()) {
        (None, None) => ComponentStatus::Empty,
        (None, Some(_)) => ComponentStatus::PaperMissing,
        (Some(_), None) => ComponentStatus::ElectronicMissing,
        (Some(p), Some(e)) => {
            let current = last.is_some_and(|r| {
                r.paper_sha256.as_deref() == Some(p.sha256.as_str())
                    && r.electronic_sha256.as_deref() == Some(e.sha256.as_str())
            });
            if !current {
                ComponentStatus::Unchecked
            } else if found
                .iter()
                .any(|f| f.status == FindingStatus::Open && f.finding.kind.is_problem())
            {
                ComponentStatus::Differs
            } else {
                ComponentStatus::Agrees
            }
        }
    }
}
