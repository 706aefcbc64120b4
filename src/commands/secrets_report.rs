//! `status`, `prune` and `secret get`: what is in the stores, compared with the file.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use secrecy::ExposeSecret;

use super::inventory::{SecretLine, Unreferenced, references, secret_lines, unreferenced};
use super::{
    EXIT_CANCELLED, EXIT_FAILURE, EXIT_INVALID, EXIT_OK, EXIT_STORE_UNAVAILABLE, EXIT_USAGE,
};
use crate::config::{Document, Setting, parse_document};
use crate::identity::Ownership;
use crate::io::config_file;
use crate::io::effects::StoreProvider;
use crate::io::secrets::native_kinds;
use crate::secret::{SERVICE, SecretRef, StoreKind};
use crate::validate::document::locate;
use crate::validate::{Severity, check_document};

use super::stored_values::{exit_status, read_and_check};

/// The draft file that owns `draft/…` entries: `<config path>.draft`.
pub fn draft_path(config: &Path) -> PathBuf {
    let mut name = config.file_name().unwrap_or_default().to_owned();
    name.push(".draft");
    config.with_file_name(name)
}

/// The file, parsed; `Ok(None)` when there is none. `Err` is the line to print.
fn read_document(path: &Path) -> Result<Option<Document>, String> {
    let text = config_file::read(path).map_err(|e| format!("error: {}: {e}", path.display()))?;
    text.map(|t| parse_document(&t).map_err(|e| format!("error: {}: {e}", path.display())))
        .transpose()
}

/// The namespace whose orphans this file may list and remove, or why there is none.
fn own_namespace(path: &Path, document: Option<&Document>) -> Result<String, String> {
    let real = config_file::real_path_or_given(path);
    let identity = crate::io::namespace::identify(&real, document);
    match (
        &identity.note,
        document.and_then(|d| d.namespace.as_deref()),
    ) {
        (None | Some(Ownership::MovedFrom { .. }), Some(namespace)) => Ok(namespace.to_owned()),
        (Some(Ownership::CopyOf { original, .. }), _) => Err(format!(
            "this file is a copy of {original} and uses its keyring entries, so no entry is \
             listed as this file's orphan; open it in wfm-wizard and save once to give it \
             entries of its own"
        )),
        _ => Err(
            "this file was written before each config had its own keyring namespace (version \
             1): its entry names may be shared with other version-1 files, so none is listed \
             as an orphan; open it in wfm-wizard and save once to move its secrets to its own \
             namespace"
                .into(),
        ),
    }
}

/// The entries the draft file names (none when there is no readable draft).
fn draft_entries(path: &Path) -> Vec<SecretRef> {
    crate::io::draft_file::read(&config_file::real_path_or_given(path))
        .ok()
        .flatten()
        .map(|snapshot| snapshot.typed_entries())
        .unwrap_or_default()
}

/// Every entry under the service in every store of this system; stores that could not
/// be listed come back as notes.
fn list_all(stores: &dyn StoreProvider) -> (Vec<(StoreKind, String)>, Vec<String>) {
    let mut listed = Vec::new();
    let mut notes = Vec::new();
    for kind in native_kinds() {
        match stores.open(kind).and_then(|s| s.list()) {
            Ok(users) => listed.extend(users.into_iter().map(|u| (kind, u))),
            Err(e) => notes.push(format!("{kind} not checked for other entries: {e}")),
        }
    }
    (listed, notes)
}

