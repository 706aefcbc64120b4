//! The keys that act on the field whose help is open, as F1's last paragraph: the
//! form's own bindings (from the keymap) that do something on this kind of field,
//! then the editing keys the form passes to the value.

use super::Theme;
use crate::catalog::FieldKind;
use crate::keymap::{self, Mode, When};
use crate::wizard::{Action, Step, Wizard};

/// "Keys here: ..." for the focused field, or `None` when no form is under the help.
pub fn keys_here(wizard: &Wizard, theme: Theme) -> Option<String> {
    let Step::Form {
        form: draft, focus, ..
    } = *wizard.step()
    else {
        return None;
    };
    let kind = wizard.form_fields(draft).get(focus)?.kind;
    let acts_here = |when: When| match when {
        When::OnSecret => kind == FieldKind::Secret,
        When::OnToggle => kind == FieldKind::Toggle,
        When::OnTyped => kind != FieldKind::Toggle,
        // Keys of a moment (a running test, the open picker) say so where they act.
        When::PickerOpen | When::TestRunning => false,
        _ => true,
    };
    let mut keys: Vec<String> = keymap::bindings(Mode::Form)
        .into_iter()
        .filter(|b| b.action != Action::Help && acts_here(b.when))
        .filter_map(|b| {
            b.hint
                .map(|what| format!("{} {what}", keymap::label(b.keys, false)))
        })
        .collect();
    keys.push("Shift-Tab previous".to_owned());
    let editing: &[&str] = match kind {
        FieldKind::Toggle => &[],
        FieldKind::Secret => &[
            "←→ Home End move in the value (masked too)",
            "Backspace Delete erase at the caret",
            "paste with the terminal's paste",
        ],
        FieldKind::Text | FieldKind::Group => &[
            "←→ Home End move in the value",
            "Backspace Delete erase at the caret",
        ],
    };
    keys.extend(editing.iter().map(|&k| k.to_owned()));
    Some(
        theme
            .text(&format!("Keys here: {}.", keys.join(" · ")))
            .into_owned(),
    )
}
