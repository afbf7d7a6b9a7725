//! The one error shape that crosses IPC: `{code, message}`. The page branches
//! on `code` (stable, snake_case); `message` is for people, in the language
//! the page has chosen.

use doisoat_core::{CoreError, Lang};
use serde::Serialize;

use crate::paths::PathRefused;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[error("{code}: {message}")]
pub struct IpcError {
    pub code: String,
    pub message: String,
}

impl IpcError {
    pub fn new(code: &str, message: impl Into<String>) -> IpcError {
        IpcError {
            code: code.to_owned(),
            message: message.into(),
        }
    }

    pub fn from_core(error: &CoreError, lang: Lang) -> IpcError {
        let info = error.info(lang);
        IpcError {
            code: info.code.to_string(),
            message: info.message,
        }
    }

    pub fn from_path(error: &PathRefused, lang: Lang) -> IpcError {
        IpcError::new(error.code(), error.message(matches!(lang, Lang::Vi)))
    }
}
