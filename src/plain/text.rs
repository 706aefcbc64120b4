//! Plain mode's wording of the lists and of Review: the full-screen views' words, in
//! ASCII lines (no glyphs, no layout), so a serial console or a screen reader gets
//! the same information.

use crate::secret::StoreKind;
use crate::wizard::lists::ListItem;
use crate::wizard::review_text::{self, store_description};
use crate::wizard::view::Row;
use crate::wizard::{StoreInfo, StoreStatus, Wizard};

/// A list row: "1) east  enabled, new".
pub fn numbered(index: usize, text: &str) -> String {
    format!("  {}) {text}", index + 1)
}

pub fn platform_row(wizard: &Wizard, index: usize) -> String {
    let platform = &wizard.catalog().platforms[index];
    let count = wizard
        .forms()
        .iter()
        .filter(|d| d.platform == platform.id)
        .count();
    match count {
        0 => platform.label.clone(),
        1 => format!("{}  (1 integration configured)", platform.label),
        n => format!("{}  ({n} integrations configured)", platform.label),
    }
}

pub fn operation_row(wizard: &Wizard, op: usize, item: ListItem) -> String {
    match wizard.row(op, item) {
        Row::Integration(row) => format!("{}  {}", row.name(), row.details.join(", ")),
        Row::Add { first } => Row::add_label(first).to_owned(),
        Row::Continue { to } => format!("Continue to {to}"),
    }
}

pub fn review(wizard: &Wizard) -> Vec<String> {
    let mut lines = vec![
        "Review: this is what saving writes.".to_owned(),
        format!(
            "  File: {}{}",
            wizard.config_path(),
            if wizard.read_only().is_some() {
                " (read-only: nothing is saved)"
            } else {
                ""
            }
        ),
    ];
    match &wizard.store() {
        StoreStatus::Resolving => {
            lines.push("  Secrets go to: checking which secret store to use...".into());
        }
        StoreStatus::Ready(StoreInfo {
            kind,
            note,
            systemd_creds_skipped,
        }) => {
            lines.push(format!("  Secrets go to: {}", store_description(*kind)));
            if let Some(why) = systemd_creds_skipped {
                lines.push(format!("  systemd credentials not used: {why}"));
            }
            if let Some(note) = note {
                lines.push(format!("  Secret Service not used: {note}"));
            }
        }
        StoreStatus::Unavailable(reason) => {
            lines.push(format!("  Secrets go to: unavailable: {reason}"));
        }
    }
    for problem in wizard.problems() {
        lines.push(format!("  Error: {problem}"));
    }
    for warning in review_text::warnings(wizard) {
        lines.push(format!("  Warning: {warning}"));
    }
    lines.push(format!("  {}", review_text::CHANGES_TITLE));
    for change in review_text::change_lines(wizard.pending_changes().iter()) {
        lines.push(format!("    {change}"));
    }
    if wizard.forms().is_empty() {
        lines.push("  No integrations: the file will list none.".into());
    }
    let new_store = match &wizard.store() {
        StoreStatus::Ready(info) => Some(info.kind),
        _ => None,
    };
    for index in 0..wizard.forms().len() {
        lines.extend(integration_lines(wizard, index, new_store));
    }
    for removed in wizard.removed() {
        let group = removed.group.as_deref().unwrap_or("no group");
        lines.push(format!(
            "  Delete {}/{} ({group}) and remove its keyring entries",
            removed.platform, removed.operation
        ));
    }
    lines
}

fn integration_lines(wizard: &Wizard, index: usize, new_store: Option<StoreKind>) -> Vec<String> {
    let draft = &wizard.forms()[index];
    let platform = wizard
        .catalog()
        .platform(&draft.platform)
        .map_or(draft.platform.clone(), |p| p.label.clone());
    let mut lines = vec![format!("  {platform} - {}", wizard.draft_name(index))];
    for (def, state) in wizard.form_fields(index).iter().zip(&draft.fields) {
        let value = review_text::field_value(def, state, new_store, "hidden", "to");
        lines.push(format!("    {}: {value}", def.label));
    }
    lines
}
