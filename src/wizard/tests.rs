use secrecy::ExposeSecret;

use super::*;
use crate::config::{Setting, render_document};
use crate::secret::SecretRef;
use crate::secret::StoreKind;
use crate::test_support::*;

fn to_user_import(w: &mut Wizard) {
    act(w, Action::Enter); // platform
    select_row(w, w.list_items(0).len() - 1);
    act(w, Action::Enter); // continue
}

#[test]
fn platform_then_one_step_per_operation_then_review() {
    let mut w = wizard();
    assert_eq!(w.step, Step::Platform { selected: 0 });
    act(&mut w, Action::Enter);
    assert_eq!(
        w.step,
        Step::Operation { op: 0, selected: 0 },
        "an empty list selects Add"
    );
    assert_eq!(
        w.list_items(0),
        [lists::ListItem::Add, lists::ListItem::Continue]
    );
    add_integration(&mut w, "", &jwt_never_expires());
    assert_eq!(
        w.step,
        Step::Operation { op: 0, selected: 2 },
        "after finishing, Continue is selected"
    );
    act(&mut w, Action::Enter);
    assert!(matches!(w.step, Step::Operation { op: 1, .. }));
    act(&mut w, Action::Yes);
    add_integration(&mut w, "", &jwt_never_expires());
    act(&mut w, Action::Enter);
    assert_eq!(w.step, Step::Review { scroll: 0 });
    assert!(w.problems().is_empty(), "{:?}", w.problems());
}

#[test]
fn the_store_is_resolved_after_start_and_saving_emits_one_plan_with_secrets_before_the_file() {
    let mut w = wizard();
    assert!(matches!(w.start().as_slice(), [Effect::ResolveStore]));
    w.update(Msg::StoreResolved(Ok(StoreInfo {
        kind: StoreKind::SecretService,
        note: None,
        systemd_creds_skipped: None,
    })));
    act(&mut w, Action::Enter);
    add_integration(&mut w, " east ", &jwt_never_expires());
    select_row(&mut w, 2);
    act(&mut w, Action::Enter);
    act(&mut w, Action::Last);
    act(&mut w, Action::Enter); // skip user import
    let effects = act(&mut w, Action::Save);
    assert_eq!(w.step, Step::Saving);
    let [Effect::Save(plan)] = effects.as_slice() else {
        panic!("expected one save effect, got {effects:?}")
    };
    let users: Vec<_> = plan.writes.iter().map(|w| w.target.user.as_str()).collect();
    assert_eq!(
        users,
        [
            "000000000000/ringcentral-v1/historical/east/client_secret",
            "000000000000/ringcentral-v1/historical/east/jwt"
        ]
    );
    assert!(plan.writes.iter().all(|w| w.target.store == StoreKind::SecretService && w.target.service == "wfm-wizard"));
    assert_eq!(plan.writes[0].value.expose_secret(), CLIENT_SECRET);
    let integration = &plan.document.integrations[0];
    assert_eq!(
        integration.group.as_deref(),
        Some("east"),
        "the group is trimmed"
    );
    assert!(integration.enabled);
    assert_eq!(
        integration.settings.get("client_id"),
        Some(&Setting::Text(CLIENT_ID.into()))
    );
    let yaml = render_document(&plan.document).unwrap();
    assert!(
        !yaml.contains(CLIENT_SECRET) && !yaml.contains(&jwt_never_expires()[..40]),
        "no secret in the YAML"
    );
    w.update(Msg::SaveDone(Ok(SaveReport {
        integrations: 1,
        secrets_written: 2,
        warnings: vec![],
    })));
    assert!(matches!(w.step, Step::Done(_)));
    act(&mut w, Action::Enter);
    assert!(matches!(w.outcome, Some(Outcome::Saved(_))));
}

