//! Dossiers in and out of BagIt bags, backup and restore of the data folder,
//! and the paced fixity pass with per-file history.
//!
//! A doisoat bag holds, per dossier `CODE`:
//! - `data/CODE/dossier.json`: the record, components and copies;
//! - `data/CODE/{paper,electronic}/COMPONENT/NAME`: the original files
//!   (`_unassigned` when a copy has no component);
//! - `data/CODE/derived/SHA256/page-NNN.jpg`: the page thumbnails.
//!
//! Importing validates the whole bag first (see `doisoat_archive::bagit`),
//! then adds what is new. A dossier held here in a different version is
//! kept as it is, the incoming version is stored as a conflict for a person
//! to decide, and files are content-addressed, so both versions of a copy
//! stay. A bag without `dossier.json` files (e.g. made by bagit.py) is
//! ingested file by file, the dossier taken from the path or file name.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{json, Map, Value};

use doisoat_archive::bagit::{self, BagFormat, PayloadEntry, PayloadSource};
use doisoat_archive::fixity::Read as FixityRead;
use doisoat_db::dossiers::{self, DossierRecord};
use doisoat_db::{copies, files, fixity};
use doisoat_domain::{text::nfc, Side};
use doisoat_hashing::Sha256Digest;
use doisoat_ingest::{Context, Request};
use doisoat_store::{ObjectState, StoreError};

use crate::auth::Action;
use crate::{CoreError, Job, Office, Progress, Result, VerifyReport};

/// Options of an export.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BagExportOptions {
    /// The sending office, for bag-info's Source-Organization.
    pub source_organization: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BagExportReport {
    pub path: String,
    pub dossiers: Vec<String>,
    pub files: u64,
    pub bytes: u64,
    pub payload_oxum: String,
}

/// A dossier version that differs from the one held here.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExchangeConflict {
    pub dossier: String,
    /// `record` or `copy`.
    pub what: String,
    pub held: String,
    pub incoming: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BagImportReport {
    pub bag: String,
    pub files: u64,
    pub bytes: u64,
    pub dossiers_added: u64,
    pub files_stored: u64,
    pub links_added: u64,
    pub conflicts: Vec<ExchangeConflict>,
    /// Nothing was new: the bag had been imported before.
    pub unchanged: bool,
    /// Files that could not be read as pages (kept out, like a bad scan).
    pub failed: Vec<String>,
}

/// Files whose results one transaction records in a fixity pass.
pub const FIXITY_BATCH: usize = 512;
/// Bytes read after which a fixity pass records what it has, however few
/// files that is.
pub const FIXITY_BATCH_BYTES: u64 = 1 << 30;

/// How a fixity pass runs.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FixityOptions {
    /// Verify at most this many files (the oldest-verified first). A pass
    /// with a limit does not list untracked files.
    pub max_files: Option<u64>,
    /// Read at most this many bytes per second (none: as fast as the disk).
    pub bytes_per_sec: Option<u64>,
}

/// One verification of one file.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FixityCheck {
    pub at: String,
    pub result: String,
    pub actual: Option<String>,
}

fn dossier_json(rec: &DossierRecord) -> Value {
    json!({
        "code": rec.code,
        "code_check": rec.code_check,
        "procedure_code": rec.procedure_code,
        "receipt_no": rec.receipt_no,
        "received_at": rec.received_at,
        "applicant_name": rec.applicant_name,
        "applicant_id": rec.applicant_id,
        "status": rec.status,
        "extra": rec.extra,
    })
}

fn record_from_json(v: &Value) -> Option<DossierRecord> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(nfc);
    Some(DossierRecord {
        code: s("code")?,
        code_check: s("code_check").unwrap_or_else(|| "odd_shape".into()),
        procedure_code: s("procedure_code"),
        receipt_no: s("receipt_no"),
        received_at: s("received_at"),
        applicant_name: s("applicant_name"),
        applicant_id: s("applicant_id"),
        status: s("status"),
        extra: v
            .get("extra")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_else(Map::new),
    })
}

