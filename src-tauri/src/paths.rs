//! Checks on file paths that arrive from the page (file dialog, drag and drop,
//! a pasted path). The page has no file-system access of its own, so these
//! checks are the gate: a path must be absolute, exist, be a regular file and
//! have one of the extensions the command accepts.

use std::path::{Path, PathBuf};

/// Why a path from the page was refused. Each variant has a stable code.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PathRefused {
    #[error("not an absolute path: {0}")]
    NotAbsolute(String),
    #[error("no such file: {0}")]
    NotFound(String),
    #[error("not a regular file: {0}")]
    NotAFile(String),
    #[error("unsupported file type: {0}")]
    UnsupportedType(String),
}

impl PathRefused {
    pub fn code(&self) -> &'static str {
        match self {
            PathRefused::NotAbsolute(_) => "path_not_absolute",
            PathRefused::NotFound(_) => "path_not_found",
            PathRefused::NotAFile(_) => "path_not_a_file",
            PathRefused::UnsupportedType(_) => "path_unsupported_type",
        }
    }

    /// The user-facing message, in Vietnamese or English.
    pub fn message(&self, vietnamese: bool) -> String {
        match (self, vietnamese) {
            (PathRefused::NotAbsolute(p), true) => format!("Đường dẫn không đầy đủ: {p}"),
            (PathRefused::NotFound(p), true) => format!("Không tìm thấy tệp: {p}"),
            (PathRefused::NotAFile(p), true) => format!("Không phải là tệp: {p}"),
            (PathRefused::UnsupportedType(p), true) => format!("Loại tệp không được hỗ trợ: {p}"),
            (other, false) => other.to_string(),
        }
    }
}

/// Scans: PDF and the image formats the page splitter reads.
pub const SCAN_EXTENSIONS: &[&str] = &["pdf", "jpg", "jpeg", "png", "tif", "tiff"];
/// Portal exports.
pub const EXPORT_EXTENSIONS: &[&str] = &["json", "csv", "xlsx"];

/// Accepts `raw` if it names an existing regular file with one of
/// `extensions` (case-insensitive); returns the canonical path.
pub fn checked_file(raw: &str, extensions: &[&str]) -> Result<PathBuf, PathRefused> {
    let path = Path::new(raw);
    if !path.is_absolute() {
        return Err(PathRefused::NotAbsolute(raw.to_owned()));
    }
    let canonical = path
        .canonicalize()
        .map_err(|_| PathRefused::NotFound(raw.to_owned()))?;
    if !canonical.is_file() {
        return Err(PathRefused::NotAFile(raw.to_owned()));
    }
    let ext = canonical
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if !extensions.contains(&ext.as_str()) {
        return Err(PathRefused::UnsupportedType(raw.to_owned()));
    }
    Ok(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_scan_and_refuses_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let pdf = dir.path().join("Hồ sơ.PDF");
        std::fs::write(&pdf, b"%PDF-1.4").unwrap();
        let txt = dir.path().join("notes.txt");
        std::fs::write(&txt, b"x").unwrap();

        let ok = checked_file(pdf.to_str().unwrap(), SCAN_EXTENSIONS).unwrap();
        assert_eq!(ok.file_name().unwrap(), "Hồ sơ.PDF");

        let code = |raw: &str, ext: &[&str]| checked_file(raw, ext).unwrap_err().code();
        assert_eq!(code("relative.pdf", SCAN_EXTENSIONS), "path_not_absolute");
        assert_eq!(
            code(
                dir.path().join("gone.pdf").to_str().unwrap(),
                SCAN_EXTENSIONS
            ),
            "path_not_found"
        );
        assert_eq!(
            code(dir.path().to_str().unwrap(), SCAN_EXTENSIONS),
            "path_not_a_file"
        );
        assert_eq!(
            code(txt.to_str().unwrap(), SCAN_EXTENSIONS),
            "path_unsupported_type"
        );
        assert_eq!(
            code(pdf.to_str().unwrap(), EXPORT_EXTENSIONS),
            "path_unsupported_type"
        );
    }

    #[test]
    fn messages_in_both_languages() {
        let e = PathRefused::NotFound("/x.pdf".into());
        assert_eq!(e.message(true), "Không tìm thấy tệp: /x.pdf");
        assert_eq!(e.message(false), "no such file: /x.pdf");
    }
}
