use crossterm::event::{KeyEvent, KeyEventState};

use super::*;
use crate::secret::StoreKind;
use crate::test_support::*;
use crate::validate::Value;
use crate::wizard::{SaveReport, Wizard};

fn press(code: KeyCode, mods: KeyModifiers) -> Event {
    Event::Key(KeyEvent {
        code,
        modifiers: mods,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    })
}

/// A wizard showing each mode, reached by messages.
fn in_mode(wanted: Mode) -> Wizard {
    let mut w = wizard();
    match wanted {
        Mode::Platform => {}
        Mode::Operation => {
            act(&mut w, Action::Enter);
        }
        Mode::Form => w = new_form(),
        Mode::StoreGate => {
            w = gated_wizard();
            act(&mut w, Action::Enter);
            act(&mut w, Action::Enter); // Add: secrets ahead, the gate first
        }
        Mode::Review => to_review(&mut w),
        Mode::Saving | Mode::SaveFailed | Mode::Done => {
            w = ready(StoreKind::Keyutils);
            to_review(&mut w);
            act(&mut w, Action::Save);
            match wanted {
                Mode::SaveFailed => {
                    w.update(Msg::SaveDone(Err("x".into())));
                }
                Mode::Done => {
                    w.update(Msg::SaveDone(Ok(SaveReport {
                        integrations: 0,
                        secrets_written: 0,
                        warnings: vec![],
                    })));
                }
                _ => {}
            }
        }
        Mode::Help => {
            act(&mut w, Action::Help);
        }
        Mode::Confirm => {
            w = new_form();
            type_text(&mut w, "x");
            act(&mut w, Action::Quit);
        }
        Mode::Resume => {
            let mut earlier = new_form();
            type_text(&mut earlier, "east");
            w.update(Msg::Startup(Startup::DraftFound(earlier.snapshot())));
        }
    }
    assert_eq!(mode(&w), wanted);
    w
}

/// A form with focus moved to the first field `pick` accepts.
fn form_on(pick: fn(&Value) -> bool) -> Wizard {
    let mut w = new_form();
    for _ in 0..w.form_fields(0).len() {
        let Step::Form { focus, .. } = *w.step() else {
            panic!("a form")
        };
        if pick(&w.forms()[0].value(focus)) {
            return w;
        }
        act(&mut w, Action::Next);
    }
    panic!("no such field")
}

/// An operation list with an integration selected.
fn list_on_integration() -> Wizard {
    first_row_of(&loaded_document(StoreKind::Keyutils, true))
}

/// User import's list, whose prerequisite is not confirmed yet.
fn list_unconfirmed() -> Wizard {
    let mut w = list_on_integration();
    act(&mut w, Action::Last);
    act(&mut w, Action::Enter);
    assert!(!w.unconfirmed(1).is_empty());
    w
}

