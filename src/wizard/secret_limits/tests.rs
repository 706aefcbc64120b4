use secrecy::SecretString;

use super::*;
use crate::catalog::Catalog;
use crate::secret::SecretRef;
use crate::test_support::*;
use crate::wizard::{Action, Effect, Msg, Step, StoredCheck, review_text};

const JWT_FIELD: usize = 4;
const CLIENT_SECRET_FIELD: usize = 3;

/// A never-expiring JWT of at least `len` bytes.
fn long_jwt(len: usize) -> String {
    jwt(&format!(
        r#"{{"iss":"https://platform.ringcentral.com","iat":1750000000,"exp":3897483647,"jti":"{}"}}"#,
        "A".repeat(len)
    ))
}

/// The form of a new Historical integration, secrets going to `kind`, on `field`.
fn form_on(kind: StoreKind, field: usize) -> Wizard {
    let mut w = ready(kind); // past the store gate
    act(&mut w, Action::Enter); // platform
    act(&mut w, Action::Enter); // Add
    for _ in 0..field {
        act(&mut w, Action::Next);
    }
    assert!(matches!(w.step, Step::Form { focus, .. } if focus == field));
    w
}

fn saves(effects: &[Effect]) -> usize {
    effects
        .iter()
        .filter(|e| matches!(e, Effect::Save(_)))
        .count()
}

#[test]
fn a_paste_the_kernel_keyring_cannot_hold_is_an_error_at_once_and_is_never_saved() {
    let mut w = form_on(StoreKind::Keyutils, JWT_FIELD);
    paste(&mut w, &long_jwt(100_000));
    assert!(
        w.forms[0].visited[JWT_FIELD],
        "shown now, not on leaving the field"
    );
    let error = w.field_check(0, JWT_FIELD).error.expect("an error at once");
    assert!(error.contains("Too long for keyutils"), "{error}");
    assert!(error.contains("--secret-store secret-service"), "{error}");
    // The integration cannot be finished, and Review refuses to save.
    act(&mut w, Action::Last);
    act(&mut w, Action::Enter);
    assert!(matches!(w.step, Step::Form { .. }), "{:?}", w.step);
    act(&mut w, Action::Back);
    act(&mut w, Action::Last);
    continue_to_review(&mut w);
    assert_eq!(w.step, Step::Review { scroll: 0 });
    assert!(
        w.problems()
            .iter()
            .any(|p| p.contains("Too long for keyutils")),
        "{:?}",
        w.problems()
    );
    assert_eq!(saves(&act(&mut w, Action::Save)), 0);
    assert!(
        w.notice
            .as_ref()
            .is_some_and(|n| n.text.starts_with("Not saved"))
    );
}

#[test]
fn the_same_paste_fits_the_secret_service() {
    let mut w = form_on(StoreKind::SecretService, JWT_FIELD);
    paste(&mut w, &long_jwt(100_000));
    assert_eq!(w.field_check(0, JWT_FIELD).error, None);
}

#[test]
fn a_paste_before_the_store_is_known_shows_its_error_once_it_is() {
    let mut w = wizard();
    act(&mut w, Action::Enter);
    act(&mut w, Action::Enter);
    for _ in 0..JWT_FIELD {
        act(&mut w, Action::Next);
    }
    paste(&mut w, &long_jwt(40_000));
    w.forms[0].visited[JWT_FIELD] = false;
    w.update(Msg::StoreResolved(Ok(crate::wizard::StoreInfo {
        kind: StoreKind::Keyutils,
        note: None,
        systemd_creds_skipped: None,
    })));
    assert!(w.forms[0].visited[JWT_FIELD]);
    assert!(w.field_check(0, JWT_FIELD).error.is_some());
}

#[test]
fn a_draft_keeps_everything_but_the_secret_the_store_cannot_hold_and_says_which() {
    let mut w = form_on(StoreKind::Keyutils, CLIENT_SECRET_FIELD);
    paste(&mut w, CLIENT_SECRET);
    act(&mut w, Action::Next);
    paste(&mut w, &long_jwt(100_000));
    let effects = act(&mut w, Action::Back); // leaves the form: a draft
    let [Effect::SaveDraft(plan)] = effects.as_slice() else {
        panic!("one draft expected: {effects:?}");
    };
    let parked: Vec<&str> = plan.writes.iter().map(|w| w.target.user.as_str()).collect();
    assert_eq!(
        parked,
        ["000000000000/draft/ringcentral-v1/historical/default/client_secret"]
    );
    let notice = w.notice.as_ref().expect("told").text.clone();
    assert!(
        notice.contains(
            "RingCentral CX JWT of Historical settings (no group) (too long for keyutils)"
        ),
        "{notice}"
    );
}

#[test]
fn a_secret_the_store_refuses_while_drafting_is_named_and_forgotten() {
    let mut w = form_on(StoreKind::Keyutils, CLIENT_SECRET_FIELD);
    paste(&mut w, CLIENT_SECRET);
    let effects = act(&mut w, Action::Back);
    let [Effect::SaveDraft(plan)] = effects.as_slice() else {
        panic!("one draft expected: {effects:?}");
    };
    let entry = plan.writes[0].target.clone();
    w.update(Msg::DraftSaved(Ok(vec![crate::wizard::NotKept {
        entry: entry.clone(),
        why: "keyutils: quota exceeded".into(),
    }])));
    assert!(!w.draft_entries().contains(&entry));
    let notice = w.notice.as_ref().expect("told").text.clone();
    assert!(
        notice.contains("RingCentral CX client secret of Historical settings (no group): keyutils: quota exceeded"),
        "{notice}"
    );
}

