//! Reception-desk intake: what happens between the paper on the desk and a
//! stored, linked dossier copy.
//!
//! - [`codes`]: QR and Code128 reading (rxing, explicit formats), separator
//!   and receipt payloads checked against the dossier-code pattern;
//! - [`sheet`]: printable separator sheets (A4 PDF, QR, Vietnamese font);
//! - [`split`]: cutting a scanned batch on separator sheets and receipts;
//! - [`quality`]: dpi, colour, blank pages, skew and upside-down pages,
//!   straightened derived copies;
//! - [`pdfout`]: PDFs of scanned pages (parts, derived versions, batches);
//! - [`hotfolder`]: watching a copier's "scan to folder" target;
//! - [`scan`]: scanners through SANE (feature `sane`).
//!
//! This crate knows nothing of the database or the store: `doisoat-core`
//! records what it decides. It does not depend on Tauri.

pub mod codes;
pub mod geometry;
pub mod hotfolder;
pub mod pdfout;
pub mod quality;
pub mod scan;
pub mod sheet;
pub mod split;
pub mod synth;

#[cfg(test)]
pub(crate) use synth as testimg;

/// What can go wrong in intake.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("{0}")]
    Invalid(String),
    #[error("{}: {source}", path.display())]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("folder watch failed: {0}")]
    Watch(String),
    #[error("scanner: {0}")]
    Scanner(String),
    #[error("scanning is not available in this build (built without the `sane` feature)")]
    NoScanner,
}