/// Every mode, and the states where bindings that depend on focus act.
fn states() -> Vec<(&'static str, Wizard)> {
    let mut out: Vec<(&'static str, Wizard)> =
        Mode::ALL.iter().map(|m| ("a mode", in_mode(*m))).collect();
    out.push(("a text field", form_on(|v| matches!(v, Value::Text(_)))));
    out.push((
        "a secret field",
        form_on(|v| matches!(v, Value::Secret { .. })),
    ));
    out.push(("a toggle", form_on(|v| matches!(v, Value::Toggle(_)))));
    out.push(("an integration row", list_on_integration()));
    out.push(("an unconfirmed list", list_unconfirmed()));
    out.push(("a new form with one to fill from", form_to_fill()));
    let mut running = crate::wizard::connection_test::tests::filled_form();
    crate::wizard::connection_test::tests::start(&mut running);
    out.push(("a running connection test", running));
    let mut review = crate::test_support::wizard();
    act(&mut review, Action::Enter);
    add_integration(&mut review, "east", &jwt_never_expires());
    continue_to_review(&mut review);
    out.push(("Review of an integration", review));
    out.push((
        "the sub-account picker",
        crate::wizard::connection_test::tests::tested(
            crate::wizard::connection_test::tests::passed(),
        ),
    ));
    out
}

/// A new User import's form, with a Historical integration to fill it from.
fn form_to_fill() -> Wizard {
    let mut w = crate::test_support::wizard();
    act(&mut w, Action::Enter);
    add_integration(&mut w, "east", &jwt_never_expires());
    act(&mut w, Action::Enter); // Continue
    act(&mut w, Action::Yes);
    act(&mut w, Action::Enter); // Add
    w
}

#[test]
fn every_key_of_every_table_maps_to_its_action_where_it_acts_and_only_there() {
    let mut acted = vec![];
    for (what, w) in states() {
        let m = mode(&w);
        let active = active_bindings(&w);
        for binding in bindings(m) {
            let acts = active.iter().any(|b| std::ptr::eq(*b, binding));
            for key in binding.keys {
                let msg = to_msg(&w, press(key.code, key.mods));
                let gives = matches!(msg, Some(Msg::Act(a)) if a == binding.action);
                assert_eq!(
                    gives, acts,
                    "{m:?} on {what}: {key:?} gave {msg:?}; {:?} acts here: {acts}",
                    binding.action
                );
            }
            if acts {
                acted.push(std::ptr::from_ref(binding));
            }
        }
    }
    for m in Mode::ALL {
        for binding in bindings(m) {
            assert!(
                acted.contains(&std::ptr::from_ref(binding)),
                "{m:?}: {:?} never acts in the states tested",
                binding.action
            );
        }
    }
}

/// A hint's key, read back from its label without keymap's own naming.
fn keys_named(label: &str) -> Vec<Key> {
    let code = |name: &str| match name {
        "Enter" => KeyCode::Enter,
        "Esc" => KeyCode::Esc,
        "Tab" => KeyCode::Tab,
        "Space" => KeyCode::Char(' '),
        "Delete" => KeyCode::Delete,
        "↑↓" => KeyCode::Down,
        f if f.starts_with('F') && f.len() > 1 => KeyCode::F(f[1..].parse().expect("F-key")),
        c if c.chars().count() == 1 => KeyCode::Char(c.chars().next().unwrap_or(' ')),
        other => panic!("a hint names a key no terminal has: {other}"),
    };
    if let Some(rest) = label.strip_prefix("Ctrl-") {
        let c = rest.to_ascii_lowercase().chars().next().unwrap_or(' ');
        return vec![Key {
            code: KeyCode::Char(c),
            mods: KeyModifiers::CONTROL,
        }];
    }
    let mut keys = vec![Key {
        code: code(label),
        mods: KeyModifiers::NONE,
    }];
    if label == "↑↓" {
        keys.push(Key {
            code: KeyCode::Up,
            mods: KeyModifiers::NONE,
        });
    }
    keys
}

/// Each hint on the footer, pressed as it reads, does what it says: a hint whose
/// label and binding disagree fails here.
#[test]
fn every_hint_pressed_as_it_reads_does_what_it_says() {
    for (what, w) in states() {
        let m = mode(&w);
        let hinted = hints(&w);
        assert!(!hinted.is_empty(), "{m:?} on {what} has no hints");
        for (label, does) in hinted {
            let key = keys_named(&label)[0];
            let msg = to_msg(&w, press(key.code, key.mods));
            let Some(Msg::Act(action)) = msg else {
                panic!("{m:?} on {what}: the hint {label} {does} gave {msg:?}")
            };
            assert!(
                active_bindings(&w)
                    .iter()
                    .any(|b| b.action == action && b.hint == Some(does)),
                "{m:?} on {what}: {label} gives {action:?}, not what \"{does}\" says"
            );
        }
    }
}

#[test]
fn hints_name_only_keys_that_act_on_what_has_focus() {
    let has = |w: &Wizard, label: &str, does: &str| {
        hints(w).iter().any(|(l, d)| l == label && *d == does)
    };
    let text = form_on(|v| matches!(v, Value::Text(_)));
    let secret = form_on(|v| matches!(v, Value::Secret { .. }));
    let toggle = form_on(|v| matches!(v, Value::Toggle(_)));
    assert!(has(&secret, "Ctrl-R", "reveal") && has(&secret, "Ctrl-U", "clear"));
    assert!(!has(&text, "Ctrl-R", "reveal") && has(&text, "Ctrl-U", "clear"));
    assert!(has(&toggle, "Space", "switch") && !has(&toggle, "Ctrl-U", "clear"));
    assert!(has(&text, "F1", "help") && has(&text, "Tab", "next"));
    assert!(has(&in_mode(Mode::Review), "Ctrl-S", "save"));
    assert!(has(&in_mode(Mode::Review), "↑↓", "scroll"));
    assert!(has(&list_on_integration(), "d", "delete"));
    assert!(
        !has(&in_mode(Mode::Operation), "d", "delete"),
        "Add is selected"
    );
    assert!(has(&list_unconfirmed(), "y", "confirm"));
    assert!(!has(&list_on_integration(), "y", "confirm"));
    let order: Vec<String> = hints(&list_on_integration())
        .into_iter()
        .map(|(l, _)| l)
        .collect();
    assert_eq!(
        order,
        ["↑↓", "Enter", "Esc", "F1", "Ctrl-C", "d"],
        "keys that always act, quit last among them, then those that follow focus"
    );
}

#[test]
fn backspace_as_del_or_ctrl_h_and_enter_as_cr_or_lf() {
    let w = in_mode(Mode::Form);
    for event in [
        press(KeyCode::Backspace, KeyModifiers::NONE),
        press(KeyCode::Char('h'), KeyModifiers::CONTROL),
    ] {
        assert!(matches!(
            to_msg(&w, event),
            Some(Msg::Edit(InputRequest::DeletePrevChar))
        ));
    }
    for event in [
        press(KeyCode::Enter, KeyModifiers::NONE),
        press(KeyCode::Char('j'), KeyModifiers::CONTROL),
    ] {
        assert!(matches!(to_msg(&w, event), Some(Msg::Act(Action::Enter))));
    }
    assert!(matches!(
        to_msg(&w, press(KeyCode::BackTab, KeyModifiers::SHIFT)),
        Some(Msg::Act(Action::Prev))
    ));
}

#[test]
fn letters_are_text_in_a_form_and_commands_in_lists() {
    let form = in_mode(Mode::Form);
    assert!(matches!(
        to_msg(&form, press(KeyCode::Char('d'), KeyModifiers::NONE)),
        Some(Msg::Edit(InputRequest::InsertChar('d')))
    ));
    assert!(matches!(
        to_msg(&form, press(KeyCode::Char('Y'), KeyModifiers::SHIFT)),
        Some(Msg::Edit(InputRequest::InsertChar('Y')))
    ));
    let list = list_on_integration();
    assert!(matches!(
        to_msg(&list, press(KeyCode::Char('d'), KeyModifiers::NONE)),
        Some(Msg::Act(Action::Delete))
    ));
    assert!(matches!(
        to_msg(
            &list_unconfirmed(),
            press(KeyCode::Char('Y'), KeyModifiers::SHIFT)
        ),
        Some(Msg::Act(Action::Yes))
    ));
    assert!(to_msg(&list, press(KeyCode::Char('q'), KeyModifiers::NONE)).is_none());
}

#[test]
fn space_flips_the_status_toggle_but_types_a_space_elsewhere() {
    let mut w = in_mode(Mode::Form);
    assert!(matches!(
        to_msg(&w, press(KeyCode::Char(' '), KeyModifiers::NONE)),
        Some(Msg::Edit(InputRequest::InsertChar(' ')))
    ));
    act(&mut w, Action::Next);
    assert!(matches!(
        to_msg(&w, press(KeyCode::Char(' '), KeyModifiers::NONE)),
        Some(Msg::Act(Action::Toggle))
    ));
    assert!(
        to_msg(&w, press(KeyCode::Char('x'), KeyModifiers::NONE)).is_none(),
        "no typing into a toggle"
    );
}

#[test]
fn a_paste_is_one_message_in_a_form_and_ignored_elsewhere() {
    let form = in_mode(Mode::Form);
    let long = "x".repeat(5000);
    let Some(Msg::Paste(text)) = to_msg(&form, Event::Paste(long.clone())) else {
        panic!("paste")
    };
    assert_eq!(secrecy::ExposeSecret::expose_secret(&text), long);
    assert!(to_msg(&in_mode(Mode::Review), Event::Paste(long)).is_none());
}

#[test]
fn key_releases_are_ignored() {
    let w = in_mode(Mode::Platform);
    let release = Event::Key(KeyEvent {
        code: KeyCode::Enter,
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Release,
        state: KeyEventState::NONE,
    });
    assert!(to_msg(&w, release).is_none());
}
