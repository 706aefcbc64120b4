use secrecy::{ExposeSecret, SecretString};

use super::*;
use crate::secret::StoreKind;
use crate::test_support::*;
use crate::wizard::{DraftPlan, InputRequest, Interrupt, Msg, Overlay, SaveReport, link_can_drop};

const SECRET_ENTRY: &str = "000000000000/draft/ringcentral-v1/historical/east/client_secret";
const JWT_ENTRY: &str = "000000000000/draft/ringcentral-v1/historical/east/jwt";

fn drafts_in(effects: &[Effect]) -> Vec<&DraftPlan> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::SaveDraft(plan) => Some(plan),
            _ => None,
        })
        .collect()
}

/// A session with one finished Historical integration (group east) and the store ready.
fn one_integration() -> (Wizard, Vec<Effect>) {
    let mut w = ready(StoreKind::SecretService);
    act(&mut w, Action::Enter);
    let mut effects = Vec::new();
    act(&mut w, Action::Enter); // Add
    for (text, pasted) in [
        ("east", false),
        ("", false),
        (CLIENT_ID, false),
        (CLIENT_SECRET, true),
        (&jwt_never_expires(), true),
        ("15910001", false),
    ] {
        if pasted {
            effects.extend(w.update(Msg::Paste(SecretString::from(text.to_owned()))));
        } else {
            for c in text.chars() {
                effects.extend(w.update(Msg::Edit(InputRequest::InsertChar(c))));
            }
        }
        effects.extend(act(&mut w, Action::Enter));
    }
    (w, effects)
}

fn entry(user: &str) -> SecretRef {
    SecretRef {
        store: StoreKind::SecretService,
        service: "wfm-wizard".into(),
        user: user.into(),
    }
}

#[test]
fn a_draft_is_saved_when_a_step_ends_not_on_every_key() {
    let (_, effects) = one_integration();
    let plans = drafts_in(&effects);
    assert_eq!(
        plans.len(),
        1,
        "typing and moving between fields save nothing: {effects:?}"
    );
    let plan = plans[0];
    assert!(
        matches!(plan.snapshot.at, Position::Operation { ref operation } if operation == "historical")
    );
    let users: Vec<&str> = plan.writes.iter().map(|w| w.target.user.as_str()).collect();
    assert_eq!(users, [SECRET_ENTRY, JWT_ENTRY]);
    assert!(
        plan.writes
            .iter()
            .all(|w| w.target.store == StoreKind::SecretService)
    );
    assert_eq!(plan.writes[0].value.expose_secret(), CLIENT_SECRET);
}

#[test]
fn the_draft_file_holds_answers_and_entry_names_never_a_secret() {
    let (mut w, _) = one_integration();
    let plan = draft_plan(&mut w);
    let json = serde_json::to_string(&plan.snapshot).unwrap();
    assert!(!json.contains(CLIENT_SECRET) && !json.contains(&jwt_never_expires()[..40]));
    assert!(json.contains(CLIENT_ID) && json.contains("\"east\"") && json.contains(SECRET_ENTRY));
}

#[test]
fn a_cleared_secret_loses_its_draft_entry_at_the_next_step() {
    let (mut w, _) = one_integration();
    act(&mut w, Action::First);
    act(&mut w, Action::Enter); // open the integration again
    let before = w.draft_entries().to_vec();
    act(&mut w, Action::Next);
    act(&mut w, Action::Next);
    act(&mut w, Action::Next); // client secret
    w.update(Msg::Edit(InputRequest::DeleteLine));
    let effects = act(&mut w, Action::Back);
    let plans = drafts_in(&effects);
    let [plan] = plans.as_slice() else {
        panic!("leaving the form saves a draft: {effects:?}")
    };
    assert_eq!(before.len(), 2);
    assert_eq!(plan.deletes, [entry(SECRET_ENTRY)]);
    assert_eq!(w.draft_entries(), [entry(JWT_ENTRY)]);
}