/// A path part that is safe and readable in a bag (no '/', NFC).
fn part(s: &str) -> String {
    let t: String = nfc(s)
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    match t.trim() {
        "" | "." | ".." => "_".into(),
        t => t.to_string(),
    }
}

impl Office {
    /// Writes the dossiers `codes` as one bag at `dest` (a folder, or a
    /// `.tar`/`.zip` file by extension).
    pub fn export_bag(
        &self,
        codes: &[String],
        dest: &Path,
        opts: &BagExportOptions,
    ) -> Result<BagExportReport> {
        let subject = codes.join(" ");
        self.require(Action::ExportBag, &subject)?;
        if codes.is_empty() {
            return Err(CoreError::InvalidArgument(
                "name at least one dossier to export".into(),
            ));
        }
        let mut entries = Vec::new();
        let mut info: Vec<(String, String)> = vec![
            (
                "Source-Organization".into(),
                opts.source_organization
                    .clone()
                    .unwrap_or_else(|| "doisoat".into()),
            ),
            ("Bagging-Date".into(), self.now()[..10].to_string()),
            (
                "Bag-Software-Agent".into(),
                format!("doisoat {}", env!("CARGO_PKG_VERSION")),
            ),
            ("Doisoat-Exported-At".into(), self.now()),
        ];
        // Objects whose bytes must still hash to their names once written.
        let mut expected: Vec<Option<String>> = Vec::new();
        let mut exported = Vec::new();
        {
            let conn = self.conn();
            for code in codes {
                let code = code.trim();
                let row = dossiers::find(&conn, code)?
                    .ok_or_else(|| CoreError::DossierNotFound(code.to_string()))?;
                let code = row.record.code.clone();
                let dir = part(&code);
                let comps = dossiers::components(&conn, row.id)?;
                let mut names = BTreeSet::new();
                let mut copies_json = Vec::new();
                for c in copies::of_dossier(&conn, row.id)? {
                    let comp = c
                        .component_code
                        .as_deref()
                        .map(part)
                        .unwrap_or_else(|| "_unassigned".into());
                    let mut name = part(&c.original_name);
                    let mut rel = format!("{dir}/{}/{comp}/{name}", c.side.as_str());
                    if !names.insert(rel.clone()) {
                        name = format!("{}-{name}", &c.sha256[..12]);
                        rel = format!("{dir}/{}/{comp}/{name}", c.side.as_str());
                        names.insert(rel.clone());
                    }
                    let digest: Sha256Digest = c.sha256.parse().map_err(|_| {
                        CoreError::InvalidArgument(format!(
                            "stored file {} has a malformed name",
                            c.sha256
                        ))
                    })?;
                    let path = self.store().path_of(&digest);
                    entries.push(PayloadEntry {
                        path: rel.clone(),
                        source: match files::sha512(&conn, &c.sha256)? {
                            Some(sha512) => PayloadSource::Recorded { path, sha512 },
                            None => PayloadSource::File(path),
                        },
                    });
                    expected.push(Some(c.sha256.clone()));
                    for p in files::pages(&conn, &c.sha256)? {
                        let thumb = format!("{dir}/derived/{}/page-{:03}.jpg", c.sha256, p.page_no);
                        if names.insert(thumb.clone()) {
                            entries.push(PayloadEntry {
                                path: thumb,
                                source: PayloadSource::Bytes(p.thumbnail),
                            });
                            expected.push(None);
                        }
                    }
                    copies_json.push(json!({
                        "sha256": c.sha256,
                        "side": c.side.as_str(),
                        "component": c.component_code,
                        "name": nfc(&c.original_name),
                        "path": format!("data/{rel}"),
                        "size": c.size,
                        "pages": c.page_count,
                        "created_at": c.created_at,
                    }));
                }
                let mut meta = dossier_json(&row.record);
                meta["components"] = comps
                    .iter()
                    .map(|(c, n)| json!({"code": c, "name": n}))
                    .collect();
                meta["copies"] = Value::Array(copies_json);
                meta["created_at"] = json!(row.created_at);
                meta["updated_at"] = json!(row.updated_at);
                let bytes = serde_json::to_vec_pretty(&meta)
                    .map_err(|e| CoreError::InvalidArgument(e.to_string()))?;
                entries.push(PayloadEntry {
                    path: format!("{dir}/dossier.json"),
                    source: PayloadSource::Bytes(bytes),
                });
                expected.push(None);
                info.push(("External-Identifier".into(), code.clone()));
                info.push((
                    "Doisoat-Dossier".into(),
                    dossier_json(&row.record).to_string(),
                ));
                if let Some(r) = &row.record.received_at {
                    info.push(("Doisoat-Received".into(), format!("{code} {r}")));
                }
                exported.push(code);
            }
        }
        let written = bagit::write_bag(dest, BagFormat::from_path(dest), &entries, &info)
            .map_err(CoreError::Bag)?;
        // Never launder damage: every original must still hash to its name.
        // (A recorded SHA-512 is only valid for those bytes: this check
        // covers it too.)
        for (sum, want) in written.sha256s.iter().zip(&expected) {
            if let Some(want) = want {
                if sum != want {
                    let _ = if dest.is_dir() {
                        std::fs::remove_dir_all(dest)
                    } else {
                        std::fs::remove_file(dest)
                    };
                    return Err(CoreError::InvalidArgument(format!(
                        "stored file {want} is damaged (it now hashes to {sum}); run `doisoat verify`; nothing was exported"
                    )));
                }
            }
        }
        // SHA-512s computed for this bag, from bytes that matched their names,
        // spare the next export of the same files.
        {
            let conn = self.conn();
            let tx = conn
                .unchecked_transaction()
                .map_err(doisoat_db::DbError::from)?;
            for ((sha512, want), entry) in written.sha512s.iter().zip(&expected).zip(&entries) {
                // Originals whose SHA-512 came from the database need nothing.
                if let (Some(sha256), PayloadSource::File(_)) = (want, &entry.source) {
                    files::record_sha512(&tx, sha256, sha512)?;
                }
            }
            tx.commit().map_err(doisoat_db::DbError::from)?;
        }
        for code in &exported {
            self.audit(
                "export",
                code,
                None,
                Some(json!({"bag": dest.display().to_string(), "oxum": written.payload_oxum})),
            )?;
        }
        Ok(BagExportReport {
            path: dest.display().to_string(),
            dossiers: exported,
            files: written.files,
            bytes: written.bytes,
            payload_oxum: written.payload_oxum,
        })
    }

