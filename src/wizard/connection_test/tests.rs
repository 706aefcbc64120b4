use super::*;
use crate::connection_verdict::{Cause, Outcome, SubAccount};
use crate::secret::StoreKind;
use crate::test_support::*;
use crate::wizard::Step;
use crate::wizard::{Action, Msg};

/// A new Historical form with every field filled, focus on the Sub account ID.
pub(crate) fn filled_form() -> Wizard {
    let mut w = new_form();
    type_text(&mut w, "east");
    act(&mut w, Action::Enter);
    act(&mut w, Action::Enter); // Status stays on
    type_text(&mut w, crate::test_support::CLIENT_ID);
    act(&mut w, Action::Enter);
    paste(&mut w, crate::test_support::CLIENT_SECRET);
    act(&mut w, Action::Enter);
    paste(&mut w, &jwt_never_expires());
    act(&mut w, Action::Enter);
    type_text(&mut w, "15910001");
    w
}

/// Presses the test key; the id of the test it started.
pub(crate) fn start(w: &mut Wizard) -> TestId {
    act(w, Action::TestConnection)
        .iter()
        .find_map(|e| match e {
            Effect::TestConnection { id, .. } => Some(*id),
            _ => None,
        })
        .expect("a test starts")
}

pub(crate) fn sub_accounts() -> Vec<SubAccount> {
    vec![
        SubAccount {
            id: "15910001".into(),
            name: "East coast".into(),
            active: Some(true),
        },
        SubAccount {
            id: "15910002".into(),
            name: "West coast".into(),
            active: Some(true),
        },
        SubAccount {
            id: "15910003".into(),
            name: "Closed office".into(),
            active: Some(false),
        },
    ]
}

pub(crate) fn passed() -> Verdict {
    let mut verdict = Verdict::new();
    for stage in Stage::ALL {
        verdict.set(stage, Outcome::Passed { reused: false });
    }
    verdict.sub_accounts = Some(sub_accounts());
    verdict
}

/// A verdict failing with `cause` at the stage such a cause comes from.
pub(crate) fn failed_with(cause: Cause) -> Verdict {
    let stage = match &cause {
        Cause::NotLinkedToRingCx | Cause::RingCxLoginForbidden => Stage::RingCxLogin,
        Cause::MissingWfoAccess { .. }
        | Cause::SubAccountAbsent { .. }
        | Cause::SubAccountInactive { .. } => Stage::SubAccount,
        _ => Stage::RingCentralToken,
    };
    let mut verdict = Verdict::new();
    for before in Stage::ALL.iter().take_while(|s| **s != stage) {
        verdict.set(*before, Outcome::Passed { reused: false });
    }
    verdict.set(stage, Outcome::Failed { cause });
    verdict
}

/// A filled form whose test answered `verdict`.
pub(crate) fn tested(verdict: Verdict) -> Wizard {
    let mut w = filled_form();
    let id = start(&mut w);
    w.update(Msg::TestDone {
        id,
        result: Ok(verdict),
    });
    w
}

fn sub_account_value(w: &Wizard) -> String {
    w.text_of(0, SUB_ACCOUNT_ID)
}

#[test]
fn the_test_key_sends_the_typed_values_and_the_stages_tick_as_they_pass() {
    let mut w = filled_form();
    let effects = act(&mut w, Action::TestConnection);
    let Some(Effect::TestConnection { id, inputs }) = effects.first() else {
        panic!("{effects:?}")
    };
    assert_eq!(inputs.client_id, crate::test_support::CLIENT_ID);
    assert_eq!(inputs.sub_account_id, "15910001");
    assert!(matches!(&inputs.client_secret, SecretSource::Typed(s)
            if secrecy::ExposeSecret::expose_secret(s) == crate::test_support::CLIENT_SECRET));
    assert!(w.test_running(0));
    w.update(Msg::TestProgress {
        id: *id,
        progress: Progress::Passed {
            stage: Stage::RingCentralToken,
            reused: false,
        },
    });
    w.update(Msg::TestProgress {
        id: *id,
        progress: Progress::Waiting {
            stage: Stage::RingCxLogin,
            seconds_remaining: 7,
            why: WaitReason::RateLimited,
        },
    });
    let report = w.test_report(0).unwrap();
    assert_eq!(report.stages[0].0, StageMark::Passed);
    assert_eq!(report.stages[1].0, StageMark::Waiting(7));
    assert_eq!(report.stages[2].0, StageMark::NotRun);
    w.update(Msg::TestDone {
        id: *id,
        result: Ok(passed()),
    });
    assert!(!w.test_running(0));
    assert_eq!(w.test_report(0).unwrap().headline, "Connection test passed");
}

