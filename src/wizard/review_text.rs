//! Review's wording, shared by the full-screen view and plain mode: what each field
//! will be written as, and what each store means for the secrets in it.

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
    match (def.kind, state) {
        (FieldKind::Group, FieldState::Text(input)) if input.value().trim().is_empty() => {
            "(none: keyring entries use \"default\")".to_owned()
        }
        (_, FieldState::Text(input)) => input.value().trim().to_owned(),
        (_, FieldState::Toggle(on)) => if *on { "enabled" } else { "disabled" }.to_owned(),
        (_, FieldState::Secret(secret)) => match (&secret.stored, secret.typed.is_empty()) {
            (_, false) => {
                let target =
                    new_store.map_or_else(|| "the secret store".to_owned(), |k| k.to_string());
                let verb = if secret.stored.is_some() {
                    "replaces the stored one"
                } else {
                    "new"
                };
                format!(
                    "{hidden} ({}) {to} {target}, {verb}",
                    crate::wording::chars(secret.typed.char_count())
                )
            }
            (Some(reference), true) if secret.vanished => {
                format!("MISSING: gone from {}, type it again", reference.store)
            }
            (Some(reference), true) => format!("stored in {} (kept)", reference.store),
            (None, true) => "missing".to_owned(),
        },
    }
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
pub fn change_lines(changes: &[Change]) -> Vec<String> {
    if changes.is_empty() {
        return vec!["No changes.".to_owned()];
    }
    // An added integration's secrets are all new: Review lists them under it.
    let added: Vec<&str> = changes
        .iter()
        .filter_map(|c| match c {
            Change::IntegrationAdded { label } => Some(label.as_str()),
            _ => None,
        })
        .collect();
    let shown: Vec<&Change> = changes
        .iter()
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
    let mut out = Vec::new();
    for index in 0..wizard.forms().len() {
        // Looked up once per draft, named only when it has a warning (10,000 of them).
        let defs = wizard.form_fields(index);
        let mut name = None;
        for (field, def) in defs.iter().enumerate() {
            if let Some(warning) = wizard.field_check_of(index, field, &defs).warning {
                let name = name.get_or_insert_with(|| wizard.draft_name_of(index, &defs));
                out.push(format!("{name}: {}: {warning}", def.label));
            }
        }
    }
    out
}