#[test]
fn without_a_ready_store_secrets_are_left_out_and_an_unavailable_store_is_named() {
    let mut w = wizard();
    act(&mut w, Action::Enter);
    add_integration(&mut w, "", &jwt_never_expires());
    let plan = draft_plan(&mut w);
    assert!(plan.writes.is_empty());
    assert_eq!(plan.snapshot.secrets_left_out, 2);
    assert!(
        w.notice
            .as_ref()
            .is_none_or(|n| !n.text.contains("not kept")),
        "resolving: no alarm"
    );

    w.update(Msg::StoreResolved(Err("no keyring here".into())));
    act(&mut w, Action::Enter); // to User import: a new step
    let text = &w.notice.as_ref().expect("said so").text;
    assert!(
        text.contains("not kept in the draft") && text.contains("no keyring here"),
        "{text}"
    );
}

#[test]
fn a_successful_save_or_a_confirmed_quit_discards_the_draft_and_its_entries() {
    let (mut w, _) = one_integration();
    let entries = w.draft_entries().to_vec();
    let effects = w.update(Msg::SaveDone(Ok(SaveReport {
        integrations: 1,
        secrets_written: 2,
        warnings: vec![],
    })));
    assert!(
        matches!(effects.as_slice(), [Effect::DiscardDraft { entries: e, .. }] if *e == entries),
        "{effects:?}"
    );
    assert!(w.draft_entries().is_empty());

    let (mut w, _) = one_integration();
    act(&mut w, Action::Quit);
    assert_eq!(w.overlay, Some(Overlay::ConfirmQuit));
    let effects = act(&mut w, Action::Yes);
    assert!(
        matches!(effects.as_slice(), [Effect::DiscardDraft { entries, .. }] if entries.len() == 2)
    );
    assert_eq!(w.outcome, Some(Outcome::Cancelled));
}

#[test]
fn later_draft_effects_carry_higher_generations() {
    let (mut w, _) = one_integration();
    let first = draft_plan(&mut w).generation;
    let second = draft_plan(&mut w).generation;
    let Effect::DiscardDraft { generation, .. } = w.discard_draft() else {
        unreachable!()
    };
    assert!(first < second && second < generation);
}

#[test]
fn a_hangup_keeps_unsaved_work_in_a_last_draft_and_ends() {
    let (mut w, _) = one_integration();
    act(&mut w, Action::Enter); // Continue: user import
    act(&mut w, Action::Yes);
    act(&mut w, Action::Enter); // Add, then type without finishing a step
    for c in "west".chars() {
        w.update(Msg::Edit(InputRequest::InsertChar(c)));
    }
    let effects = w.update(Msg::Interrupted(Interrupt::HangUp));
    assert_eq!(w.outcome, Some(Outcome::Interrupted(Interrupt::HangUp)));
    let plans = drafts_in(&effects);
    let [plan] = plans.as_slice() else {
        panic!("one last draft: {effects:?}")
    };
    assert!(matches!(
        plan.snapshot.at,
        Position::Form {
            integration: 1,
            focus: 0
        }
    ));
    assert!(
        matches!(&plan.snapshot.integrations[1].fields[0], DraftField::Text { value, .. } if value == "west")
    );

    let mut untouched = wizard();
    assert!(
        untouched
            .update(Msg::Interrupted(Interrupt::Signal(15)))
            .is_empty()
    );
    assert_eq!(
        untouched.outcome,
        Some(Outcome::Interrupted(Interrupt::Signal(15)))
    );
}

