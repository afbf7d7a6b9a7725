//! XLSX exports of one-stop systems, read with `calamine` and turned into the
//! CSV the importer already understands, so XLSX rows follow the same rules
//! (every bad row listed by its line, re-import changes nothing).
//!
//! Each province's export looks different, so columns are found through
//! **mappings** (field → header texts): a built-in Vietnamese one and any
//! presets saved by name. The first mapping whose dossier-code header appears
//! in one of the first 30 rows wins. Merged cells are filled from their
//! top-left cell; dates stored as Excel serials become dd/mm/yyyy HH:MM.
//! Line numbers in messages are the sheet's row numbers. The raw workbook is
//! kept in the store.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader, Xlsx};

use doisoat_db::lifecycle as db;

use crate::{CoreError, Office, Result};

/// Canonical fields, in output order, with the built-in header texts.
const BUILT_IN: &[(&str, &[&str])] = &[
    ("MaHoSo", &["Mã hồ sơ", "MaHoSo", "Số hồ sơ"]),
    ("MaTTHC", &["Mã thủ tục", "Mã TTHC", "MaTTHC"]),
    ("SoBienNhan", &["Số biên nhận", "SoBienNhan"]),
    (
        "NgayTiepNhan",
        &["Ngày tiếp nhận", "Ngày nhận", "NgayTiepNhan"],
    ),
    (
        "HoTenNguoiNop",
        &[
            "Người nộp",
            "Họ tên người nộp",
            "Chủ hồ sơ",
            "HoTenNguoiNop",
        ],
    ),
    ("SoCCCD", &["Số CCCD", "CCCD", "Số giấy tờ", "SoCCCD"]),
    ("TrangThai", &["Trạng thái", "TrangThai"]),
    (
        "KenhTiepNhan",
        &["Kênh tiếp nhận", "Hình thức nộp", "Mức độ", "KenhTiepNhan"],
    ),
    (
        "CanBoXuLy",
        &["Cán bộ xử lý", "Cán bộ tiếp nhận", "CanBoXuLy"],
    ),
    ("NgayBoSung", &["Ngày bổ sung", "NgayBoSung"]),
    ("NgayCoKetQua", &["Ngày có kết quả", "NgayCoKetQua"]),
    ("NgayTraKetQua", &["Ngày trả kết quả", "NgayTraKetQua"]),
    (
        "HinhThucTraKetQua",
        &["Hình thức trả kết quả", "HinhThucTraKetQua"],
    ),
    (
        "SoHoaTaiTiepNhan",
        &["Số hóa tại tiếp nhận", "Số hóa", "SoHoaTaiTiepNhan"],
    ),
];

const DATE_FIELDS: &[&str] = &[
    "NgayTiepNhan",
    "NgayBoSung",
    "NgayCoKetQua",
    "NgayTraKetQua",
];

/// A column mapping: canonical field → header texts that mean it.
pub type ColumnMapping = BTreeMap<String, Vec<String>>;

/// The built-in mapping, as a starting point for presets.
pub fn built_in_mapping() -> ColumnMapping {
    BUILT_IN
        .iter()
        .map(|(f, hs)| (f.to_string(), hs.iter().map(|h| h.to_string()).collect()))
        .collect()
}

fn fold(s: &str) -> String {
    doisoat_domain::text::fold(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// An Excel serial (days since 1899-12-30, fraction = time of day) as dd/mm/yyyy HH:MM.
pub fn serial_to_text(serial: f64) -> Option<String> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let base = time::macros::date!(1899 - 12 - 30);
    let days = serial.floor() as i64;
    let date = base.checked_add(time::Duration::days(days))?;
    let minutes = ((serial - serial.floor()) * 1440.0).round() as i64;
    let (h, m) = ((minutes / 60).min(23), minutes % 60);
    Some(format!(
        "{:02}/{:02}/{:04} {h:02}:{m:02}",
        date.day(),
        u8::from(date.month()),
        date.year()
    ))
}

fn cell_text(cell: &Data, is_date: bool) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if is_date => serial_to_text(*f).unwrap_or_else(|| f.to_string()),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) if is_date => serial_to_text(*i as f64).unwrap_or_else(|| i.to_string()),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => serial_to_text(d.as_f64()).unwrap_or_else(|| d.to_string()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

fn quote(s: &str) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    format!("\"{}\"", flat.replace('"', "\"\""))
}