#[test]
fn esc_goes_back_keeping_every_value_even_while_a_field_is_invalid() {
    let mut w = new_form();
    type_text(&mut w, "east");
    act(&mut w, Action::Next);
    act(&mut w, Action::Next);
    type_text(&mut w, "not-an-id");
    act(&mut w, Action::Next);
    act(&mut w, Action::Next);
    paste(&mut w, "garbage"); // an invalid JWT
    act(&mut w, Action::Next);
    assert!(w.field_check(0, 4).error.is_some());
    act(&mut w, Action::Back);
    assert_eq!(
        w.step,
        Step::Operation { op: 0, selected: 0 },
        "back on the list, the draft selected"
    );
    act(&mut w, Action::Back);
    assert!(matches!(w.step, Step::Platform { .. }));
    act(&mut w, Action::Enter);
    act(&mut w, Action::Enter); // open the kept draft
    assert_eq!(w.forms.len(), 1);
    assert!(matches!(
        w.forms[0].value(0),
        crate::validate::Value::Text("east")
    ));
    assert!(matches!(
        w.forms[0].value(2),
        crate::validate::Value::Text("not-an-id")
    ));
    assert!(matches!(
        w.forms[0].value(4),
        crate::validate::Value::Secret {
            typed: Some("garbage"),
            ..
        }
    ));
}

#[test]
fn an_untouched_new_integration_disappears_on_esc() {
    let mut w = new_form();
    act(&mut w, Action::Back);
    assert!(w.forms.is_empty());
    assert!(!w.dirty);
}

#[test]
fn finishing_with_errors_is_refused_with_a_message_and_focuses_the_first_bad_field() {
    let mut w = new_form();
    type_text(&mut w, "x");
    act(&mut w, Action::Last);
    act(&mut w, Action::Enter); // finish on the last field
    assert_eq!(
        w.step,
        Step::Form {
            form: 0,
            focus: 2,
            revealed: false
        }
    );
    let notice = w.notice.clone().unwrap();
    assert_eq!(notice.level, Level::Error);
    assert!(notice.text.contains("Fix the marked fields"));
    assert!(
        w.forms[0].visited.iter().all(|v| *v),
        "every error is now shown"
    );
}

#[test]
fn a_second_integration_needs_a_group_unique_ignoring_case_and_spaces() {
    let mut w = wizard();
    act(&mut w, Action::Enter);
    add_integration(&mut w, "", &jwt_never_expires());
    assert!(w.problems().is_empty());
    select_row(&mut w, 1);
    add_integration(&mut w, " East ", &jwt_never_expires());
    let problems = w.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("each needs a Group name"),
        "{problems:?}"
    );
    act(&mut w, Action::First);
    act(&mut w, Action::Enter); // edit the first
    type_text(&mut w, "east");
    let problems = w.problems();
    assert_eq!(problems.len(), 2, "both now clash: {problems:?}");
    assert!(
        problems
            .iter()
            .all(|p| p.contains("already uses the Group"))
    );
    w.update(Msg::Edit(InputRequest::DeleteLine));
    type_text(&mut w, "west");
    assert!(w.problems().is_empty(), "{:?}", w.problems());
}

#[test]
fn look_alike_groups_clash_and_a_hidden_character_is_refused_while_typing() {
    let mut w = wizard();
    act(&mut w, Action::Enter);
    add_integration(&mut w, "\u{d6}st", &jwt_never_expires());
    select_row(&mut w, 1);
    // Decomposed, upper case: the same name as read.
    add_integration(&mut w, "O\u{308}ST", &jwt_never_expires());
    let problems = w.problems();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("already uses the Group")),
        "{problems:?}"
    );
    let plan = w.save_plan(StoreKind::Keyutils);
    assert_eq!(
        plan.document.integrations[1].group.as_deref(),
        Some("\u{d6}ST"),
        "saved in NFC"
    );
    let mut w = wizard();
    act(&mut w, Action::Enter);
    add_integration(&mut w, "East\u{200b}", &jwt_never_expires());
    let problems = w.problems();
    assert!(
        problems.iter().any(|p| p.contains("invisible")),
        "{problems:?}"
    );
}

#[test]
fn user_import_needs_the_employee_defaults_confirmation_which_is_recorded() {
    let mut w = wizard();
    to_user_import(&mut w);
    assert_eq!(w.unconfirmed(1).len(), 1);
    act(&mut w, Action::Enter); // Add refused
    assert!(w.forms.is_empty());
    assert!(
        w.notice
            .as_ref()
            .unwrap()
            .text
            .contains("Set employee defaults")
    );
    act(&mut w, Action::Yes);
    assert!(w.unconfirmed(1).is_empty());
    add_integration(&mut w, "", &jwt_never_expires());
    let plan = w.save_plan(StoreKind::Keyutils);
    assert_eq!(
        plan.document.confirmed,
        ["ringcentral-v1/user-import/set-employee-defaults"]
    );
    let reloaded = Wizard::new(Catalog::builtin(), Some(&plan.document), "x", NOW);
    assert_eq!(
        reloaded.confirmed, plan.document.confirmed,
        "asked once: the file remembers"
    );
}

