//! Format sniffing. The content decides the format; the extension must agree
//! with it, because a mislabelled file at the desk usually means the wrong
//! file was picked.

use std::fmt;
use std::io::Read;
use std::path::Path;

use serde::Serialize;

use crate::PagesError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    Pdf,
    Jpeg,
    Png,
    Tiff,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Pdf => "pdf",
            SourceKind::Jpeg => "jpeg",
            SourceKind::Png => "png",
            SourceKind::Tiff => "tiff",
        }
    }

    fn from_extension(ext: &str) -> Option<SourceKind> {
        match ext.to_ascii_lowercase().as_str() {
            "pdf" => Some(SourceKind::Pdf),
            "jpg" | "jpeg" | "jpe" | "jfif" => Some(SourceKind::Jpeg),
            "png" => Some(SourceKind::Png),
            "tif" | "tiff" => Some(SourceKind::Tiff),
            _ => None,
        }
    }

    pub fn from_magic(head: &[u8]) -> Option<SourceKind> {
        if head.starts_with(b"%PDF-") {
            Some(SourceKind::Pdf)
        } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(SourceKind::Jpeg)
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(SourceKind::Png)
        } else if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
            Some(SourceKind::Tiff)
        } else {
            None
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SourceKind::Pdf => "PDF",
            SourceKind::Jpeg => "JPEG",
            SourceKind::Png => "PNG",
            SourceKind::Tiff => "TIFF",
        })
    }
}

/// Reads the first bytes of `path` and decides its format.
pub fn sniff(path: &Path) -> Result<SourceKind, PagesError> {
    let mut head = [0u8; 8];
    let mut f = std::fs::File::open(path)?;
    let mut n = 0;
    while n < head.len() {
        let r = f.read(&mut head[n..])?;
        if r == 0 {
            break;
        }
        n += r;
    }
    if n == 0 {
        return Err(PagesError::Empty);
    }
    // PDFs may carry a few bytes of junk before the header; look further.
    let kind = match SourceKind::from_magic(&head[..n]) {
        Some(k) => Some(k),
        None => {
            let mut buf = vec![0u8; 1024];
            let mut f = std::fs::File::open(path)?;
            let m = f.read(&mut buf)?;
            buf[..m]
                .windows(5)
                .any(|w| w == b"%PDF-")
                .then_some(SourceKind::Pdf)
        }
    };
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match (kind, SourceKind::from_extension(ext)) {
        (None, _) => Err(PagesError::Unsupported),
        (Some(actual), Some(claimed)) if actual != claimed => Err(PagesError::WrongExtension {
            extension: ext.to_string(),
            actual,
        }),
        (Some(actual), _) => Ok(actual),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_and_extension_must_agree() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, bytes: &[u8]| {
            let p = dir.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            p
        };
        assert_eq!(
            sniff(&write("a.pdf", b"%PDF-1.4\n...")).unwrap(),
            SourceKind::Pdf
        );
        assert_eq!(
            sniff(&write("a.JPG", &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0])).unwrap(),
            SourceKind::Jpeg
        );
        assert_eq!(
            sniff(&write("noext", b"\x89PNG\r\n\x1a\n")).unwrap(),
            SourceKind::Png
        );
        let e = sniff(&write("b.pdf", &[0xFF, 0xD8, 0xFF, 0xE0])).unwrap_err();
        assert!(
            matches!(
                e,
                PagesError::WrongExtension {
                    actual: SourceKind::Jpeg,
                    ..
                }
            ),
            "{e}"
        );
        assert!(matches!(
            sniff(&write("e.pdf", b"")).unwrap_err(),
            PagesError::Empty
        ));
        assert!(matches!(
            sniff(&write("t.txt", b"hello world")).unwrap_err(),
            PagesError::Unsupported
        ));
    }
}
