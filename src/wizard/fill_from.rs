//! A new integration filled from an existing one of the same platform (User import
//! usually has Historical's credentials): values are copied, secrets included, and
//! saved under the new integration's own entries (a copied secret counts as typed).

use super::{Effect, FieldState, Level, Notice, Step, Wizard};
use crate::catalog::FieldKind;
use crate::secret::SecretRef;

impl Wizard {
    /// The integration a new, untouched form at `draft` can be filled from: the last
    /// other one of its platform. `None`: nothing to offer.
    pub fn fill_source(&self, draft: usize) -> Option<usize> {
        let form = self.forms.get(draft)?;
        if form.original.is_some() || form.touched {
            return None;
        }
        (0..self.forms.len())
            .rev()
            .find(|&i| i != draft && self.forms[i].platform == form.platform)
    }

    /// The offer on a new form that can be filled, in both faces' words.
    pub fn fill_offer(&self, draft: usize) -> Option<String> {
        let source = self.fill_source(draft)?;
        Some(format!(
            "⟦FillFrom⟧ fills this from {}: the same values and secrets, saved under this \
             integration's own entries.",
            self.draft_name(source)
        ))
    }

    /// Copies the source's values into the form at `draft`, field by field with the
    /// same key (the Group only across operations, where it cannot clash). Stored
    /// secrets are read back through the effect that loads secrets.
    pub(super) fn fill_from_existing(&mut self, draft: usize) -> Vec<Effect> {
        let Some(source) = self.fill_source(draft) else {
            return Vec::new();
        };
        let same_operation = self.forms[source].operation == self.forms[draft].operation;
        let source_keys: Vec<(String, FieldKind)> = self
            .form_fields(source)
            .iter()
            .map(|def| (def.key.clone(), def.kind))
            .collect();
        let target_keys: Vec<(String, FieldKind)> = self
            .form_fields(draft)
            .iter()
            .map(|def| (def.key.clone(), def.kind))
            .collect();
        let mut to_read: Vec<(usize, usize, SecretRef)> = Vec::new();
        for (field, (key, kind)) in target_keys.iter().enumerate() {
            if *kind == FieldKind::Toggle || (*kind == FieldKind::Group && same_operation) {
                continue;
            }
            let Some(from) = source_keys.iter().position(|(k, _)| k == key) else {
                continue;
            };
            let (src, dst) = self.forms.read_and_write(source, draft);
            match (&src.fields[from], &mut dst.fields[field]) {
                (FieldState::Text(value), FieldState::Text(input)) => {
                    *input = tui_input::Input::new(value.value().to_owned());
                }
                (FieldState::Secret(value), FieldState::Secret(secret)) => {
                    if !value.typed.is_empty() {
                        secret.typed.clear();
                        secret.typed.push_str(value.typed.expose());
                    } else if let Some(stored) = &value.stored {
                        to_read.push((draft, field, stored.clone()));
                    }
                }
                _ => {}
            }
        }
        self.forms[draft].touched = true;
        self.dirty = true;
        self.notice = Some(Notice {
            level: Level::Info,
            text: format!(
                "Filled from {}; its secrets are saved again under this integration's own \
                 entries.",
                self.draft_name(source)
            ),
        });
        if let Step::Form { focus, .. } = &mut self.step {
            *focus = 0;
        }
        if to_read.is_empty() {
            return Vec::new();
        }
        let references = to_read.iter().map(|(_, _, r)| r.clone()).collect();
        self.recovery.restoring.extend(to_read);
        vec![Effect::LoadDraftSecrets(references)]
    }
}