#[test]
fn an_operation_that_requires_another_cannot_be_added_first() {
    let mut w = Wizard::new(catalog_with_real_time(), None, "x", NOW).past_store_gate();
    act(&mut w, Action::Enter);
    act(&mut w, Action::Last);
    act(&mut w, Action::Enter); // continue to real-time
    assert!(matches!(w.step, Step::Operation { op: 1, .. }));
    assert_eq!(w.missing_requirement(1).unwrap().operation, "historical");
    act(&mut w, Action::First);
    act(&mut w, Action::Enter); // Add refused
    assert!(w.forms.is_empty());
    assert!(
        w.notice
            .as_ref()
            .unwrap()
            .text
            .starts_with("Configure Historical settings first")
    );
    act(&mut w, Action::Back);
    add_integration(&mut w, "", &jwt_never_expires());
    act(&mut w, Action::Enter);
    assert!(w.missing_requirement(1).is_none());
    act(&mut w, Action::Enter); // Add now works
    assert!(matches!(w.step, Step::Form { .. }));
}

fn loaded() -> Document {
    loaded_document(StoreKind::SecretService, true)
}

#[test]
fn editing_keeps_a_stored_secret_unless_a_new_one_is_typed() {
    let document = loaded();
    let mut w = Wizard::new(Catalog::builtin(), Some(&document), "x", NOW).past_store_gate();
    assert!(
        w.problems().is_empty(),
        "a stored secret satisfies Required: {:?}",
        w.problems()
    );
    let plan = w.save_plan(StoreKind::Keyutils);
    assert!(plan.writes.is_empty() && plan.copies.is_empty() && plan.deletes.is_empty());
    let saved_again = Document {
        revision: document.revision + 1,
        ..document.clone()
    };
    assert_eq!(
        plan.document, saved_again,
        "unchanged file round trips, one save later"
    );
    act(&mut w, Action::Enter);
    act(&mut w, Action::First);
    act(&mut w, Action::Enter); // edit
    act(&mut w, Action::Last);
    act(&mut w, Action::Prev);
    act(&mut w, Action::Prev); // client secret
    type_text(&mut w, "new-secret");
    let plan = w.save_plan(StoreKind::Keyutils);
    assert_eq!(plan.writes.len(), 1);
    assert_eq!(plan.writes[0].target.store, StoreKind::Keyutils);
    assert_eq!(
        plan.deletes,
        [SecretRef {
            store: StoreKind::SecretService,
            service: "wfm-wizard".into(),
            user: "000000000000/ringcentral-v1/historical/default/client_secret".into()
        }],
        "the old entry in the other store is removed after the file is written"
    );
    assert_eq!(
        plan.document.integrations[0].settings.get("jwt"),
        document.integrations[0].settings.get("jwt")
    );
}

#[test]
fn renaming_a_group_moves_kept_secrets_to_the_new_entry_names() {
    let mut w = Wizard::new(Catalog::builtin(), Some(&loaded()), "x", NOW).past_store_gate();
    act(&mut w, Action::Enter);
    act(&mut w, Action::First);
    act(&mut w, Action::Enter);
    type_text(&mut w, "east");
    let plan = w.save_plan(StoreKind::SecretService);
    let moved: Vec<_> = plan
        .copies
        .iter()
        .map(|c| (c.from.user.as_str(), c.to.user.as_str()))
        .collect();
    assert_eq!(
        moved,
        [
            (
                "000000000000/ringcentral-v1/historical/default/client_secret",
                "000000000000/ringcentral-v1/historical/east/client_secret"
            ),
            (
                "000000000000/ringcentral-v1/historical/default/jwt",
                "000000000000/ringcentral-v1/historical/east/jwt"
            ),
        ]
    );
    assert_eq!(plan.deletes.len(), 2);
}

#[test]
fn deleting_a_loaded_integration_asks_then_removes_its_keyring_entries_on_save() {
    let mut w = first_row_of(&loaded());
    act(&mut w, Action::Delete);
    assert_eq!(w.overlay, Some(Overlay::ConfirmDelete { draft: 0 }));
    act(&mut w, Action::No);
    assert_eq!(w.forms.len(), 1);
    act(&mut w, Action::Delete);
    act(&mut w, Action::Yes);
    assert!(w.forms.is_empty() && w.dirty);
    let plan = w.save_plan(StoreKind::SecretService);
    assert!(plan.document.integrations.is_empty());
    assert_eq!(plan.deletes.len(), 2);
}