fn loaded_with_gone_jwt() -> (Wizard, SecretRef) {
    let document = loaded_document(StoreKind::Keyutils, true);
    let w = Wizard::new(Catalog::builtin(), Some(&document), "x", NOW);
    let effects = w.start();
    let [Effect::ResolveStore, Effect::CheckStoredSecrets(references)] = effects.as_slice() else {
        panic!("the stored secrets are checked after start: {effects:?}");
    };
    assert_eq!(references.len(), 2, "{references:?}");
    let gone = references
        .iter()
        .find(|r| r.user.ends_with("/jwt"))
        .expect("the JWT's reference")
        .clone();
    let mut w = first_row_of(&document);
    w.update(Msg::StoreResolved(Ok(crate::wizard::StoreInfo {
        kind: StoreKind::Keyutils,
        note: None,
        systemd_creds_skipped: None,
    })));
    w.update(Msg::StoredSecretsChecked(StoredCheck {
        missing: vec![gone.clone()],
        unchecked: Vec::new(),
    }));
    (w, gone)
}

#[test]
fn a_vanished_secret_is_an_error_on_its_field_and_in_review_and_blocks_saving() {
    let (mut w, _) = loaded_with_gone_jwt();
    let error = w
        .field_check(0, JWT_FIELD)
        .error
        .expect("an error on the field");
    assert!(error.contains("The stored value is gone"), "{error}");
    assert_eq!(w.field_check(0, CLIENT_SECRET_FIELD).error, None);
    let defs = w.form_fields(0);
    let shown = review_text::field_value(
        defs[JWT_FIELD],
        &w.forms[0].fields[JWT_FIELD],
        None,
        "*",
        "->",
    );
    assert!(shown.starts_with("MISSING"), "{shown}");
    assert!(!shown.contains("kept"), "{shown}");
    act(&mut w, Action::Last);
    continue_to_review(&mut w);
    assert!(
        w.problems().iter().any(|p| p.contains("gone")),
        "{:?}",
        w.problems()
    );
    assert_eq!(saves(&act(&mut w, Action::Save)), 0);
    // Typed again: it saves.
    act(&mut w, Action::Back);
    act(&mut w, Action::Back);
    select_row(&mut w, 0);
    act(&mut w, Action::Enter);
    for _ in 0..JWT_FIELD {
        act(&mut w, Action::Next);
    }
    paste(&mut w, &jwt_never_expires());
    assert_eq!(w.field_check(0, JWT_FIELD).error, None);
    act(&mut w, Action::Last);
    act(&mut w, Action::Enter);
    continue_to_review(&mut w);
    assert_eq!(saves(&act(&mut w, Action::Save)), 1, "{:?}", w.notice);
}

#[test]
fn a_resumed_draft_keeps_the_vanished_mark() {
    let (mut w, gone) = loaded_with_gone_jwt();
    let snapshot = w.snapshot();
    w.update(Msg::Startup(Startup::DraftFound(snapshot)));
    act(&mut w, Action::Yes);
    let FieldState::Secret(secret) = &w.forms[0].fields[JWT_FIELD] else {
        panic!("the JWT is a secret field");
    };
    assert_eq!(secret.stored.as_ref(), Some(&gone));
    assert!(secret.vanished);
}

#[test]
fn a_store_that_could_not_be_checked_marks_nothing() {
    let document = loaded_document(StoreKind::Keyutils, true);
    let mut w = first_row_of(&document);
    w.update(Msg::StoredSecretsChecked(StoredCheck {
        missing: Vec::new(),
        unchecked: vec!["keyutils: no answer".into()],
    }));
    assert!(w.problems().is_empty(), "{:?}", w.problems());
    let _ = SecretString::from("unused");
}

#[test]
fn the_message_says_how_long_and_what_to_do() {
    let message = too_long_for(StoreKind::Keyutils, &"a".repeat(100_000)).unwrap();
    assert!(message.contains("100,000 bytes"), "{message}");
    assert!(message.contains("at most 32,767 bytes"), "{message}");
    assert!(
        message.contains("--secret-store secret-service"),
        "{message}"
    );
    assert!(message.contains("systemd-creds"), "{message}");
    assert_eq!(too_long_for(StoreKind::Keyutils, &"a".repeat(32_767)), None);
    let desktop = too_long_for(StoreKind::SecretService, &"a".repeat(2 << 20)).unwrap();
    assert!(
        !desktop.contains("--secret-store secret-service"),
        "{desktop}"
    );
}

#[test]
fn digits_are_grouped_by_thousands() {
    assert_eq!(group_digits(0), "0");
    assert_eq!(group_digits(999), "999");
    assert_eq!(group_digits(1_000), "1,000");
    assert_eq!(group_digits(1_048_576), "1,048,576");
}