/// Reads the first sheet of an XLSX workbook as CSV with canonical headers,
/// one line per sheet row (so CSV line numbers are sheet row numbers).
/// `preset`: read the columns with this saved preset (or "built-in") only.
pub(crate) fn to_csv(
    office: &Office,
    path: &Path,
    bytes: &[u8],
    preset: Option<&str>,
) -> Result<String> {
    let bad = |reason: String| CoreError::BadImport {
        path: path.to_path_buf(),
        reason,
    };
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        bad(format!(
            "not a readable XLSX workbook ({e}); save it again from Excel or LibreOffice"
        ))
    })?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| bad("the workbook has no sheet".into()))?
        .map_err(|e| bad(format!("the first sheet cannot be read ({e})")))?;
    let merged = book
        .worksheet_merge_cells_at(0)
        .and_then(|r| r.ok())
        .unwrap_or_default();
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let (h, w) = range.get_size();
    let mut grid: Vec<Vec<Data>> = (0..h)
        .map(|r| {
            (0..w)
                .map(|c| range.get((r, c)).cloned().unwrap_or(Data::Empty))
                .collect()
        })
        .collect();
    for m in &merged {
        let (sr, sc) = (
            m.start.0.saturating_sub(r0) as usize,
            m.start.1.saturating_sub(c0) as usize,
        );
        let (er, ec) = (
            m.end.0.saturating_sub(r0) as usize,
            m.end.1.saturating_sub(c0) as usize,
        );
        let Some(v) = grid.get(sr).and_then(|row| row.get(sc)).cloned() else {
            continue;
        };
        for row in grid.iter_mut().take(er + 1).skip(sr) {
            for cell in row.iter_mut().take(ec + 1).skip(sc) {
                *cell = v.clone();
            }
        }
    }

    let mut mappings = vec![("built-in".to_string(), built_in_mapping())];
    for (name, json) in db::presets(&office.conn())? {
        let m: ColumnMapping = serde_json::from_str(&json).map_err(doisoat_db::DbError::from)?;
        mappings.insert(0, (name, m));
    }
    if let Some(wanted) = preset.map(str::trim).filter(|p| !p.is_empty()) {
        mappings.retain(|(name, _)| name == wanted);
        if mappings.is_empty() {
            return Err(CoreError::InvalidArgument(format!(
                "no column mapping preset named '{wanted}'"
            )));
        }
    }
    let mut found = None;
    'search: for (name, mapping) in &mappings {
        let Some(code_headers) = mapping.get("MaHoSo") else {
            continue;
        };
        let wanted: Vec<String> = code_headers.iter().map(|h| fold(h)).collect();
        for (r, row) in grid.iter().enumerate().take(30) {
            if row
                .iter()
                .any(|c| wanted.contains(&fold(&cell_text(c, false))))
            {
                found = Some((name.clone(), mapping.clone(), r));
                break 'search;
            }
        }
    }
    let Some((name, mapping, header_row)) = found else {
        return Err(bad("no column holds the dossier code (e.g. 'Mã hồ sơ'); save a column mapping preset for this export".into()));
    };
    // The header may span two rows (merged group titles above): look at the
    // header row and the one below for each field, the header row first.
    let mut columns: Vec<(String, usize)> = Vec::new();
    for (field, headers) in &mapping {
        let wanted: Vec<String> = headers.iter().map(|h| fold(h)).collect();
        let col = [header_row, header_row + 1].iter().find_map(|r| {
            grid.get(*r)?
                .iter()
                .position(|c| wanted.contains(&fold(&cell_text(c, false))))
        });
        if let Some(col) = col {
            columns.push((field.clone(), col));
        }
    }
    tracing::info!(file = %path.display(), preset = %name, columns = columns.len(), "xlsx columns found");
    let first_data = if columns.iter().any(|(_, c)| {
        grid.get(header_row + 1)
            .and_then(|r| r.get(*c))
            .is_some_and(|v| {
                mapping
                    .values()
                    .flatten()
                    .any(|h| fold(h) == fold(&cell_text(v, false)))
            })
    }) {
        header_row + 2
    } else {
        header_row + 1
    };

    let mut out = String::new();
    let sheet_row = |r: usize| r0 as usize + r + 1;
    for _ in 1..sheet_row(header_row) {
        out.push('\n');
    }
    out.push_str(
        &columns
            .iter()
            .map(|(f, _)| quote(f))
            .collect::<Vec<_>>()
            .join(","),
    );
    out.push('\n');
    for _ in sheet_row(header_row) + 1..sheet_row(first_data) {
        out.push('\n');
    }
    for row in grid.iter().skip(first_data) {
        let cells: Vec<String> = columns
            .iter()
            .map(|(f, c)| {
                cell_text(
                    row.get(*c).unwrap_or(&Data::Empty),
                    DATE_FIELDS.contains(&f.as_str()),
                )
            })
            .collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            out.push('\n');
            continue;
        }
        out.push_str(
            &cells
                .iter()
                .map(|c| quote(c.trim()))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    // Keep the raw workbook: the import is recorded by its hash.
    office.store().put(path)?;
    Ok(out)
}

impl Office {
    /// Saves (or replaces) a named column mapping for XLSX imports.
    pub fn save_import_preset(&self, name: &str, mapping: &ColumnMapping) -> Result<()> {
        let name = name.trim();
        if name.is_empty() {
            return Err(CoreError::InvalidArgument("a preset needs a name".into()));
        }
        if !mapping.contains_key("MaHoSo") {
            return Err(CoreError::InvalidArgument(
                "a preset must say which column holds the dossier code (MaHoSo)".into(),
            ));
        }
        if let Some(unknown) = mapping
            .keys()
            .find(|k| !BUILT_IN.iter().any(|(f, _)| f == k))
        {
            return Err(CoreError::InvalidArgument(format!(
                "unknown field '{unknown}' in the preset"
            )));
        }
        let json = serde_json::to_string(mapping).map_err(doisoat_db::DbError::from)?;
        db::save_preset(&self.conn(), name, &json, &self.now())?;
        Ok(())
    }

    /// Saved presets by name.
    pub fn import_presets(&self) -> Result<Vec<(String, ColumnMapping)>> {
        db::presets(&self.conn())?
            .into_iter()
            .map(|(n, j)| {
                Ok((
                    n,
                    serde_json::from_str(&j).map_err(doisoat_db::DbError::from)?,
                ))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_serials_become_local_dates() {
        assert_eq!(serial_to_text(44890.0).as_deref(), Some("25/11/2022 00:00"));
        assert_eq!(serial_to_text(44890.5).as_deref(), Some("25/11/2022 12:00"));
        assert_eq!(serial_to_text(0.5), None);
        assert_eq!(fold("  Mã   hồ sơ "), "ma ho so");
    }
}