#[test]
fn resuming_restores_answers_position_and_secrets_from_their_entries() {
    let (mut first, _) = one_integration();
    act(&mut first, Action::First);
    act(&mut first, Action::Enter); // in the form again
    act(&mut first, Action::Next);
    act(&mut first, Action::Toggle); // Status off
    let plan = draft_plan(&mut first);
    let mut second = ready(StoreKind::SecretService);
    second.update(Msg::Startup(Startup::DraftFound(plan.snapshot.clone())));
    assert!(second.resume_offer().is_some(), "the offer is what shows");
    assert!(
        second
            .update(Msg::Edit(InputRequest::InsertChar('x')))
            .is_empty()
    );

    let effects = act(&mut second, Action::Yes);
    let [Effect::LoadDraftSecrets(entries)] = effects.as_slice() else {
        panic!("the secrets are read back: {effects:?}")
    };
    assert_eq!(*entries, [entry(SECRET_ENTRY), entry(JWT_ENTRY)]);
    assert!(second.resume_offer().is_none() && second.dirty);
    assert_eq!(
        second.step,
        Step::Form {
            form: 0,
            focus: 1,
            revealed: false
        }
    );
    let loaded = vec![
        (entry(SECRET_ENTRY), Some(SecretString::from(CLIENT_SECRET))),
        (
            entry(JWT_ENTRY),
            Some(SecretString::from(jwt_never_expires())),
        ),
    ];
    second.update(Msg::DraftSecretsLoaded(Ok(loaded)));
    let again = second.save_plan(StoreKind::SecretService);
    let original = first.save_plan(StoreKind::SecretService);
    assert_eq!(again.document, original.document, "every answer is back");
    assert_eq!(again.writes.len(), 2);
    for (a, b) in again.writes.iter().zip(&original.writes) {
        assert_eq!(a.value.expose_secret(), b.value.expose_secret());
    }
    assert!(!second.document_enabled_first(), "the toggle came back off");
}

impl Wizard {
    fn document_enabled_first(&self) -> bool {
        self.forms[0].enabled(&self.form_fields(0))
    }
}

#[test]
fn a_secret_missing_from_the_keyring_is_named_and_left_to_type_again() {
    let (mut first, _) = one_integration();
    let mut second = ready(StoreKind::Keyutils);
    second.update(Msg::Startup(Startup::DraftFound(
        draft_plan(&mut first).snapshot,
    )));
    act(&mut second, Action::Yes);
    second.update(Msg::DraftSecretsLoaded(Ok(vec![
        (entry(SECRET_ENTRY), None),
        (
            entry(JWT_ENTRY),
            Some(SecretString::from(jwt_never_expires())),
        ),
    ])));
    let notice = second.notice.clone().expect("said so");
    assert!(
        notice.level == Level::Error && notice.text.contains("1 secret(s)"),
        "{notice:?}"
    );
    assert!(
        second
            .problems()
            .iter()
            .any(|p| p.contains("client secret") || p.contains("Client secret")),
        "{:?}",
        second.problems()
    );
}

#[test]
fn discarding_removes_the_file_and_the_entries_the_draft_names() {
    let (mut first, _) = one_integration();
    let mut second = ready(StoreKind::SecretService);
    second.update(Msg::Startup(Startup::DraftFound(
        draft_plan(&mut first).snapshot,
    )));
    let effects = act(&mut second, Action::Delete);
    assert!(
        matches!(effects.as_slice(), [Effect::DiscardDraft { entries, .. }] if *entries == [entry(SECRET_ENTRY), entry(JWT_ENTRY)]),
        "{effects:?}"
    );
    assert!(second.resume_offer().is_none() && second.forms.is_empty() && !second.dirty);
}

#[test]
fn quitting_at_the_offer_keeps_the_draft_and_a_hangup_does_not_overwrite_it() {
    let (mut first, _) = one_integration();
    let snapshot = draft_plan(&mut first).snapshot;
    let mut second = ready(StoreKind::SecretService);
    second.update(Msg::Startup(Startup::DraftFound(snapshot.clone())));
    assert!(act(&mut second, Action::Quit).is_empty());
    assert_eq!(second.outcome, Some(Outcome::Cancelled));

    // Unsaved work of its own, then the offer: the offer still wins.
    let (mut third, _) = one_integration();
    third.update(Msg::Startup(Startup::DraftFound(snapshot)));
    assert!(third.dirty && third.resume_offer().is_some());
    assert!(third.update(Msg::Interrupted(Interrupt::HangUp)).is_empty());
}

