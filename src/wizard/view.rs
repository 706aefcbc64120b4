//! What is on screen, decided once for both faces (the full-screen views in ui/ and
//! plain mode): which layer shows, and the sentences that name no key. Each face
//! decides only how to draw it and which key names to print.

use std::fmt::Write;

use super::Action;
use super::lists::ListItem;
use super::{Overlay, Step, Wizard};
use crate::config::draft::{DraftField, Position, Snapshot};

/// A sentence of the wizard that names a key names the action instead, as
/// `⟦Save⟧`: each face puts its own key's name there (Ctrl-S in the full-screen
/// wizard, `s` in plain mode).
pub fn name_keys(text: &str, name: impl Fn(Action) -> String) -> String {
    if !text.contains('⟦') {
        return text.to_owned();
    }
    let mut out = text.to_owned();
    for action in [Action::Save, Action::Back, Action::Quit, Action::FillFrom] {
        out = out.replace(&format!("⟦{action:?}⟧"), &name(action));
    }
    out
}

/// What has the operator's attention, topmost first: the offer to resume a draft,
/// an overlay, or the step itself.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Layer<'a> {
    ResumeOffer(&'a Snapshot),
    Overlay(&'a Overlay),
    Step(&'a Step),
}

impl Wizard {
    /// The layer that shows and takes keys.
    pub fn layer(&self) -> Layer<'_> {
        if let Some(offer) = self.resume_offer() {
            Layer::ResumeOffer(offer)
        } else if let Some(overlay) = self.overlay() {
            Layer::Overlay(overlay)
        } else {
            Layer::Step(self.step())
        }
    }

    /// What the draft holds, in words: how many integrations, where it stopped, secrets.
    /// Both faces ask with these words.
    pub fn describe_draft(&self, offer: &Snapshot) -> String {
        let secrets = offer
            .integrations
            .iter()
            .flat_map(|i| &i.fields)
            .filter(|f| matches!(f, DraftField::Secret { typed: Some(_), .. }))
            .count();
        let at = match &offer.at {
            Position::Platform => "Platform".to_owned(),
            Position::Operation { operation } => operation_label(self, offer, operation),
            Position::Form { integration, .. } => offer.integrations.get(*integration).map_or_else(
                || "Review".to_owned(),
                |i| operation_label(self, offer, &i.operation),
            ),
            Position::Review => "Review".to_owned(),
        };
        let mut text = format!(
            "A session that ended before saving left a draft ({}), stopped at {at}. ",
            draft_contents(offer)
        );
        if secrets > 0 {
            let _ = write!(
                text,
                "{secrets} typed secret(s) wait in the keyring under draft entries. "
            );
        }
        text.push_str("Resume it, or discard it and start from the file as it is.");
        text
    }
}

/// "1 changed, 2 new, 1 deleted integration(s)": from version 3 a draft lists only
/// what differs from the file; before, every integration ("3 integration(s)").
fn draft_contents(offer: &Snapshot) -> String {
    if offer.version < 3 {
        return format!("{} integration(s)", offer.integrations.len());
    }
    let new = offer
        .integrations
        .iter()
        .filter(|i| i.original.is_none())
        .count();
    let changed = offer
        .integrations
        .iter()
        .filter(|i| i.original.is_some() && i.touched)
        .count();
    let parts: Vec<String> = [
        (changed, "changed"),
        (new, "new"),
        (offer.removed.len(), "deleted"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if parts.is_empty() {
        "no integration changed".to_owned()
    } else {
        format!("{} integration(s)", parts.join(", "))
    }
}

fn operation_label(wizard: &Wizard, offer: &Snapshot, operation: &str) -> String {
    wizard
        .catalog()
        .platform(&offer.platform)
        .and_then(|p| p.operation(operation))
        .map_or_else(|| operation.to_owned(), |o| short_label(&o.label))
}

/// An overlay's words, without keys: its title and what it says.
pub struct OverlayText {
    pub title: String,
    pub body: String,
}

impl Wizard {
    pub fn overlay_text(&self, overlay: &Overlay) -> OverlayText {
        let (title, body) = match overlay {
            Overlay::Help { title, text } => (title.clone(), text.clone()),
            Overlay::ConfirmQuit => (
                "Quit without saving?".to_owned(),
                "Changes made in this session are not written anywhere, and the draft kept \
                 of them is deleted too; keep it, and the next start offers it again."
                    .to_owned(),
            ),
            Overlay::ConfirmDelete { draft } => (
                format!("Delete {}?", self.draft_name(*draft)),
                "It disappears from the file and its keyring entries are removed when you save."
                    .to_owned(),
            ),
        };
        OverlayText { title, body }
    }
}

/// One row of an operation's list, as both faces show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Row {
    Integration(IntegrationRow),
    /// "+ Add an integration" (the first) or "+ Add another integration".
    Add {
        first: bool,
    },
    /// Continue to the step named.
    Continue {
        to: String,
    },
}

impl Row {
    /// The words of an Add row (the others are built by each face).
    pub fn add_label(first: bool) -> &'static str {
        if first {
            "+ Add an integration"
        } else {
            "+ Add another integration"
        }
    }
}

/// An integration in its list: its group and what to say of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntegrationRow {
    /// The Group as typed (`None`: blank).
    pub group: Option<String>,
    /// "enabled" or "disabled", then "incomplete" and "new" where they hold.
    pub details: Vec<&'static str>,
}