#[test]
fn esc_cancels_a_running_test_and_stays_in_the_form_and_its_late_answer_is_ignored() {
    let mut w = filled_form();
    let id = start(&mut w);
    let effects = act(&mut w, Action::Back);
    assert!(
        matches!(effects.as_slice(), [Effect::CancelTest { id: c }] if *c == id),
        "{effects:?}"
    );
    assert!(matches!(w.step(), Step::Form { .. }), "still in the form");
    w.update(Msg::TestDone {
        id,
        result: Ok(passed()),
    });
    assert_eq!(w.connection_test(0), Some(&TestState::Cancelled));
    act(&mut w, Action::Back);
    assert!(matches!(w.step(), Step::Operation { .. }), "Esc leaves now");
}

#[test]
fn a_new_test_supersedes_the_running_one() {
    let mut w = filled_form();
    let first = start(&mut w);
    let second = start(&mut w);
    assert_ne!(first, second);
    w.update(Msg::TestDone {
        id: first,
        result: Ok(failed_with(Cause::JwtBadSignature)),
    });
    assert!(
        w.test_running(0),
        "the first run's answer is not this run's"
    );
    w.update(Msg::TestDone {
        id: second,
        result: Ok(passed()),
    });
    assert!(w.test_report(0).unwrap().failure.is_none());
}

#[test]
fn a_result_survives_review_and_goes_stale_when_a_credential_changes() {
    let mut w = tested(passed());
    act(&mut w, Action::Enter); // finish the form
    continue_to_review(&mut w);
    assert!(matches!(w.step(), Step::Review { .. }));
    assert!(w.test_report(0).is_some(), "kept on Review");
    let mut w = tested(passed());
    act(&mut w, Action::Prev); // the JWT
    type_text(&mut w, "x");
    assert_eq!(w.connection_test(0), None, "a changed JWT drops the result");
}

#[test]
fn a_form_without_a_client_secret_is_not_tested_and_says_what_is_empty() {
    let mut w = new_form();
    let effects = act(&mut w, Action::TestConnection);
    assert!(effects.is_empty());
    let notice = w.notice().unwrap().text.clone();
    assert!(notice.contains("client secret"), "{notice}");
}

#[test]
fn stored_secrets_go_to_the_runner_as_references() {
    let mut w = first_row_of(&loaded_document(StoreKind::Keyutils, true));
    act(&mut w, Action::Enter); // edit it
    let effects = act(&mut w, Action::TestConnection);
    let Some(Effect::TestConnection { inputs, .. }) = effects.first() else {
        panic!("{effects:?}")
    };
    assert!(matches!(&inputs.jwt, SecretSource::Stored(r) if r.user.ends_with("/jwt")));
}

#[test]
fn the_picker_fills_the_sub_account_and_another_id_is_checked_against_the_list() {
    let mut w = tested(passed());
    assert_eq!(w.sub_account_picker(), Some((0, 0)));
    act(&mut w, Action::PickNext);
    act(&mut w, Action::Pick);
    assert_eq!(sub_account_value(&w), "15910002");
    assert_eq!(w.sub_account_picker(), None, "closed once picked");
    assert!(w.test_report(0).unwrap().failure.is_none());
    act(&mut w, Action::Clear);
    type_text(&mut w, "15910003");
    let report = w.test_report(0).unwrap();
    let (what, _) = report.failure.expect("inactive");
    assert!(what.contains("not active"), "{what}");
    act(&mut w, Action::Clear);
    type_text(&mut w, "99");
    let (what, _) = w.test_report(0).unwrap().failure.expect("absent");
    assert!(what.contains("99 is not one of the 3"), "{what}");
    act(&mut w, Action::Clear);
    let (what, _) = w.test_report(0).unwrap().failure.expect("empty");
    assert!(what.starts_with("No Sub account ID yet"), "{what}");
}