#[test]
fn two_unfinished_integrations_with_one_group_get_separate_entries() {
    let mut w = ready(StoreKind::Keyutils);
    act(&mut w, Action::Enter);
    for _ in 0..2 {
        act(&mut w, Action::Last);
        act(&mut w, Action::Prev); // Add
        act(&mut w, Action::Enter);
        act(&mut w, Action::Last);
        act(&mut w, Action::Prev); // JWT
        paste(&mut w, "x.y.z");
        act(&mut w, Action::Back);
    }
    let plan = draft_plan(&mut w);
    let users: Vec<&str> = plan.writes.iter().map(|w| w.target.user.as_str()).collect();
    assert_eq!(
        users,
        [
            "000000000000/draft/ringcentral-v1/historical/default/jwt",
            "000000000000/draft/ringcentral-v1/historical/default/jwt~2"
        ]
    );
}

#[test]
fn the_ssh_hint_is_for_ssh_outside_tmux_and_screen_and_shown_once() {
    assert!(link_can_drop(true, false, false));
    assert!(!link_can_drop(false, false, false));
    assert!(!link_can_drop(true, true, false));
    assert!(!link_can_drop(true, false, true));
    let mut w = wizard();
    w.update(Msg::Startup(Startup::LinkCanDrop));
    assert!(
        w.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("tmux") && n.text.contains("draft"))
    );
    act(&mut w, Action::Next);
    assert!(w.notice.is_none(), "said once");
}

#[test]
fn secrets_left_out_while_the_store_resolved_follow_as_soon_as_it_is_ready() {
    let mut w = wizard();
    act(&mut w, Action::Enter);
    let effects: Vec<Effect> = {
        let mut all = Vec::new();
        act(&mut w, Action::Enter); // Add
        act(&mut w, Action::Last);
        act(&mut w, Action::Prev); // JWT
        paste(&mut w, &jwt_never_expires());
        all.extend(act(&mut w, Action::Back)); // a step: a draft without the secret
        all
    };
    assert_eq!(drafts_in(&effects)[0].snapshot.secrets_left_out, 1);
    let effects = w.update(Msg::StoreResolved(Ok(crate::wizard::StoreInfo {
        kind: StoreKind::Keyutils,
        note: None,
        systemd_creds_skipped: None,
    })));
    let plans = drafts_in(&effects);
    let [plan] = plans.as_slice() else {
        panic!("a catch-up draft: {effects:?}")
    };
    assert_eq!(plan.writes.len(), 1);
    assert_eq!(plan.snapshot.secrets_left_out, 0);
    let later = w.update(Msg::StoreResolved(Ok(crate::wizard::StoreInfo {
        kind: StoreKind::Keyutils,
        note: None,
        systemd_creds_skipped: None,
    })));
    assert!(later.is_empty(), "caught up once");
}

#[test]
fn resuming_keeps_integrations_the_file_gained_since_the_draft() {
    let (mut first, _) = one_integration();
    let snapshot = draft_plan(&mut first).snapshot;
    let document = loaded_document(StoreKind::SecretService, true);
    let mut later = Wizard::new(
        crate::catalog::Catalog::builtin(),
        Some(&document),
        "x",
        NOW,
    );
    later.update(Msg::Startup(Startup::DraftFound(snapshot)));
    act(&mut later, Action::Yes);
    assert_eq!(
        later.forms.len(),
        2,
        "the draft's integration and the file's newer one"
    );
    // The file's in its order, then the draft's new one (as a session adds them).
    assert_eq!(
        later.forms[0].original.as_ref(),
        Some(&document.integrations[0])
    );
    assert!(later.forms[1].original.is_none());
}

