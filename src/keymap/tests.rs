use crossterm::event::{KeyEvent, KeyEventState};

use super::*;
use crate::secret::StoreKind;
use crate::test_support::*;
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

#[test]
fn every_key_of_every_table_maps_to_its_action() {
    for m in Mode::ALL {
        let w = in_mode(m);
        for binding in bindings(m) {
            for key in binding.keys {
                let msg = to_msg(&w, press(key.code, key.mods));
                assert!(
                    matches!(msg, Some(Msg::Act(a)) if a == binding.action),
                    "{m:?}: {key:?} gave {msg:?}, expected {:?}",
                    binding.action
                );
            }
        }
    }
}

#[test]
fn every_mode_hints_at_least_one_key_and_hints_name_bound_keys() {
    for m in Mode::ALL {
        let hinted: Vec<_> = hints(m);
        assert!(!hinted.is_empty(), "{m:?} has no hints");
        for (label, _) in hinted {
            assert!(
                bindings(m)
                    .iter()
                    .any(|b| b.hint.is_some_and(|(l, _)| l == label)),
                "{m:?}: {label}"
            );
        }
    }
    assert!(hints(Mode::Review).contains(&("Ctrl-S", "save")));
    assert!(hints(Mode::Form).contains(&("Ctrl-R", "reveal")));
    assert!(hints(Mode::Form).contains(&("F1", "help")));
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
    let list = in_mode(Mode::Operation);
    assert!(matches!(
        to_msg(&list, press(KeyCode::Char('d'), KeyModifiers::NONE)),
        Some(Msg::Act(Action::Delete))
    ));
    assert!(matches!(
        to_msg(&list, press(KeyCode::Char('Y'), KeyModifiers::SHIFT)),
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