    fn counts(&self) -> Result<[i64; 5]> {
        let conn = self.conn();
        let mut out = [0; 5];
        for (i, t) in [
            "dossiers",
            "components",
            "copies",
            "files",
            "exchange_conflicts",
        ]
        .iter()
        .enumerate()
        {
            out[i] = conn
                .query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))
                .map_err(doisoat_db::DbError::from)?;
        }
        Ok(out)
    }

    /// Validates the bag at `path` completely, then brings in what is new.
    pub fn import_bag(&self, path: &Path, job: &Job) -> Result<BagImportReport> {
        let subject = path.display().to_string();
        self.require(Action::ImportBag, &subject)?;
        let bag = bagit::validate(path, &std::env::temp_dir()).map_err(CoreError::Bag)?;
        let before = self.counts()?;
        let mut report = BagImportReport {
            bag: bag.name.clone(),
            files: bag.files.len() as u64,
            bytes: bag.bytes,
            dossiers_added: 0,
            files_stored: 0,
            links_added: 0,
            conflicts: Vec::new(),
            unchanged: false,
            failed: Vec::new(),
        };

        // Dossier records first, from data/CODE/dossier.json.
        let mut described: BTreeMap<String, Value> = BTreeMap::new();
        for f in &bag.files {
            let parts: Vec<&str> = f.path.split('/').collect();
            if parts.len() == 3 && parts[2] == "dossier.json" {
                let bytes = std::fs::read(&f.local).map_err(|e| CoreError::BadImport {
                    path: f.local.clone(),
                    reason: e.to_string(),
                })?;
                let v: Value =
                    serde_json::from_slice(&bytes).map_err(|e| CoreError::BadImport {
                        path: PathBuf::from(&f.path),
                        reason: e.to_string(),
                    })?;
                described.insert(parts[1].to_string(), v);
            }
        }
        let now = self.now();
        for v in described.values() {
            let Some(incoming) = record_from_json(v) else {
                continue;
            };
            let conn = self.conn();
            let tx = conn
                .unchecked_transaction()
                .map_err(doisoat_db::DbError::from)?;
            match dossiers::get(&tx, &incoming.code)? {
                None => {
                    dossiers::upsert(&tx, &incoming, &now)?;
                    report.dossiers_added += 1;
                }
                Some(held) if held.record == incoming => {}
                Some(held) => {
                    let c = ExchangeConflict {
                        dossier: incoming.code.clone(),
                        what: "record".into(),
                        held: dossier_json(&held.record).to_string(),
                        incoming: dossier_json(&incoming).to_string(),
                    };
                    record_conflict(&tx, &c, &bag.name, &now)?;
                    report.conflicts.push(c);
                }
            }
            let id = dossiers::id_of(&tx, &incoming.code)?.expect("present after upsert");
            for c in v
                .get("components")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(code) = c.get("code").and_then(Value::as_str) {
                    dossiers::upsert_component(
                        &tx,
                        id,
                        code,
                        c.get("name").and_then(Value::as_str),
                    )?;
                }
            }
            tx.commit().map_err(doisoat_db::DbError::from)?;
        }

        // Then the originals. Derived files and dossier.json are not ingested:
        // pages and thumbnails are re-derived from the originals here.
        let originals: Vec<_> = bag
            .files
            .iter()
            .filter_map(|f| {
                let parts: Vec<&str> = f.path.split('/').collect();
                if described.contains_key(parts.get(1).copied().unwrap_or("")) {
                    // data/CODE/SIDE/COMPONENT/NAME
                    let side = Side::parse(parts.get(2)?)?;
                    if parts.len() != 5 {
                        return None;
                    }
                    let comp = (parts[3] != "_unassigned").then(|| parts[3].to_string());
                    Some((
                        f,
                        side,
                        Some(parts[1].to_string()),
                        comp,
                        parts[4].to_string(),
                    ))
                } else {
                    // A foreign bag: the dossier from a path part that looks like a code.
                    let name = parts.last()?.to_string();
                    let code = parts[1..parts.len() - 1]
                        .iter()
                        .find(|p| {
                            doisoat_domain::DossierCode::new(p)
                                .is_some_and(|c| c.check() == doisoat_domain::CodeCheck::Valid)
                        })
                        .map(|s| s.to_string());
                    let side = if parts.contains(&"electronic") {
                        Side::Electronic
                    } else {
                        Side::Paper
                    };
                    Some((f, side, code, None, name))
                }
            })
            .collect();
        let total = originals.len() as u64;
        for (i, (f, side, code, comp, name)) in originals.into_iter().enumerate() {
            if job.is_cancelled() {
                return Err(CoreError::Cancelled);
            }
            // A different file already held as this copy: both stay, and it is reported.
            if let (Some(code), Some(comp)) = (&code, &comp) {
                let conn = self.conn();
                if let Some(id) = dossiers::id_of(&conn, code)? {
                    let held: Vec<_> = copies::of_dossier(&conn, id)?
                        .into_iter()
                        .filter(|c| {
                            c.side == side && c.component_code.as_deref() == Some(comp.as_str())
                        })
                        .collect();
                    if !held.is_empty() && !held.iter().any(|c| c.sha256 == f.sha256) {
                        let c = ExchangeConflict {
                            dossier: code.clone(),
                            what: "copy".into(),
                            held: json!({"side": side.as_str(), "component": comp, "sha256": held.iter().map(|c| &c.sha256).collect::<Vec<_>>()}).to_string(),
                            incoming: json!({"side": side.as_str(), "component": comp, "sha256": f.sha256, "name": name}).to_string(),
                        };
                        record_conflict(&conn, &c, &bag.name, &now)?;
                        report.conflicts.push(c);
                    }
                }
            }
            let cancelled = || job.is_cancelled();
            let on_page = |_p: u32, _n: u32| {};
            let ctx = Context {
                store: self.store(),
                db: &self.db,
                now: now.clone(),
                cancelled: &cancelled,
                on_page: &on_page,
                on_record: None,
            };
            let req = Request {
                path: f.local.clone(),
                side,
                dossier: code.as_deref().and_then(doisoat_domain::DossierCode::new),
                component: comp.clone(),
                portal_file_id: None,
                name: Some(name.clone()),
            };
            match doisoat_ingest::ingest_one(&ctx, &req) {
                Ok(o) => {
                    if !o.duplicate {
                        report.files_stored += 1;
                    }
                    // Validation computed the SHA-512 of these same bytes.
                    if o.sha256 == f.sha256 {
                        files::record_sha512(&self.conn(), &o.sha256, &f.sha512)?;
                    }
                }
                Err(doisoat_ingest::IngestError::Cancelled) => return Err(CoreError::Cancelled),
                Err(e) => {
                    let e = CoreError::from_ingest(&f.local, e);
                    report
                        .failed
                        .push(format!("{}: {}", f.path, e.message(self.lang())));
                }
            }
            job.report(&Progress {
                stage: "bag_import".into(),
                done: i as u64 + 1,
                total,
                item: Some(f.path.clone()),
                pages: 0,
            });
        }
        let after = self.counts()?;
        report.links_added = (after[2] - before[2]).max(0) as u64;
        report.unchanged = before == after;
        if !report.unchanged {
            let subjects: BTreeSet<String> = described.keys().cloned().collect();
            let summary = json!({
                "bag": bag.name, "files_stored": report.files_stored, "links_added": report.links_added,
                "dossiers_added": report.dossiers_added, "conflicts": report.conflicts.len(),
            });
            self.audit("bag_import", &subject, None, Some(summary.clone()))?;
            for code in subjects {
                self.audit("bag_import", &code, None, Some(summary.clone()))?;
            }
        }
        Ok(report)
    }

    /// Re-verifies stored files, oldest verification first, at the pace
    /// asked, recording each result in the file's history.
    ///
    /// The files are read by `doisoat_archive::fixity::read_each` (several
    /// readers unpaced, one paced), while this thread records the results
    /// one transaction per [`FIXITY_BATCH`] files (or [`FIXITY_BATCH_BYTES`]
    /// read, so a paced pass over large files still saves its progress),
    /// and another thread lists the store for untracked files.
    pub fn fixity_pass(&self, opts: &FixityOptions, job: &Job) -> Result<VerifyReport> {
        self.require(Action::Verify, "store")?;
        self.run_fixity_pass(opts, job)
    }

    /// [`Office::fixity_pass`] without the role check: also the office's
    /// own background round ([`Office::fixity_round`]).
    pub(crate) fn run_fixity_pass(&self, opts: &FixityOptions, job: &Job) -> Result<VerifyReport> {
        let due = fixity::due(&self.conn(), opts.max_files)?;
        let total = due.len() as u64;
        let plan = match opts.bytes_per_sec.filter(|b| *b > 0) {
            Some(rate) => doisoat_archive::fixity::ReadPlan::paced(rate),
            None => doisoat_archive::fixity::ReadPlan::full_speed(),
        };
        // A name that is not a digest cannot match any bytes: no path.
        let wanted: Vec<Option<Sha256Digest>> = due.iter().map(|d| d.sha256.parse().ok()).collect();
        let paths: Vec<PathBuf> = wanted
            .iter()
            .map(|w| w.map(|d| self.store().path_of(&d)).unwrap_or_default())
            .collect();
        let mut report = VerifyReport {
            checked: 0,
            intact: 0,
            bytes: 0,
            missing: Vec::new(),
            changed: Vec::new(),
            untracked: Vec::new(),
        };
        // Verifications waiting for the next commit.
        let mut pending: Vec<Verified> = Vec::new();
        let mut pending_bytes = 0u64;
        let mut missing = Vec::new();
        let mut changed = Vec::new();
        let mut failure: Option<CoreError> = None;
        let mut done = 0u64;
        let store = self.store();
        let listing = std::thread::scope(|s| {
            let listing = opts.max_files.is_none().then(|| s.spawn(|| store.list()));
            let record = |pending: &mut Vec<Verified>| -> Result<()> {
                if pending.is_empty() {
                    return Ok(());
                }
                let at = self.now();
                let conn = self.conn();
                let tx = conn
                    .unchecked_transaction()
                    .map_err(doisoat_db::DbError::from)?;
                for v in pending.drain(..) {
                    let sha256 = &due[v.index].sha256;
                    fixity::record(&tx, sha256, &at, v.result, v.actual.as_deref())?;
                    if let Some(sha512) = &v.sha512 {
                        files::record_sha512(&tx, sha256, sha512)?;
                    }
                }
                tx.commit().map_err(doisoat_db::DbError::from)?;
                Ok(())
            };
            // A file's first pass also records its SHA-512 (for exports).
            let sha512 = |i: usize| !due[i].sha512_known;
            doisoat_archive::fixity::read_each(&paths, sha512, &plan, |i, read| {
                let d = &due[i];
                let mut sha512 = None;
                let state = match (wanted[i], read) {
                    (None, _) => Ok(ObjectState::Changed {
                        actual: Sha256Digest([0; 32]),
                    }),
                    (Some(_), Ok(FixityRead::Missing)) => Ok(ObjectState::Missing),
                    (
                        Some(want),
                        Ok(FixityRead::Hashed {
                            digest,
                            sha512: s512,
                            ..
                        }),
                    ) if digest == want => {
                        // Only bytes that match their name give a SHA-512 to keep.
                        sha512 = s512.map(hex::encode);
                        Ok(ObjectState::Intact)
                    }
                    (Some(_), Ok(FixityRead::Hashed { digest, .. })) => {
                        Ok(ObjectState::Changed { actual: digest })
                    }
                    (Some(_), Err(source)) => Err(CoreError::from(StoreError::Read {
                        path: paths[i].clone(),
                        source,
                    })),
                };
                let entry = match state {
                    Err(e) => {
                        failure = Some(e);
                        return false;
                    }
                    Ok(ObjectState::Intact) => {
                        report.intact += 1;
                        report.bytes += d.size;
                        pending_bytes += d.size;
                        Verified::new(i, "intact", None, sha512)
                    }
                    Ok(ObjectState::Missing) => {
                        missing.push(i);
                        Verified::new(i, "missing", None, None)
                    }
                    Ok(ObjectState::Changed { actual }) => {
                        changed.push(i);
                        pending_bytes += d.size;
                        Verified::new(i, "changed", Some(actual.to_hex()), None)
                    }
                };
                report.checked += 1;
                pending.push(entry);
                if pending.len() >= FIXITY_BATCH || pending_bytes >= FIXITY_BATCH_BYTES {
                    pending_bytes = 0;
                    if let Err(e) = record(&mut pending) {
                        failure = Some(e);
                        return false;
                    }
                }
                done += 1;
                job.report(&Progress {
                    stage: "verify".into(),
                    done,
                    total,
                    item: Some(d.sha256.clone()),
                    pages: 0,
                });
                if job.is_cancelled() {
                    failure = Some(CoreError::Cancelled);
                    return false;
                }
                true
            });
            // What was verified before a failure is kept.
            let recorded = record(&mut pending);
            listing
                .map(|l| l.join().expect("listing the store does not panic"))
                .transpose()
                .map(|l| (l, recorded))
        });
        if let Some(e) = failure {
            return Err(e);
        }
        let (listed, recorded) = listing?;
        recorded?;
        // Listed in the order the files were due, whatever order they were read in.
        missing.sort_unstable();
        changed.sort_unstable();
        report.missing = missing.into_iter().map(|i| due[i].sha256.clone()).collect();
        report.changed = changed.into_iter().map(|i| due[i].sha256.clone()).collect();
        if let Some(listed) = listed {
            let known: std::collections::HashSet<&str> =
                due.iter().map(|d| d.sha256.as_str()).collect();
            report.untracked = listed
                .into_iter()
                .map(|d| d.to_hex())
                .filter(|h| !known.contains(h.as_str()))
                .collect();
        }
        Ok(report)
    }

    /// Every verification of one stored file, oldest first.
    pub fn fixity_history(&self, sha256: &str) -> Result<Vec<FixityCheck>> {
        Ok(fixity::history(&self.conn(), sha256.trim())?
            .into_iter()
            .map(|c| FixityCheck {
                at: c.at,
                result: c.result,
                actual: c.actual,
            })
            .collect())
    }

    /// Backs up this data folder into the empty folder `dest`, while it is in use.
    pub fn backup(&self, dest: &Path) -> Result<doisoat_archive::BackupSummary> {
        self.require(Action::Backup, &dest.display().to_string())?;
        let s = doisoat_archive::backup::backup(self.dir(), dest, &self.now())
            .map_err(CoreError::Backup)?;
        self.audit(
            "backup",
            &dest.display().to_string(),
            None,
            Some(json!({"objects": s.objects, "bytes": s.object_bytes, "db_content_sha256": s.db_content_sha256})),
        )?;
        Ok(s)
    }
}

