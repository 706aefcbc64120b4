//! One integration being edited: field values aligned with the operation's form.

use tui_input::{Input, InputRequest};

use super::secret_text::SecretText;
use crate::catalog::{FieldDef, FieldKind, Operation, Platform};
use crate::config::{Integration, Setting};
use crate::secret::SecretRef;
use crate::validate::Value;

#[derive(Debug)]
pub enum FieldState {
    Text(Input),
    Toggle(bool),
    Secret(SecretField),
}

#[derive(Debug, Default)]
pub struct SecretField {
    pub typed: SecretText,
    /// The keyring entry that already holds this secret (loaded from the file).
    pub stored: Option<SecretRef>,
    /// The stored entry was looked up after loading and is gone from its store.
    pub vanished: bool,
}

#[derive(Debug)]
pub struct IntegrationForm {
    pub platform: String,
    pub operation: String,
    /// One per form field, in form order.
    pub fields: Vec<FieldState>,
    /// Which fields the operator has left at least once: only those show errors.
    pub visited: Vec<bool>,
    /// The integration as loaded from the file, if it came from there. Set once, when
    /// the form is made: which form became which integration of the file is worked
    /// out again only when forms come or go (`Forms::structure`).
    pub original: Option<Integration>,
    /// Whether anything was typed or changed since the draft was created.
    pub touched: bool,
}

impl IntegrationForm {
    pub fn new(platform: &Platform, operation: &Operation) -> IntegrationForm {
        let fields: Vec<FieldState> = platform
            .form_fields(operation)
            .map(|def| match def.kind {
                FieldKind::Group | FieldKind::Text => FieldState::Text(Input::default()),
                FieldKind::Toggle => FieldState::Toggle(def.default.unwrap_or(true)),
                FieldKind::Secret => FieldState::Secret(SecretField::default()),
            })
            .collect();
        IntegrationForm {
            platform: platform.id.clone(),
            operation: operation.id.clone(),
            visited: vec![false; fields.len()],
            fields,
            original: None,
            touched: false,
        }
    }

    pub fn from_integration(
        platform: &Platform,
        operation: &Operation,
        integration: &Integration,
    ) -> IntegrationForm {
        let mut draft = IntegrationForm::new(platform, operation);
        for (def, state) in platform.form_fields(operation).zip(draft.fields.iter_mut()) {
            match (def.kind, state) {
                (FieldKind::Group, FieldState::Text(input)) => {
                    *input = Input::new(integration.group.clone().unwrap_or_default());
                }
                (FieldKind::Toggle, FieldState::Toggle(on)) => *on = integration.enabled,
                (FieldKind::Text, FieldState::Text(input)) => {
                    if let Some(Setting::Text(text)) = integration.settings.get(&def.key) {
                        *input = Input::new(text.clone());
                    }
                }
                (FieldKind::Secret, FieldState::Secret(secret)) => {
                    if let Some(Setting::Secret(reference)) = integration.settings.get(&def.key) {
                        secret.stored = Some(reference.clone());
                    }
                }
                _ => {}
            }
        }
        draft.original = Some(integration.clone());
        draft.visited.fill(true);
        draft
    }

    /// The value of field `index` as the rules see it.
    pub fn value(&self, index: usize) -> Value<'_> {
        match &self.fields[index] {
            FieldState::Text(input) => Value::Text(input.value()),
            FieldState::Toggle(on) => Value::Toggle(*on),
            FieldState::Secret(secret) => Value::Secret {
                typed: (!secret.typed.is_empty()).then(|| secret.typed.expose()),
                stored: secret.stored.is_some(),
            },
        }
    }

    /// The trimmed Group (empty when none).
    pub fn group(&self, defs: &[&FieldDef]) -> String {
        defs.iter()
            .position(|d| d.kind == FieldKind::Group)
            .and_then(|i| match &self.fields[i] {
                // NFC, as loading reads it: the saved name and its entries' names
                // are the same whether `Ö` was typed composed or decomposed.
                FieldState::Text(input) => {
                    use unicode_normalization::UnicodeNormalization;
                    Some(input.value().trim().nfc().collect())
                }
                _ => None,
            })
            .unwrap_or_default()
    }

    pub fn enabled(&self, defs: &[&FieldDef]) -> bool {
        defs.iter()
            .position(|d| d.kind == FieldKind::Toggle)
            .and_then(|i| match self.fields[i] {
                FieldState::Toggle(on) => Some(on),
                _ => None,
            })
            .unwrap_or(true)
    }

    /// Applies an editing request to a text or secret field. Returns whether it changed.
    pub fn edit(&mut self, index: usize, request: InputRequest) -> bool {
        let changed = match &mut self.fields[index] {
            FieldState::Text(input) => input.handle(request).is_some_and(|r| r.value),
            FieldState::Secret(secret) => edit_secret(&mut secret.typed, request),
            FieldState::Toggle(_) => false,
        };
        self.touched |= changed;
        changed
    }

    /// Inserts already-checked text at the caret.
    pub fn insert(&mut self, index: usize, text: &str) {
        match &mut self.fields[index] {
            FieldState::Text(input) => {
                for c in text.chars() {
                    input.handle(InputRequest::InsertChar(c));
                }
            }
            FieldState::Secret(secret) => secret.typed.insert_str(text),
            FieldState::Toggle(_) => return,
        }
        self.touched = true;
    }

    pub fn flip(&mut self, index: usize) -> bool {
        if let FieldState::Toggle(on) = &mut self.fields[index] {
            *on = !*on;
            self.touched = true;
            return true;
        }
        false
    }
}

/// Secrets are edited at the caret, as text is: masked, the caret moves among the
/// mask characters. Returns whether the value changed (a caret move alone does not
/// make the draft dirty).
fn edit_secret(text: &mut SecretText, request: InputRequest) -> bool {
    match request {
        InputRequest::InsertChar(c) => text.insert(c),
        InputRequest::DeletePrevChar => return text.delete_before(),
        InputRequest::DeleteNextChar => return text.delete_after(),
        InputRequest::DeleteLine if !text.is_empty() => text.clear(),
        InputRequest::DeleteFromStart | InputRequest::DeletePrevWord => {
            return text.delete_to_start();
        }
        InputRequest::DeleteTillEnd => return text.delete_to_end(),
        InputRequest::GoToPrevChar => {
            text.move_caret(text.caret().saturating_sub(1));
            return false;
        }
        InputRequest::GoToNextChar => {
            text.move_caret(text.caret() + 1);
            return false;
        }
        InputRequest::GoToStart => {
            text.move_caret(0);
            return false;
        }
        InputRequest::GoToEnd => {
            text.move_caret(usize::MAX);
            return false;
        }
        _ => return false,
    }
    true
}