#[test]
fn deleting_and_re_adding_the_same_group_does_not_delete_the_new_secrets() {
    let mut w = first_row_of(&loaded());
    act(&mut w, Action::Delete);
    act(&mut w, Action::Yes);
    select_row(&mut w, 0);
    add_integration(&mut w, "", &jwt_never_expires());
    let plan = w.save_plan(StoreKind::SecretService);
    assert_eq!(plan.writes.len(), 2);
    assert!(plan.deletes.is_empty(), "{:?}", plan.deletes);
}

#[test]
fn a_paste_arrives_whole_minus_one_trailing_newline() {
    let mut w = new_form();
    act(&mut w, Action::Last);
    act(&mut w, Action::Prev); // JWT
    let long = jwt(&format!(r#"{{"iss":"x","pad":"{}"}}"#, "p".repeat(700)));
    assert!(long.len() > 1000);
    paste(&mut w, &format!("{long}\n"));
    assert!(
        matches!(w.forms[0].value(4), crate::validate::Value::Secret { typed: Some(t), .. } if t == long)
    );
    assert!(w.notice.is_none());
}

#[test]
fn a_paste_with_control_characters_is_refused_and_inserts_nothing() {
    let mut w = new_form();
    type_text(&mut w, "ab");
    paste(&mut w, "x\u{1b}[31my");
    assert!(matches!(
        w.forms[0].value(0),
        crate::validate::Value::Text("ab")
    ));
    let notice = w.notice.clone().unwrap();
    assert_eq!(notice.level, Level::Error);
    assert!(notice.text.contains("escape character"), "{}", notice.text);
    paste(&mut w, "two\nlines");
    assert!(w.notice.as_ref().unwrap().text.contains("line break"));
}

#[test]
fn status_is_a_toggle_on_by_default() {
    let mut w = new_form();
    act(&mut w, Action::Next);
    assert!(matches!(
        w.forms[0].value(1),
        crate::validate::Value::Toggle(true)
    ));
    act(&mut w, Action::Toggle);
    assert!(matches!(
        w.forms[0].value(1),
        crate::validate::Value::Toggle(false)
    ));
}

#[test]
fn reveal_flips_only_on_a_secret_and_resets_when_focus_moves() {
    let mut w = new_form();
    act(&mut w, Action::Reveal);
    assert_eq!(
        w.step,
        Step::Form {
            form: 0,
            focus: 0,
            revealed: false
        },
        "Group is not a secret"
    );
    act(&mut w, Action::Next);
    act(&mut w, Action::Next);
    act(&mut w, Action::Next); // client secret
    act(&mut w, Action::Reveal);
    assert_eq!(
        w.step,
        Step::Form {
            form: 0,
            focus: 3,
            revealed: true
        }
    );
    act(&mut w, Action::Next);
    assert_eq!(
        w.step,
        Step::Form {
            form: 0,
            focus: 4,
            revealed: false
        }
    );
}

#[test]
fn quit_asks_first_only_when_something_is_unsaved() {
    let mut w = wizard();
    act(&mut w, Action::Quit);
    assert_eq!(w.outcome, Some(Outcome::Cancelled));
    let mut w = new_form();
    type_text(&mut w, "x");
    act(&mut w, Action::Quit);
    assert_eq!(w.overlay, Some(Overlay::ConfirmQuit));
    assert_eq!(w.outcome, None);
    act(&mut w, Action::No);
    assert_eq!(w.overlay, None);
    act(&mut w, Action::Quit);
    act(&mut w, Action::Yes);
    assert_eq!(w.outcome, Some(Outcome::Cancelled));
}

#[test]
fn save_is_refused_while_there_are_problems_or_no_store() {
    let mut w = new_form();
    type_text(&mut w, "x"); // incomplete draft
    act(&mut w, Action::Back);
    act(&mut w, Action::Last);
    act(&mut w, Action::Enter);
    act(&mut w, Action::Last);
    act(&mut w, Action::Enter);
    assert_eq!(w.step, Step::Review { scroll: 0 });
    assert!(act(&mut w, Action::Save).is_empty());
    assert!(
        w.notice
            .as_ref()
            .unwrap()
            .text
            .starts_with("Not saved: Historical settings (x)")
    );
    let mut w = wizard();
    act(&mut w, Action::Enter);
    act(&mut w, Action::Last);
    act(&mut w, Action::Enter);
    act(&mut w, Action::Last);
    act(&mut w, Action::Enter);
    assert!(
        act(&mut w, Action::Save).is_empty(),
        "store still resolving"
    );
    w.update(Msg::StoreResolved(Err("no session bus".into())));
    assert!(act(&mut w, Action::Save).is_empty());
    assert!(w.notice.as_ref().unwrap().text.contains("no session bus"));
}

#[test]
fn a_failed_save_can_be_retried_or_left_for_review() {
    let mut w = ready(StoreKind::Keyutils);
    act(&mut w, Action::Enter);
    add_integration(&mut w, "", &jwt_never_expires());
    continue_to_review(&mut w);
    assert_eq!(act(&mut w, Action::Save).len(), 1);
    w.update(Msg::SaveDone(Err("Could not write /x: denied.".into())));
    assert!(matches!(&w.step, Step::SaveFailed { reason, .. } if reason.contains("denied")));
    assert_eq!(act(&mut w, Action::Enter).len(), 1, "Enter retries");
    w.update(Msg::SaveDone(Err("again".into())));
    act(&mut w, Action::Back);
    assert_eq!(w.step, Step::Review { scroll: 0 });
    assert_eq!(w.forms.len(), 1, "nothing lost");
}

#[test]
fn secrets_never_show_in_debug_output_of_messages_or_plans() {
    let mut w = ready(StoreKind::Keyutils);
    act(&mut w, Action::Enter);
    add_integration(&mut w, "", &jwt_never_expires());
    let plan = w.save_plan(StoreKind::Keyutils);
    let debug = format!(
        "{plan:?} {:?}",
        Msg::Paste(secrecy::SecretString::from(CLIENT_SECRET.to_owned()))
    );
    assert!(
        !debug.contains(CLIENT_SECRET) && !debug.contains(&jwt_never_expires()[..40]),
        "{debug}"
    );
    let drafts = format!("{:?}", w.forms);
    assert!(!drafts.contains(CLIENT_SECRET), "{drafts}");
}

#[test]
fn ctrl_c_works_while_a_save_hangs_and_a_finished_save_clears_the_question() {
    let mut w = wizard();
    w.update(Msg::StoreResolved(Ok(StoreInfo {
        kind: StoreKind::Keyutils,
        note: None,
        systemd_creds_skipped: None,
    })));
    act(&mut w, Action::Enter);
    add_integration(&mut w, "", &jwt_never_expires());
    continue_to_review(&mut w);
    act(&mut w, Action::Save);
    assert_eq!(w.step, Step::Saving);
    act(&mut w, Action::Quit);
    assert_eq!(w.overlay, Some(Overlay::ConfirmQuit), "unsaved work: ask");
    w.update(Msg::SaveDone(Ok(SaveReport {
        integrations: 1,
        secrets_written: 2,
        warnings: vec![],
    })));
    assert_eq!(w.overlay, None);
    assert!(matches!(w.step, Step::Done(_)));
    act(&mut w, Action::Quit);
    assert!(
        matches!(w.outcome, Some(Outcome::Saved(_))),
        "quitting after the save reports it"
    );
}

mod answers;
mod comments;
mod fill_from;
mod operator;

#[test]
fn a_row_is_selected_directly_and_past_the_end_means_the_last() {
    let document = loaded_document(StoreKind::Keyutils, true);
    let mut w = first_row_of(&document);
    w.update(Msg::SelectRow(1));
    assert_eq!(*w.step(), Step::Operation { op: 0, selected: 1 }); // Add
    w.update(Msg::SelectRow(99));
    assert_eq!(*w.step(), Step::Operation { op: 0, selected: 2 }); // Continue
    act(&mut w, Action::Back);
    w.update(Msg::SelectRow(5));
    assert_eq!(*w.step(), Step::Platform { selected: 0 }, "one platform");
    w = new_form();
    let before = w.step().clone();
    w.update(Msg::SelectRow(1));
    assert_eq!(*w.step(), before, "a form has no rows to select");
}
