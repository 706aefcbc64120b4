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
            "A session that ended before saving left a draft: {} integration(s), stopped at {at}. ",
            offer.integrations.len()
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