#[test]
fn esc_closes_the_picker_and_typing_still_works() {
    let mut w = tested(passed());
    act(&mut w, Action::ClosePicker);
    assert_eq!(w.sub_account_picker(), None);
    type_text(&mut w, "9");
    assert_eq!(sub_account_value(&w), "159100019");
    act(&mut w, Action::Prev);
    act(&mut w, Action::Next);
    assert!(
        w.sub_account_picker().is_some(),
        "open again on the next visit"
    );
}

#[test]
fn review_tests_every_integration_one_after_another() {
    let mut w = wizard();
    act(&mut w, Action::Enter);
    add_integration(&mut w, "east", &jwt_never_expires());
    select_row(&mut w, 1);
    add_integration(&mut w, "west", &jwt_never_expires());
    assert_eq!(w.forms().len(), 2);
    continue_to_review(&mut w);
    let effects = act(&mut w, Action::TestConnection);
    let ids: Vec<TestId> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::TestConnection { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(ids.len(), 1, "one at a time");
    let next = w.update(Msg::TestDone {
        id: ids[0],
        result: Ok(failed_with(Cause::InvalidClient { code: None })),
    });
    assert!(
        next.iter()
            .any(|e| matches!(e, Effect::TestConnection { .. }))
    );
    assert!(w.test_running(1));
}

#[test]
fn saving_after_a_failed_test_asks_once() {
    let mut w = ready(StoreKind::Keyutils);
    act(&mut w, Action::Enter);
    add_integration(&mut w, "east", &jwt_never_expires());
    continue_to_review(&mut w);
    let id = act(&mut w, Action::TestConnection)
        .iter()
        .find_map(|e| match e {
            Effect::TestConnection { id, .. } => Some(*id),
            _ => None,
        })
        .unwrap();
    w.update(Msg::TestDone {
        id,
        result: Ok(failed_with(Cause::InvalidClient { code: None })),
    });
    let first = act(&mut w, Action::Save);
    assert!(first.iter().all(|e| !matches!(e, Effect::Save(_))));
    assert!(w.notice().unwrap().text.contains("save anyway?"));
    let second = act(&mut w, Action::Save);
    assert!(
        second.iter().any(|e| matches!(e, Effect::Save(_))),
        "{second:?}"
    );
}

#[test]
fn review_tests_only_the_integrations_with_credentials_and_says_how_many_it_left() {
    let mut w = first_row_of(&historical_in(&["east", "west", "north"]));
    // The kernel keyring lost west's and north's JWT.
    let gone = |group: &str| crate::secret::SecretRef {
        store: StoreKind::Keyutils,
        service: "wfm-wizard".into(),
        user: crate::secret::entry_user(
            crate::wizard::UNASSIGNED_NAMESPACE,
            "ringcentral-v1",
            "historical",
            Some(group),
            "jwt",
        ),
    };
    w.update(Msg::StoredSecretsChecked(crate::wizard::StoredCheck {
        missing: vec![gone("west"), gone("north")],
        unchecked: Vec::new(),
    }));
    to_review(&mut w);
    let effects = act(&mut w, Action::TestConnection);
    let tested: Vec<&TestInputs> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::TestConnection { inputs, .. } => Some(inputs),
            _ => None,
        })
        .collect();
    assert_eq!(tested.len(), 1, "{effects:?}");
    assert!(w.test_running(0));
    assert!(
        w.tests.queue.is_empty(),
        "nothing left to try: {:?}",
        w.tests.queue
    );
    let notice = w.notice().expect("a notice").text.clone();
    assert!(
        notice.starts_with("2 integration(s) not tested")
            && notice.contains("Historical settings (west)"),
        "{notice}"
    );
}