/// One file's verification, waiting to be recorded.
struct Verified {
    /// Its place in the pass's list of due files.
    index: usize,
    result: &'static str,
    /// What a changed file hashes to now.
    actual: Option<String>,
    /// The SHA-512 of an intact file whose SHA-512 was not yet recorded.
    sha512: Option<String>,
}

impl Verified {
    fn new(
        index: usize,
        result: &'static str,
        actual: Option<String>,
        sha512: Option<String>,
    ) -> Verified {
        Verified {
            index,
            result,
            actual,
            sha512,
        }
    }
}

fn record_conflict(
    conn: &doisoat_db::Connection,
    c: &ExchangeConflict,
    bag: &str,
    now: &str,
) -> Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO exchange_conflicts (dossier_code, what, held, incoming, bag, found_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        (c.dossier.as_str(), c.what.as_str(), c.held.as_str(), c.incoming.as_str(), bag, now),
    )
    .map_err(doisoat_db::DbError::from)?;
    Ok(())
}

/// What checking a bag found (it passed every check, or an error says why).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BagValidation {
    pub bag: String,
    pub files: u64,
    pub bytes: u64,
    /// Manifests of algorithms doisoat does not check (e.g. md5).
    pub unchecked_manifests: Vec<String>,
}

/// Validates a bag completely without importing it (a USB stick can be
/// checked before anything is brought in). Writes nothing but a scratch
/// copy of a serialised bag, removed before returning.
pub fn validate_bag(path: &Path) -> Result<BagValidation> {
    let bag = bagit::validate(path, &std::env::temp_dir()).map_err(CoreError::Bag)?;
    Ok(BagValidation {
        bag: bag.name.clone(),
        files: bag.files.len() as u64,
        bytes: bag.bytes,
        unchecked_manifests: bag.unchecked_manifests.clone(),
    })
}

/// Restores a backup into the empty folder `dest` and proves it the same.
/// Needs no open data folder (the target is empty by definition).
pub fn restore(backup: &Path, dest: &Path) -> Result<doisoat_archive::RestoreSummary> {
    doisoat_archive::backup::restore(backup, dest).map_err(CoreError::Backup)
}