/// `wfm-wizard status`.
pub fn status(path: &Path, stores: &dyn StoreProvider, out: &mut dyn Write) -> u8 {
    let document = match read_document(path) {
        Ok(document) => document,
        Err(line) => {
            let _ = writeln!(out, "{line}");
            return EXIT_INVALID;
        }
    };
    // Exit statuses as `validate` gives them (README): the same reading decides both.
    let mut status = EXIT_INVALID;
    match &document {
        None => {
            let _ = writeln!(
                out,
                "{}: no such file yet; run wfm-wizard to create it",
                path.display()
            );
        }
        Some(document) => {
            let _ = writeln!(
                out,
                "{}: {} integration(s)",
                path.display(),
                document.integrations.len()
            );
            let catalog = crate::catalog::Catalog::builtin();
            let now = super::now();
            let problems: Vec<_> = check_document(document, &catalog, now)
                .into_iter()
                .filter(|p| p.severity == Severity::Error)
                .collect();
            for problem in &problems {
                let _ = writeln!(out, "error: {}: {}", problem.location, problem.message);
            }
            let secrets = read_and_check(document, &catalog, stores, now);
            status = exit_status(problems.len(), &secrets);
            for (index, integration) in document.integrations.iter().enumerate() {
                let state = if integration.enabled {
                    "enabled"
                } else {
                    "disabled"
                };
                let _ = writeln!(out, "  {}  {state}", locate(index, integration));
                let lines: Vec<SecretLine> = secrets
                    .iter()
                    .filter(|s| s.index == index)
                    .map(|s| SecretLine {
                        key: s.key.clone(),
                        reference: s.reference.clone(),
                        presence: s.presence.clone(),
                    })
                    .collect();
                for line in secret_lines(&lines) {
                    let _ = writeln!(out, "{line}");
                }
            }
        }
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
            print_unreferenced(&found, path, out);
        }
        Err(why) if document.is_some() => {
            let _ = writeln!(out, "note: {why}");
        }
        Err(_) => {}
    }
    for note in notes {
        let _ = writeln!(out, "note: {note}");
    }
    status
}

fn print_unreferenced(found: &Unreferenced, path: &Path, out: &mut dyn Write) {
    if found.others > 0 {
        let _ = writeln!(
            out,
            "{} entr{} under service {SERVICE} belong to other configs or to version-1 files: left alone.",
            found.others,
            if found.others == 1 { "y" } else { "ies" }
        );
    }
    if found.orphans.is_empty() {
        let _ = writeln!(
            out,
            "No orphan entries of this config under service {SERVICE}."
        );
    } else {
        let _ = writeln!(
            out,
            "Orphan entries of this config under service {SERVICE} (no integration refers \
             to them; `wfm-wizard prune` removes them):"
        );
        for (kind, user) in &found.orphans {
            let _ = writeln!(out, "    {:14}  {user}", kind.as_str());
        }
    }
    if !found.drafts.is_empty() {
        let _ = writeln!(
            out,
            "Draft entries, kept while {} names them:",
            draft_path(path).display()
        );
        for (kind, user) in &found.drafts {
            let _ = writeln!(out, "    {:14}  {user}", kind.as_str());
        }
    }
}

/// How `prune` may ask for confirmation.
pub enum Confirm<'a> {
    /// `--yes`: no question.
    Yes,
    /// A terminal to ask on.
    Ask(&'a mut dyn BufRead),
    /// Neither: refuse.
    NoTerminal,
}

/// `wfm-wizard prune [--yes]`.
pub fn prune(
    path: &Path,
    stores: &dyn StoreProvider,
    confirm: Confirm<'_>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let document = match read_document(path) {
        Ok(Some(document)) => document,
        Ok(None) => {
            let _ = writeln!(
                err,
                "error: {}: no such file; prune removes entries this file does not refer to, \
                 so it needs the file (check --config)",
                path.display()
            );
            return EXIT_INVALID;
        }
        Err(line) => {
            let _ = writeln!(err, "{line}");
            return EXIT_INVALID;
        }
    };
    let namespace = match own_namespace(path, Some(&document)) {
        Ok(namespace) => namespace,
        Err(why) => {
            let _ = writeln!(err, "Nothing removed: {why}.");
            return EXIT_OK;
        }
    };
    let (listed, notes) = list_all(stores);
    for note in &notes {
        let _ = writeln!(err, "note: {note}");
    }
    let found = unreferenced(
        Some(&document),
        Some(&namespace),
        &listed,
        &draft_entries(path),
    );
    print_unreferenced(&found, path, out);
    if found.orphans.is_empty() {
        return EXIT_OK;
    }
    let count = found.orphans.len();
    match confirm {
        Confirm::Yes => {}
        Confirm::NoTerminal => {
            let _ = writeln!(
                err,
                "error: not removing {count} entr{} without asking, and there is no terminal \
                 to ask on; run again with --yes to remove them",
                if count == 1 { "y" } else { "ies" }
            );
            return EXIT_USAGE;
        }
        Confirm::Ask(input) => {
            let question = if count == 1 {
                "Remove this entry?".to_owned()
            } else {
                format!("Remove these {count} entries?")
            };
            let _ = write!(err, "{question} [y/N] ");
            let _ = err.flush();
            let mut answer = String::new();
            let _ = input.read_line(&mut answer);
            if !matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
                let _ = writeln!(err, "Nothing removed.");
                return EXIT_CANCELLED;
            }
        }
    }
    let mut status = EXIT_OK;
    for (kind, user) in &found.orphans {
        match stores.open(*kind).and_then(|s| s.delete(user)) {
            Ok(()) => {
                let _ = writeln!(out, "removed {kind} {user}");
            }
            Err(e) => {
                let _ = writeln!(err, "error: could not remove {kind} {user}: {e}");
                status = EXIT_STORE_UNAVAILABLE;
            }
        }
    }
    status
}

