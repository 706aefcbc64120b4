//! Review's wording, shared by the full-screen view and plain mode: what each field
//! will be written as, and what each store means for the secrets in it.

use super::FieldState;
use crate::catalog::{FieldDef, FieldKind};
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
                    "{hidden} ({} chars) {to} {target}, {verb}",
                    secret.typed.char_count()
                )
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
    }
}