impl IntegrationRow {
    /// The group, or "(no group)".
    pub fn name(&self) -> &str {
        self.group.as_deref().unwrap_or("(no group)")
    }
}

impl Wizard {
    /// Row `item` of operation `op`'s list.
    pub fn row(&self, op: usize, item: ListItem) -> Row {
        match item {
            ListItem::Integration(form) => Row::Integration(self.integration_row(form)),
            ListItem::Add => Row::Add {
                first: self.drafts_of(op).is_empty(),
            },
            ListItem::Continue => Row::Continue {
                to: self.next_label(op),
            },
        }
    }

    pub fn integration_row(&self, form: usize) -> IntegrationRow {
        let d = &self.forms()[form];
        let defs = self.form_fields(form);
        let group = d.group(&defs);
        let mut details = vec![if d.enabled(&defs) {
            "enabled"
        } else {
            "disabled"
        }];
        if (0..d.fields.len()).any(|f| self.field_check(form, f).error.is_some()) {
            details.push("incomplete");
        }
        if d.original.is_none() {
            details.push("new");
        }
        IntegrationRow {
            group: (!group.is_empty()).then_some(group),
            details,
        }
    }
}

/// "Historical settings" → "Historical".
pub fn short_label(label: &str) -> String {
    label.strip_suffix(" settings").unwrap_or(label).to_owned()
}

/// A form's title in words: the operation's label, and what is being done
/// ("new integration", "editing east"). Each face joins them its own way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormTitle {
    pub operation: String,
    pub what: String,
}

/// One field of a form as both faces show it. The value itself is drawn by each face
/// from the field's state (wrapping and the caret depend on the screen).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldView {
    pub label: String,
    pub focused: bool,
    /// Errors and warnings wait until the operator has left the field once.
    pub error: Option<String>,
    pub warning: Option<String>,
    pub info: Option<String>,
    /// For a secret field: what it holds, never the value.
    pub secret: Option<SecretView>,
}

/// What a secret field holds, without its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretView {
    /// Characters typed in this session (0: none).
    pub typed: usize,
    /// The store that already holds it (loaded from the file).
    pub stored_in: Option<crate::secret::StoreKind>,
    /// The stored entry was looked up and is gone.
    pub vanished: bool,
}

impl Wizard {
    /// The title of form `form`. Not the group being typed: a title that follows each
    /// keystroke would cost bytes on every character.
    pub fn form_title(&self, form: usize) -> FormTitle {
        let d = &self.forms()[form];
        let operation = self
            .catalog()
            .platform(&d.platform)
            .and_then(|p| p.operation(&d.operation))
            .map_or(d.operation.as_str(), |o| o.label.as_str())
            .to_owned();
        let what = match &d.original {
            None => "new integration".to_owned(),
            Some(original) => match &original.group {
                Some(group) => format!("editing {group}"),
                None => "editing (no group)".to_owned(),
            },
        };
        FormTitle { operation, what }
    }

    /// Field `index` of form `form`, with focus on field `focus`.
    pub fn field_view(&self, form: usize, index: usize, focus: usize) -> FieldView {
        let d = &self.forms()[form];
        let label = self.form_fields(form)[index].label.clone();
        let check = self.field_check(form, index);
        let visited = d.visited[index];
        let secret = match &d.fields[index] {
            super::FieldState::Secret(secret) => Some(SecretView {
                typed: secret.typed.char_count(),
                stored_in: secret.stored.as_ref().map(|r| r.store),
                vanished: secret.vanished,
            }),
            _ => None,
        };
        FieldView {
            label,
            focused: index == focus,
            error: check.error.filter(|_| visited),
            warning: check.warning.filter(|_| visited),
            info: check.info,
            secret,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{FormTitle, SecretView};
    use crate::test_support::{act, loaded_document, new_form, paste};
    use crate::wizard::{Action, Wizard};

    const CLIENT_ID: usize = 2;
    const CLIENT_SECRET: usize = 3;

    #[test]
    fn a_field_shows_its_error_once_left_and_a_secret_only_its_length() {
        let mut w = new_form();
        assert_eq!(w.form_title(0).what, "new integration");
        let untouched = w.field_view(0, CLIENT_ID, 0);
        assert!(
            !untouched.focused && untouched.error.is_none(),
            "{untouched:?}"
        );
        for _ in 0..CLIENT_SECRET {
            act(&mut w, Action::Next);
        }
        let left = w.field_view(0, CLIENT_ID, CLIENT_SECRET);
        assert!(left.error.is_some(), "required, and left empty: {left:?}");
        paste(&mut w, "s3cr3t");
        let secret = w.field_view(0, CLIENT_SECRET, CLIENT_SECRET);
        assert!(secret.focused);
        assert_eq!(
            secret.secret,
            Some(SecretView {
                typed: 6,
                stored_in: None,
                vanished: false
            })
        );
        assert!(!format!("{secret:?}").contains("s3cr3t"));
    }

    #[test]
    fn an_edited_integration_is_titled_by_its_group() {
        let document = loaded_document(crate::secret::StoreKind::SecretService, true);
        let w = Wizard::new(crate::catalog::Catalog::builtin(), Some(&document), "x", 0);
        let FormTitle { operation, what } = w.form_title(0);
        assert_eq!(operation, "Historical settings");
        assert!(what.starts_with("editing "), "{what}");
        let secret = w.field_view(0, CLIENT_SECRET, 0).secret.unwrap();
        assert_eq!(
            secret.stored_in,
            Some(crate::secret::StoreKind::SecretService)
        );
    }
}
