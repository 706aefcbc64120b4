//! Where there is no directory-handle API here (not Unix), history is unavailable.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::HistoryError;

pub struct HistoryDir {
    pub path: PathBuf,
}

impl HistoryDir {
    pub fn open(_: &Path, _: bool) -> Result<Option<HistoryDir>, HistoryError> {
        Err(HistoryError::Unsupported)
    }
    pub fn replace(&self, _: &str, _: &str) -> Result<(), HistoryError> {
        Err(HistoryError::Unsupported)
    }
    pub fn sync(&self) -> Result<(), HistoryError> {
        Err(HistoryError::Unsupported)
    }
    pub fn read(&self, _: &str, _: u64) -> Result<Option<String>, HistoryError> {
        Err(HistoryError::Unsupported)
    }
    pub fn open_locked_append(&self, _: &str) -> Result<File, HistoryError> {
        Err(HistoryError::Unsupported)
    }
    pub fn names(&self) -> Result<Vec<String>, HistoryError> {
        Err(HistoryError::Unsupported)
    }
    pub fn remove(&self, _: &str) -> Result<(), HistoryError> {
        Err(HistoryError::Unsupported)
    }
}
