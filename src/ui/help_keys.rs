//! The keys that act on the field whose help is open, as F1's last paragraph: the
//! form's own bindings (from the keymap) that do something on this kind of field,
//! then the editing keys the form passes to the value.

use super::Theme;
use crate::catalog::FieldKind;
use crate::keymap::{self, Mode};
use crate::wizard::{Action, Step, Wizard};

/// "Keys here: ..." for the focused field, or `None` when no form is under the help.
pub fn keys_here(wizard: &Wizard, theme: Theme) -> Option<String> {
    let Step::Form { draft, focus, .. } = wizard.step else {
        return None;
    };
    let kind = wizard.draft_fields(draft).get(focus)?.kind;
    let mut keys: Vec<String> = keymap::bindings(Mode::Form)
        .into_iter()
        .filter(|b| b.action != Action::Help)
        .filter(|b| kind == FieldKind::Secret || b.action != Action::Reveal)
        .filter_map(|b| b.hint)
        .map(|(key, what)| format!("{key} {what}"))
        .collect();
    keys.push("Shift-Tab previous".to_owned());
    let editing: &[&str] = match kind {
        FieldKind::Toggle => &["Space switches it"],
        FieldKind::Secret => &[
            "←→ Home End move in the value (masked too)",
            "Backspace Delete erase at the caret",
            "Ctrl-U clears",
            "paste with the terminal's paste",
        ],
        FieldKind::Text | FieldKind::Group => &[
            "←→ Home End move in the value",
            "Backspace Delete erase at the caret",
            "Ctrl-U clears",
        ],
    };
    keys.extend(editing.iter().map(|&k| k.to_owned()));
    Some(
        theme
            .text(&format!("Keys here: {}.", keys.join(" · ")))
            .into_owned(),
    )
}
