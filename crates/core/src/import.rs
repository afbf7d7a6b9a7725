//! Importing dossier records: the national portal's JSON (one dossier or an
//! array, with the electronic files beside it) and CSV dossier lists.
//!
//! Three phases, so a file with bad rows imports nothing unless asked to:
//! 1. **read**: parse every row, check codes, dates and attached files
//!    (present, inside the export folder, a readable document); collect every
//!    bad row with its line number and reason;
//! 2. **store**: put the electronic files in the store (content only, linked
//!    to nothing yet);
//! 3. **record**: one transaction upserts the dossiers, their components and
//!    the links, and remembers the import's hash. Re-importing the same bytes
//!    is recognised and changes nothing; identical rows leave rows untouched.

use std::path::{Component, Path, PathBuf};

use serde_json::{value::RawValue, Map, Value};

use doisoat_db::{copies, dossiers, imports};
use doisoat_domain::{CodeCheck, DossierCode, Side};
use doisoat_hashing::hash_file;
use doisoat_ingest::{Context, Request};

use crate::{
    dates, BadRow, CoreError, ErrorInfo, FlaggedCode, ImportOptions, ImportReport, Job, Lang,
    Office, Progress, Result,
};

/// Portal field names doisoat models. Everything else is kept in `extra`.
const KNOWN: &[&str] = &[
    "MaHoSo",
    "MaTTHC",
    "SoBienNhan",
    "NgayTiepNhan",
    "HoTenNguoiNop",
    "SoCCCD",
    "TrangThai",
];
/// Other names exports use for the applicant and the status.
const NAME_ALIASES: &[&str] = &["HoTenNguoiNop", "TenNguoiNop", "ChuHoSo", "HoTen"];
const ID_ALIASES: &[&str] = &["SoCCCD", "CCCD", "SoGiayTo", "SoCMND"];

/// One dossier row, read and checked.
struct Row {
    line: u64,
    record: dossiers::DossierRecord,
    files: Vec<Attached>,
}

/// An electronic file named by a `TaiLieuNop` entry.
struct Attached {
    path: PathBuf,
    name: String,
    component: String,
    portal_id: Option<String>,
}

struct RowError {
    line: u64,
    code: Option<String>,
    code_name: &'static str,
    vi: String,
    en: String,
}

impl RowError {
    fn new(
        line: u64,
        code: Option<String>,
        code_name: &'static str,
        vi: String,
        en: String,
    ) -> RowError {
        RowError {
            line,
            code,
            code_name,
            vi,
            en,
        }
    }
}

