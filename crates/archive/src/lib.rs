//! Archive integrity for doisoat, independent of dossiers and of the core:
//!
//! - [`bagit`]: writing and validating BagIt bags (RFC 8493) as a folder, a
//!   tar or a zip, refusing unsafe or incomplete bags before anything is used;
//! - [`backup`]: a consistent copy of a running data folder through SQLite's
//!   online backup API plus the store, and a restore that proves the copy is
//!   the same;
//! - [`fixity`]: reading stored files back to check them, with sequential
//!   read-ahead and without filling the page cache;
//! - [`pace`]: a byte-rate limiter so a background fixity pass leaves the
//!   disk to the desk.
//!
//! The core maps dossiers onto bags; this crate knows only files and bytes.

pub mod backup;
pub mod bagit;
pub mod fixity;
pub mod pace;

pub use backup::{BackupError, BackupSummary, RestoreSummary};
pub use bagit::{BagError, BagFormat, PayloadEntry, PayloadSource, ValidatedBag, WrittenBag};
pub use pace::Pacer;