#[test]
fn quit_and_keep_the_draft_keeps_it_with_the_focus_and_resume_puts_focus_back() {
    let mut w = ready(StoreKind::SecretService);
    act(&mut w, Action::Enter);
    act(&mut w, Action::Enter); // a new Historical form
    type_text(&mut w, "east");
    act(&mut w, Action::Next);
    act(&mut w, Action::Next); // client ID
    type_text(&mut w, "abc");
    act(&mut w, Action::Quit);
    assert_eq!(w.overlay, Some(Overlay::ConfirmQuit));
    let body = w.overlay_text(&Overlay::ConfirmQuit).body;
    assert!(body.contains("draft") && body.contains("deleted"), "{body}");

    let effects = act(&mut w, Action::Keep);
    let [Effect::SaveDraft(plan)] = effects.as_slice() else {
        panic!("the draft is written, not discarded: {effects:?}")
    };
    assert_eq!(w.outcome, Some(Outcome::Cancelled));
    assert_eq!(
        plan.snapshot.at,
        crate::config::draft::Position::Form {
            integration: 0,
            focus: 2
        }
    );

    let mut later = ready(StoreKind::SecretService);
    later.update(Msg::Startup(Startup::DraftFound(plan.snapshot.clone())));
    act(&mut later, Action::Yes);
    assert!(
        matches!(
            later.step,
            Step::Form {
                form: 0,
                focus: 2,
                ..
            }
        ),
        "{:?}",
        later.step
    );
}

/// A new session with the kernel keyring shows the store gate before the form: the
/// form still opens on the field that had focus when the draft was written.
#[test]
fn resume_puts_focus_back_after_the_store_gate_of_a_new_session() {
    let mut w = ready(StoreKind::Keyutils);
    act(&mut w, Action::Enter);
    act(&mut w, Action::Enter); // a new Historical form
    type_text(&mut w, "east");
    for _ in 0..4 {
        act(&mut w, Action::Next); // to the JWT
    }
    act(&mut w, Action::Quit);
    let effects = act(&mut w, Action::Keep);
    let [Effect::SaveDraft(plan)] = effects.as_slice() else {
        panic!("no draft: {effects:?}")
    };
    let snapshot = plan.snapshot.clone();
    let mut later = crate::test_support::gated_wizard();
    later.update(Msg::StoreResolved(Ok(crate::wizard::StoreInfo {
        kind: StoreKind::Keyutils,
        note: None,
        systemd_creds_skipped: None,
    })));
    later.update(Msg::Startup(Startup::DraftFound(snapshot)));
    act(&mut later, Action::Yes);
    assert!(
        matches!(later.step, Step::StoreGate { form: 0 }),
        "{:?}",
        later.step
    );
    act(&mut later, Action::Enter);
    assert!(
        matches!(
            later.step,
            Step::Form {
                form: 0,
                focus: 4,
                ..
            }
        ),
        "{:?}",
        later.step
    );
}

/// A file of three Historical integrations (west, north, south).
fn three_loaded() -> crate::config::Document {
    historical_in(&["west", "north", "south"])
}

fn resumed(document: &crate::config::Document, snapshot: crate::config::draft::Snapshot) -> Wizard {
    let mut later = Wizard::new(crate::catalog::Catalog::builtin(), Some(document), "x", NOW);
    later.update(Msg::Startup(Startup::DraftFound(snapshot)));
    act(&mut later, Action::Yes);
    later
}

fn groups(w: &Wizard) -> Vec<String> {
    (0..w.forms.len())
        .map(|i| w.forms[i].group(&w.form_fields(i)))
        .collect()
}