pub(crate) fn run(
    office: &Office,
    path: &Path,
    opts: &ImportOptions,
    preset: Option<&str>,
    job: &Job,
) -> Result<ImportReport> {
    let read_err = |e: std::io::Error| {
        CoreError::Store(doisoat_store::StoreError::Read {
            path: path.to_path_buf(),
            source: e,
        })
    };
    let (digest, _) = hash_file(path).map_err(read_err)?;
    let sha = digest.to_hex();
    let bytes = std::fs::read(path).map_err(read_err)?;
    if bytes.is_empty() {
        return Err(CoreError::BadImport {
            path: path.to_path_buf(),
            reason: "the file is empty".into(),
        });
    }
    let format = detect_format(path, &bytes);
    let mut report = ImportReport {
        file: path.display().to_string(),
        sha256: sha.clone(),
        format: format.to_string(),
        rows: 0,
        imported: false,
        already_imported: false,
        added: 0,
        updated: 0,
        unchanged: 0,
        files_linked: 0,
        bad_rows: Vec::new(),
        flagged: Vec::new(),
    };
    if let Some(prev) = imports::get(&office.conn(), &sha)? {
        tracing::info!(file = %path.display(), at = %prev.imported_at, "already imported; nothing to do");
        report.rows = prev.rows;
        report.already_imported = true;
        report.unchanged = prev.dossiers;
        return Ok(report);
    }

    // Phase 1: read and check every row. XLSX becomes CSV with the sheet's row numbers.
    let bytes = if format == "xlsx" {
        crate::xlsx::to_csv(office, path, &bytes, preset)?.into_bytes()
    } else {
        bytes
    };
    let text = String::from_utf8(bytes).map_err(|_| CoreError::BadImport {
        path: path.to_path_buf(),
        reason: "the file is not UTF-8 text".into(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let base = path.parent().unwrap_or(Path::new("."));
    let (rows, errors) = match format {
        "portal_json" => read_json(path, text, base)?,
        _ => read_csv(path, text)?,
    };
    report.rows = (rows.len() + errors.len()) as u64;
    for r in &rows {
        let check = DossierCode::new(&r.record.code)
            .map(|c| c.check())
            .unwrap_or(CodeCheck::OddShape);
        if check != CodeCheck::Valid {
            report.flagged.push(FlaggedCode {
                line: r.line,
                code: r.record.code.clone(),
                check: check.as_str().into(),
            });
        }
    }
    let mut errors = errors;
    // Phase 2: store the electronic files; a file that will not open makes its row bad.
    let mut stored: Vec<Vec<(String, &Attached)>> = Vec::with_capacity(rows.len());
    let total_files: u64 = rows.iter().map(|r| r.files.len() as u64).sum();
    let mut done_files = 0u64;
    let mut good = Vec::with_capacity(rows.len());
    if errors.is_empty() || opts.skip_invalid {
        for row in &rows {
            let mut row_files = Vec::new();
            let mut failed = None;
            for f in &row.files {
                if job.is_cancelled() {
                    return Err(CoreError::Cancelled);
                }
                match store_file(office, f) {
                    Ok(sha) => row_files.push((sha, f)),
                    Err(e) => {
                        failed = Some(RowError::new(
                            row.line,
                            Some(row.record.code.clone()),
                            e.code(),
                            format!("tệp đính kèm {}", e.message(Lang::Vi)),
                            format!("attached file {}", e.message(Lang::En)),
                        ));
                        break;
                    }
                }
                done_files += 1;
                job.report(&Progress {
                    stage: "import".into(),
                    done: done_files,
                    total: total_files,
                    item: Some(f.name.clone()),
                    pages: 0,
                });
            }
            match failed {
                Some(e) => errors.push(e),
                None => {
                    good.push(row);
                    stored.push(row_files);
                }
            }
            if !errors.is_empty() && !opts.skip_invalid {
                break;
            }
        }
    }
    errors.sort_by_key(|e| e.line);
    report.bad_rows = errors
        .iter()
        .map(|e| BadRow {
            line: e.line,
            code: e.code.clone(),
            reason: ErrorInfo {
                code: e.code_name.into(),
                message: if office.lang() == Lang::En {
                    e.en.clone()
                } else {
                    e.vi.clone()
                },
            },
        })
        .collect();
    for e in &errors {
        tracing::warn!(line = e.line, reason = %e.en, "bad row");
    }
    if !errors.is_empty() && !opts.skip_invalid {
        return Ok(report);
    }

    // Phase 3: one transaction for every dossier, component and link.
    let now = office.now();
    let mut conn = office.conn();
    let tx = conn.transaction().map_err(doisoat_db::DbError::from)?;
    let calendar = crate::lifecycle::load_calendar(&tx)?;
    let mut ids = Vec::with_capacity(good.len());
    for (row, files) in good.iter().zip(stored.iter()) {
        let up = dossiers::upsert(&tx, &row.record, &now)?;
        ids.push((up.id(), matches!(up, dossiers::Upsert::Added(_))));
        match up {
            dossiers::Upsert::Added(_) => report.added += 1,
            dossiers::Upsert::Updated(_) => report.updated += 1,
            dossiers::Upsert::Unchanged(_) => report.unchanged += 1,
        }
        for (sha, f) in files {
            dossiers::upsert_component(&tx, up.id(), &f.component, None)?;
            let linked = copies::link(
                &tx,
                &copies::NewCopy {
                    sha256: sha.clone(),
                    side: Side::Electronic,
                    dossier_id: Some(up.id()),
                    component_code: Some(f.component.clone()),
                    original_name: f.name.clone(),
                    portal_file_id: f.portal_id.clone(),
                    created_at: now.clone(),
                },
            )?;
            report.files_linked += u64::from(linked);
        }
    }
    // Lifecycles after every dossier: their writes fire triggers, whose
    // statement savepoints make the search index flush its pending rows, so
    // interleaving them with the dossiers' index writes costs a flush per row.
    for (row, (id, added)) in good.iter().zip(ids) {
        crate::lifecycle::from_import(&tx, &calendar, id, added, &row.record, &now)?;
    }
    imports::record(
        &tx,
        &imports::ImportRow {
            sha256: sha,
            file_name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            format: format.into(),
            rows: report.rows,
            dossiers: good.len() as u64,
            imported_at: now,
        },
    )?;
    tx.commit().map_err(doisoat_db::DbError::from)?;
    report.imported = true;
    Ok(report)
}

fn detect_format(path: &Path, bytes: &[u8]) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let first = bytes
        .iter()
        .copied()
        .find(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
    if ext == "xlsx" || bytes.starts_with(b"PK\x03\x04") {
        "xlsx"
    } else if ext == "json" || matches!(first, Some(b'{') | Some(b'[')) {
        "portal_json"
    } else {
        "csv"
    }
}

/// Stores an attached electronic file (content only; the link comes in phase 3).
fn store_file(office: &Office, f: &Attached) -> Result<String> {
    let never = || false;
    let quiet = |_: u32, _: u32| {};
    let ctx = Context {
        store: office.store(),
        db: &office.db,
        now: office.now(),
        cancelled: &never,
        on_page: &quiet,
        on_record: None,
    };
    let req = Request {
        path: f.path.clone(),
        side: Side::Electronic,
        dossier: None,
        component: None,
        portal_file_id: None,
        name: Some(f.name.clone()),
    };
    doisoat_ingest::store_only(&ctx, &req).map_err(|e| CoreError::from_ingest(&f.path, e))
}

fn line_of(text: &str, raw: &RawValue) -> u64 {
    let offset = (raw.get().as_ptr() as usize)
        .saturating_sub(text.as_ptr() as usize)
        .min(text.len());
    text[..offset].bytes().filter(|b| *b == b'\n').count() as u64 + 1
}

fn read_json(path: &Path, text: &str, base: &Path) -> Result<(Vec<Row>, Vec<RowError>)> {
    let bad = |e: serde_json::Error| CoreError::BadImport {
        path: path.to_path_buf(),
        reason: format!(
            "not valid JSON at line {}, column {}: {e}",
            e.line(),
            e.column()
        ),
    };
    let items: Vec<&RawValue> = if text.trim_start().starts_with('[') {
        serde_json::from_str(text).map_err(bad)?
    } else {
        vec![serde_json::from_str(text).map_err(bad)?]
    };
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for raw in items {
        let line = line_of(text, raw);
        let obj: Map<String, Value> = match serde_json::from_str(raw.get()) {
            Ok(Value::Object(m)) => m,
            _ => {
                errors.push(RowError::new(
                    line,
                    None,
                    "not_an_object",
                    "mục này không phải là một hồ sơ (đối tượng JSON)".into(),
                    "this entry is not a dossier (a JSON object)".into(),
                ));
                continue;
            }
        };
        match json_row(line, &obj, base) {
            Ok(r) => rows.push(r),
            Err(e) => errors.push(e),
        }
    }
    Ok((rows, errors))
}

fn text_field(obj: &Map<String, Value>, names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| match obj.get(*n) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(doisoat_domain::text::nfc(s.trim())),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// The fields shared by JSON and CSV rows.
fn record_from(line: u64, obj: &Map<String, Value>) -> Result<dossiers::DossierRecord, RowError> {
    let code = text_field(obj, &["MaHoSo"])
        .and_then(|c| DossierCode::new(&c))
        .ok_or_else(|| {
            RowError::new(
                line,
                None,
                "missing_code",
                "thiếu mã hồ sơ (MaHoSo)".into(),
                "no dossier code (MaHoSo)".into(),
            )
        })?;
    let received_at = match text_field(obj, &["NgayTiepNhan"]) {
        None => None,
        Some(s) => Some(dates::iso(dates::parse_received(&s).ok_or_else(|| {
            RowError::new(
                line,
                Some(code.to_string()),
                "bad_date",
                format!(
                    "ngày tiếp nhận '{s}' không đúng định dạng (yyyyMMddHHmmss hoặc dd/mm/yyyy)"
                ),
                format!("reception date '{s}' is not a date (yyyyMMddHHmmss or dd/mm/yyyy)"),
            )
        })?)),
    };
    let mut extra = Map::new();
    for (k, v) in obj {
        if !KNOWN.contains(&k.as_str())
            && !NAME_ALIASES.contains(&k.as_str())
            && !ID_ALIASES.contains(&k.as_str())
        {
            extra.insert(k.clone(), v.clone());
        }
    }
    Ok(dossiers::DossierRecord {
        code_check: code.check().as_str().into(),
        code: code.to_string(),
        procedure_code: text_field(obj, &["MaTTHC"]),
        receipt_no: text_field(obj, &["SoBienNhan"]),
        received_at,
        applicant_name: text_field(obj, NAME_ALIASES),
        applicant_id: text_field(obj, ID_ALIASES),
        status: text_field(obj, &["TrangThai"]),
        extra,
    })
}

fn json_row(line: u64, obj: &Map<String, Value>, base: &Path) -> Result<Row, RowError> {
    let record = record_from(line, obj)?;
    let code = Some(record.code.clone());
    let mut files = Vec::new();
    let entries = match obj.get("TaiLieuNop") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(_) => {
            return Err(RowError::new(
                line,
                code,
                "bad_files",
                "TaiLieuNop phải là một danh sách".into(),
                "TaiLieuNop must be a list".into(),
            ))
        }
    };
    for (i, entry) in entries.iter().enumerate() {
        let Value::Object(e) = entry else { continue };
        if matches!(e.get("IsDeleted"), Some(Value::Bool(true))) {
            continue;
        }
        let name = text_field(e, &["TenTepDinhKem"]).unwrap_or_default();
        let rel = text_field(e, &["DuongDanTaiTepTin"]).unwrap_or_else(|| name.clone());
        let component = text_field(e, &["MaThanhPhanHoSo"]).unwrap_or_else(|| "KHAC".into());
        if rel.is_empty() {
            return Err(RowError::new(
                line,
                code,
                "bad_files",
                format!("tài liệu thứ {} không có tên tệp", i + 1),
                format!("submitted file {} has no file name", i + 1),
            ));
        }
        let relp = PathBuf::from(rel.replace('\\', "/"));
        if relp.is_absolute()
            || relp
                .components()
                .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return Err(RowError::new(
                line,
                code,
                "unsafe_path",
                format!("đường dẫn tệp '{rel}' ra ngoài thư mục của tệp nhập"),
                format!("file path '{rel}' leaves the export's folder"),
            ));
        }
        let path = base.join(&relp);
        if !path.is_file() {
            return Err(RowError::new(
                line,
                code,
                "file_not_found",
                format!("không tìm thấy tệp đính kèm '{rel}'"),
                format!("attached file '{rel}' not found"),
            ));
        }
        if let Err(e) = doisoat_pages::open(&path) {
            let c = crate::CoreError::file(&path, e);
            return Err(RowError::new(
                line,
                code,
                c.code(),
                format!("tệp đính kèm {}", c.message(Lang::Vi)),
                format!("attached file {}", c.message(Lang::En)),
            ));
        }
        let display = if name.is_empty() {
            relp.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        } else {
            name
        };
        files.push(Attached {
            path,
            name: doisoat_domain::text::nfc(&display),
            component,
            portal_id: text_field(e, &["TepDinhKemId"]),
        });
    }
    Ok(Row {
        line,
        record,
        files,
    })
}

fn read_csv(path: &Path, text: &str) -> Result<(Vec<Row>, Vec<RowError>)> {
    let header_line = text.lines().next().unwrap_or("");
    let delimiter = if header_line.contains(';') && !header_line.contains(',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| CoreError::BadImport {
            path: path.to_path_buf(),
            reason: format!("cannot read the header: {e}"),
        })?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if !headers.iter().any(|h| h == "MaHoSo") {
        return Err(CoreError::BadImport {
            path: path.to_path_buf(),
            reason: "the header has no MaHoSo column (dossier code)".into(),
        });
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for rec in reader.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                errors.push(RowError::new(
                    line,
                    None,
                    "bad_csv",
                    format!("dòng CSV không đọc được ({e})"),
                    format!("unreadable CSV line ({e})"),
                ));
                continue;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let obj: Map<String, Value> = headers
            .iter()
            .zip(rec.iter())
            .filter(|(h, _)| !h.is_empty())
            .map(|(h, v)| (h.clone(), Value::String(v.to_string())))
            .collect();
        match record_from(line, &obj) {
            Ok(record) => rows.push(Row {
                line,
                record,
                files: Vec::new(),
            }),
            Err(e) => errors.push(e),
        }
    }
    Ok((rows, errors))
}
