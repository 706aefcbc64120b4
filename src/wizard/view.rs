//! What is on screen, decided once for both faces (the full-screen views in ui/ and
//! plain mode): which layer shows, and the sentences that name no key. Each face
//! decides only how to draw it and which key names to print.

use std::fmt::Write;

use super::{Overlay, Step, Wizard};
use crate::config::draft::{DraftField, Position, Snapshot};

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

/// "Historical settings" → "Historical".
pub fn short_label(label: &str) -> String {
    label.strip_suffix(" settings").unwrap_or(label).to_owned()
}