/// At 10,000 integrations a draft of every one cost each step ~100 ms: a draft lists
/// only what differs from the file, and resuming puts the file's others back in order.
#[test]
fn a_draft_lists_only_the_changed_and_resumes_them_among_the_files_in_order() {
    let document = three_loaded();
    let mut w = first_row_of(&document);
    act(&mut w, Action::Next); // north
    act(&mut w, Action::Enter);
    type_text(&mut w, "x");
    act(&mut w, Action::Next); // Status, where the draft is taken
    let snapshot = w.snapshot();
    assert_eq!(snapshot.integrations.len(), 1, "{snapshot:#?}");
    assert_eq!(
        snapshot.at,
        crate::config::draft::Position::Form {
            integration: 0,
            focus: 1
        }
    );

    let later = resumed(&document, snapshot);
    assert_eq!(groups(&later), ["west", "northx", "south"]);
    assert_eq!(
        later.forms[0].original,
        Some(document.integrations[0].clone())
    );
    assert!(later.forms[1].touched && !later.forms[0].touched);
    assert!(
        matches!(
            later.step,
            Step::Form {
                form: 1,
                focus: 1,
                ..
            } | Step::StoreGate { form: 1 }
        ),
        "{:?}",
        later.step
    );
}

#[test]
fn a_deleted_integration_stays_deleted_and_a_new_one_comes_last() {
    let document = three_loaded();
    let mut w = first_row_of(&document);
    act(&mut w, Action::Delete); // west
    act(&mut w, Action::Yes);
    select_row(&mut w, 2); // Add, after north and south
    add_integration(&mut w, "east", &jwt_never_expires());
    let snapshot = w.snapshot();
    assert_eq!(
        snapshot.integrations.len(),
        1,
        "only the new one: {snapshot:#?}"
    );
    assert_eq!(snapshot.removed, [document.integrations[0].clone()]);
    assert_eq!(
        groups(&resumed(&document, snapshot)),
        ["north", "south", "east"]
    );
}

/// An integration the draft did not change is resumed as the file has it now: a change
/// saved by someone else meanwhile is kept, not overwritten by an old copy.
#[test]
fn an_unchanged_integration_is_resumed_as_the_file_has_it_now() {
    let document = three_loaded();
    let mut w = first_row_of(&document);
    act(&mut w, Action::Enter); // west
    type_text(&mut w, "x");
    act(&mut w, Action::Next);
    let snapshot = w.snapshot();
    let mut newer = document.clone();
    newer.integrations[2].enabled = false; // south, saved off by someone else
    let later = resumed(&newer, snapshot);
    assert_eq!(groups(&later), ["westx", "north", "south"]);
    assert_eq!(later.forms[2].original, Some(newer.integrations[2].clone()));
}

/// Drafts before version 3 list every integration; they resume as before.
#[test]
fn a_version_2_draft_that_lists_every_integration_still_resumes() {
    let document = three_loaded();
    let mut w = first_row_of(&document);
    act(&mut w, Action::Next);
    act(&mut w, Action::Next); // south
    act(&mut w, Action::Enter);
    type_text(&mut w, "x");
    act(&mut w, Action::Next);
    let mut snapshot = w.snapshot();
    // As version 2 wrote it: every integration, the position among them all.
    let full: Vec<_> = (0..3)
        .map(|i| {
            let mut one = snapshot.integrations[0].clone();
            one.original = Some(document.integrations[i].clone());
            if let Some(crate::config::draft::DraftField::Text { value, .. }) =
                one.fields.first_mut()
            {
                *value = if i == 2 {
                    "southx".into()
                } else {
                    ["west", "north"][i].into()
                };
            }
            one.touched = i == 2;
            one
        })
        .collect();
    snapshot.integrations = full;
    snapshot.version = 2;
    snapshot.at = crate::config::draft::Position::Form {
        integration: 2,
        focus: 1,
    };
    let later = resumed(&document, snapshot);
    assert_eq!(groups(&later), ["west", "north", "southx"]);
    assert!(
        matches!(
            later.step,
            Step::Form { form: 2, .. } | Step::StoreGate { form: 2 }
        ),
        "{:?}",
        later.step
    );
}
