//! The vocabulary of doisoat: dossier codes, the two sides of a copy, and the
//! kinds of finding a reconciliation produces.
//!
//! This crate knows nothing about files, SQLite or the desktop shell. Every
//! other crate speaks in its types.

pub mod code;
pub mod model;
pub mod text;

pub use code::{CodeCheck, DossierCode};
pub use model::{FindingKind, FindingStatus, Region, Side, TextChange};
