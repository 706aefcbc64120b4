//! Loading the config for a wizard session: the file read and checked against the
//! catalog, its namespace, and the draft an earlier session left beside it. Runs
//! before the first frame for small files and on an effect thread for large ones
//! (`Effect::LoadConfig`), so both build the same wizard.

use std::path::Path;

use super::{config_file, draft_file, namespace};
use crate::catalog::Catalog;
use crate::config::{Document, Setting, parse_document};
use crate::secret::StoreKind;
use crate::validate::{Severity, check_document};
use crate::wizard::LoadedConfig;

/// Files up to this size load before the first frame (a few milliseconds): the first
/// screen is then the full one at once, byte for byte as before. Larger files are read
/// after it, on an effect thread.
pub const INLINE_LOAD_BYTES: u64 = 64 * 1024;

/// Whether the file at `path` is large enough to read after the first frame. A file
/// that cannot be looked at loads inline, where its error is reported as before.
pub fn worth_loading_later(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() > INLINE_LOAD_BYTES)
}

/// A file's text, parsed and checked against the catalog's rules. The error names the
/// problem (the caller adds the path).
pub fn check_text(text: &str, catalog: &Catalog, now: i64) -> Result<Document, String> {
    let document = parse_document(text).map_err(|e| e.to_string())?;
    let errors: Vec<String> = check_document(&document, catalog, now)
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| format!("{}: {}", p.location, p.message))
        .collect();
    if errors.is_empty() {
        Ok(document)
    } else {
        Err(errors.join("\n  "))
    }
}

/// Reads and checks the file at `path` (`None` when there is none yet).
pub fn read_checked(
    path: &Path,
    catalog: &Catalog,
    now: i64,
) -> Result<(Option<String>, Option<Document>), String> {
    let text = config_file::read(path)?;
    let document = text
        .as_deref()
        .map(|text| check_text(text, catalog, now))
        .transpose()?;
    Ok((text, document))
}

/// Everything a wizard over the file at `real` (its resolved path) starts from. A
/// read-only session neither offers a draft nor a migration: those are not looked up.
pub fn session_start(
    real: &Path,
    text: Option<String>,
    document: Option<Document>,
    read_only: bool,
) -> LoadedConfig {
    let identity = namespace::identify(real, document.as_ref());
    let (kernel_secrets_to_keep, draft) = if read_only {
        (0, Ok(None))
    } else {
        (
            kernel_secrets_to_keep(document.as_ref()),
            draft_file::read(real).map_err(|why| why.to_string()),
        )
    };
    LoadedConfig {
        document,
        text,
        identity,
        kernel_secrets_to_keep,
        draft,
    }
}

/// The whole load, as the effect thread does it: `Err` is the refusal, in words.
pub fn load(
    real: &Path,
    catalog: &Catalog,
    now: i64,
    read_only: bool,
) -> Result<LoadedConfig, String> {
    let (text, document) = read_checked(real, catalog, now)?;
    Ok(session_start(real, text, document, read_only))
}

/// How many secrets of `document` are in the kernel keyring when systemd credentials
/// could keep them across reboots here (0 otherwise: nothing to offer).
pub fn kernel_secrets_to_keep(document: Option<&Document>) -> usize {
    let in_kernel = document.map_or(0, |d| {
        d.integrations
            .iter()
            .flat_map(|i| i.settings.0.iter().map(|(_, setting)| setting))
            .filter(|s| matches!(s, Setting::Secret(r) if r.store == StoreKind::Keyutils))
            .count()
    });
    #[cfg(target_os = "linux")]
    if in_kernel > 0 && super::secrets::systemd_creds_not_used().is_none() {
        return in_kernel;
    }
    0
}
