//! `status --json`: what `status` prints, as one JSON object (README "status --json").

use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};

use super::{EXIT_INVALID, draft_entries, list_all, own_namespace, read_document, unreferenced};
use crate::commands::inventory::Presence;
use crate::commands::stored_values::{StoredSecret, exit_status, read_and_check};
use crate::io::effects::StoreProvider;
use crate::secret::StoreKind;
use crate::validate::document::locate;
use crate::validate::{Problem, Severity, check_document};

/// A secret's state, fingerprint and message (never the value).
pub fn secret_json(secret: &StoredSecret) -> Value {
    let (state, fingerprint, message) = match &secret.presence {
        Presence::Present { fingerprint } => ("present", Some(fingerprint.clone()), None),
        Presence::Invalid { fingerprint, why } => {
            ("invalid", Some(fingerprint.clone()), Some(why.clone()))
        }
        Presence::Missing => ("missing", None, None),
        Presence::Unreadable(why) => ("unreadable", None, Some(why.clone())),
    };
    json!({
        "field": secret.key,
        "store": secret.reference.store.as_str(),
        "entry": secret.reference.user,
        "state": state,
        "fingerprint": fingerprint,
        "message": message,
    })
}

pub fn problem_json(problem: &Problem) -> Value {
    json!({
        "severity": problem.severity.to_string(),
        "location": problem.location,
        "message": problem.message,
    })
}

fn entries(list: &[(StoreKind, String)]) -> Vec<Value> {
    list.iter()
        .map(|(kind, user)| json!({"store": kind.as_str(), "entry": user}))
        .collect()
}

/// `wfm-wizard status --json`; the exit status is `status`'s.
pub fn status_json(path: &Path, stores: &dyn StoreProvider, out: &mut dyn Write) -> u8 {
    let mut report = json!({"config": path.display().to_string()});
    let document = match read_document(path) {
        Ok(document) => document,
        Err(line) => {
            report["error"] = json!(line);
            let _ = writeln!(out, "{report}");
            return EXIT_INVALID;
        }
    };
    let mut status = EXIT_INVALID;
    report["exists"] = json!(document.is_some());
    if let Some(document) = &document {
        let catalog = crate::catalog::Catalog::builtin();
        let now = crate::commands::now();
        let problems: Vec<Problem> = check_document(document, &catalog, now)
            .into_iter()
            .filter(|p| p.severity == Severity::Error)
            .collect();
        let secrets = read_and_check(document, &catalog, stores, now);
        status = exit_status(problems.len(), &secrets);
        report["problems"] = problems.iter().map(problem_json).collect();
        report["integrations"] = document
            .integrations
            .iter()
            .enumerate()
            .map(|(index, integration)| {
                json!({
                    "index": index,
                    "location": locate(index, integration),
                    "platform": integration.platform,
                    "operation": integration.operation,
                    "group": integration.group,
                    "enabled": integration.enabled,
                    "secrets": secrets
                        .iter()
                        .filter(|s| s.index == index)
                        .map(secret_json)
                        .collect::<Vec<_>>(),
                })
            })
            .collect();
    }
    let (listed, notes) = list_all(stores);
    match own_namespace(path, document.as_ref()) {
        Ok(namespace) => {
            let found = unreferenced(
                document.as_ref(),
                Some(&namespace),
                &listed,
                &draft_entries(path),
            );
            report["orphans"] = entries(&found.orphans).into();
            report["drafts"] = entries(&found.drafts).into();
            report["others"] = found.others.into();
        }
        Err(why) => {
            report["orphans"] = json!(null);
            report["orphans_note"] = json!(why);
        }
    }
    report["notes"] = json!(notes);
    report["exit"] = json!(status);
    let _ = writeln!(out, "{report}");
    status
}
