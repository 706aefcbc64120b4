//! `validate --json`: what `validate` prints, as one JSON object (README "validate --json").

use std::io::Write;
use std::path::Path;

use serde_json::json;

use super::secrets_report::status_json::{problem_json, secret_json};
use super::stored_values::{exit_status, read_and_check};
use super::{EXIT_INVALID, now};
use crate::catalog::Catalog;
use crate::config::parse_document;
use crate::io::config_file;
use crate::io::effects::StoreProvider;
use crate::validate::document::locate;
use crate::validate::{Severity, check_document};

/// `wfm-wizard validate --json`; the exit status is `validate`'s.
pub fn validate_json(
    path: &Path,
    catalog: &Catalog,
    stores: &dyn StoreProvider,
    out: &mut dyn Write,
) -> u8 {
    let mut report = json!({"config": path.display().to_string()});
    let loaded = match config_file::read(path) {
        Ok(Some(text)) => parse_document(&text).map_err(|e| e.to_string()),
        Ok(None) => Err("no such file; run wfm-wizard to create it".to_owned()),
        Err(e) => Err(e),
    };
    let document = match loaded {
        Ok(document) => document,
        Err(why) => {
            report["valid"] = json!(false);
            report["error"] = json!(why);
            report["exit"] = json!(EXIT_INVALID);
            let _ = writeln!(out, "{report}");
            return EXIT_INVALID;
        }
    };
    let now = now();
    let problems = check_document(&document, catalog, now);
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    let secrets = read_and_check(&document, catalog, stores, now);
    let status = exit_status(errors, &secrets);
    report["valid"] = json!(status == super::EXIT_OK);
    report["exit"] = json!(status);
    report["integrations"] = json!(document.integrations.len());
    report["problems"] = problems.iter().map(problem_json).collect();
    report["secrets"] = secrets
        .iter()
        .map(|s| {
            let mut value = secret_json(s);
            value["location"] = json!(locate(s.index, &document.integrations[s.index]));
            value
        })
        .collect();
    let _ = writeln!(out, "{report}");
    status
}
