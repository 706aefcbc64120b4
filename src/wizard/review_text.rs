//! Review's wording, shared by the full-screen view and plain mode: what each field
//! will be written as, and what each store means for the secrets in it.

use std::fmt::Write;

use super::FieldState;
use crate::catalog::{FieldDef, FieldKind};
use crate::config::diff::Change;
use crate::secret::StoreKind;

/// A field's value as Review shows it. A typed secret is never shown: `hidden` stands
/// for it (a row of mask characters, or a word) and `to` leads to its store.
pub fn field_value(
    def: &FieldDef,
    state: &FieldState,
    new_store: Option<StoreKind>,
    hidden: &str,
    to: &str,
) -> String {
    let mut out = String::new();
    write_field_value(&mut out, def, state, new_store, hidden, to);
    out
}

/// [`field_value`] appended to `out`: Review measures 10,000 integrations' fields
/// into one buffer instead of a string each.
pub fn write_field_value(
    out: &mut String,
    def: &FieldDef,
    state: &FieldState,
    new_store: Option<StoreKind>,
    hidden: &str,
    to: &str,
) {
    // Writing into a String cannot fail.
    let _ = match (def.kind, state) {
        (FieldKind::Group, FieldState::Text(input)) if input.value().trim().is_empty() => {
            out.write_str("(none: keyring entries use \"default\")")
        }
        (_, FieldState::Text(input)) => out.write_str(input.value().trim()),
        (_, FieldState::Toggle(on)) => out.write_str(if *on { "enabled" } else { "disabled" }),
        (_, FieldState::Secret(secret)) => match (&secret.stored, secret.typed.is_empty()) {
            (_, false) => {
                let target =
                    new_store.map_or_else(|| "the secret store".to_owned(), |k| k.to_string());
                let verb = if secret.stored.is_some() {
                    "replaces the stored one"
                } else {
                    "new"
                };
                write!(
                    out,
                    "{hidden} ({}) {to} {target}, {verb}",
                    crate::wording::chars(secret.typed.char_count())
                )
            }
            (Some(reference), true) if secret.vanished => {
                write!(out, "MISSING: gone from {}, type it again", reference.store)
            }
            (Some(reference), true) => write!(out, "stored in {} (kept)", reference.store),
            (None, true) => out.write_str("missing"),
        },
    };
}

pub fn store_description(kind: StoreKind) -> String {
    match kind {
        StoreKind::SecretService => {
            "secret-service (the desktop keyring; kept across reboots)".into()
        }
        StoreKind::Keyutils => {
            "keyutils (the kernel keyring: lost at reboot or after 3 idle days)".into()
        }
        StoreKind::Keychain => "keychain (macOS Keychain)".into(),
        StoreKind::Windows => "windows (Windows Credential Manager)".into(),
        StoreKind::SystemdCreds => format!(
            "systemd-creds ({})",
            super::store_gate::SYSTEMD_CREDS_DURABILITY
        ),
    }
}

/// Review's "Changes" heading.
pub const CHANGES_TITLE: &str = "Changes to the file on disk:";
/// More changes than this are counted, not listed: the integrations below show them.
pub const MAX_CHANGES_SHOWN: usize = 40;

/// The changes a save makes, one line each (secrets only as "new value"), or "No changes".
pub fn change_lines<'a>(changes: impl Clone + Iterator<Item = &'a Change>) -> Vec<String> {
    if changes.clone().next().is_none() {
        return vec!["No changes.".to_owned()];
    }
    // An added integration's secrets are all new: Review lists them under it.
    let added: Vec<&str> = changes
        .clone()
        .filter_map(|c| match c {
            Change::IntegrationAdded { label } => Some(label.as_str()),
            _ => None,
        })
        .collect();
    let shown: Vec<&Change> = changes
        .filter(|c| {
            !matches!(c, Change::SecretNewValue { label, .. } if added.contains(&label.as_str()))
        })
        .collect();
    let mut lines: Vec<String> = shown
        .iter()
        .take(MAX_CHANGES_SHOWN)
        .map(ToString::to_string)
        .collect();
    if shown.len() > MAX_CHANGES_SHOWN {
        lines.push(format!(
            "... and {} more changes",
            shown.len() - MAX_CHANGES_SHOWN
        ));
    }
    lines
}

/// What Review warns about: each field's warning (a client ID that is not 22
/// characters, a sub account ID with letters), as "name: field: warning". Unlike
/// errors, these do not block a save.
pub fn warnings(wizard: &super::Wizard) -> Vec<String> {
    wizard.problems_and_warnings().1
}