/// `wfm-wizard secret get <platform>/<operation>/<group>/<field>`: the value on stdout,
/// only when stdout is not a terminal.
pub fn secret_get(
    path: &Path,
    name: &str,
    stores: &dyn StoreProvider,
    stdout_is_terminal: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    if stdout_is_terminal {
        let _ = writeln!(
            err,
            "error: refusing to print a secret to the terminal; pipe it instead, \
             e.g. `wfm-wizard secret get {name} | your-command`"
        );
        return EXIT_USAGE;
    }
    let document = match read_document(path) {
        Ok(Some(document)) => document,
        Ok(None) => {
            let _ = writeln!(err, "error: {}: no such file", path.display());
            return EXIT_INVALID;
        }
        Err(line) => {
            let _ = writeln!(err, "{line}");
            return EXIT_INVALID;
        }
    };
    // The file is held to the same rules as for `validate` before anything is read.
    let errors: Vec<String> =
        check_document(&document, &crate::catalog::Catalog::builtin(), super::now())
            .into_iter()
            .filter(|p| p.severity == Severity::Error)
            .map(|p| format!("error: {}: {}: {}", path.display(), p.location, p.message))
            .collect();
    if !errors.is_empty() {
        let _ = writeln!(err, "{}", errors.join("\n"));
        return EXIT_INVALID;
    }
    let Some(reference) = find_reference(&document, name) else {
        let known: Vec<String> = references(&document)
            .into_iter()
            .map(|(i, key, _)| {
                let integration = &document.integrations[i];
                format!(
                    "{}/{}/{}/{key}",
                    integration.platform,
                    integration.operation,
                    integration.group.as_deref().unwrap_or("default")
                )
            })
            .collect();
        let _ = writeln!(
            err,
            "error: {} has no secret `{name}`; expected <platform>/<operation>/<group>/<field>, one of: {}",
            path.display(),
            known.join(", ")
        );
        return EXIT_USAGE;
    };
    // Inside the product's unit, systemd has already decrypted it.
    let read = crate::io::secrets::from_credentials_directory(reference).map_or_else(
        || {
            stores
                .open(reference.store)
                .and_then(|s| s.get(&reference.user))
        },
        |loaded| loaded.map(Some),
    );
    match read {
        Ok(Some(value)) => {
            if out.write_all(value.expose_secret().as_bytes()).is_err() || out.flush().is_err() {
                let _ = writeln!(err, "error: could not write the secret to stdout");
                return EXIT_FAILURE;
            }
            EXIT_OK
        }
        Ok(None) => {
            let _ = writeln!(
                err,
                "error: `{name}`: the keyring entry {} is {}",
                reference.user,
                super::inventory::missing_advice(reference.store)
            );
            EXIT_FAILURE
        }
        Err(e) => {
            let _ = writeln!(err, "error: `{name}`: {e}");
            EXIT_STORE_UNAVAILABLE
        }
    }
}

/// The reference a `<platform>/<operation>/<group>/<field>` name points at.
fn find_reference<'a>(document: &'a Document, name: &str) -> Option<&'a SecretRef> {
    let mut parts = name.split('/');
    let (platform, operation, group, field) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    document
        .integrations
        .iter()
        .find(|i| {
            i.platform == platform
                && i.operation == operation
                && i.group.as_deref().unwrap_or("default") == group
        })
        .and_then(|i| match i.settings.get(field) {
            Some(Setting::Secret(reference)) => Some(reference),
            _ => None,
        })
}

pub mod status_json;

#[cfg(test)]
mod tests;
