use super::*;
use crate::test_support::{act, gated_wizard};
use crate::wizard::Msg;

fn resolved(w: &mut Wizard, kind: StoreKind, note: Option<(StoreProblem, &str)>) -> Vec<Effect> {
    w.update(Msg::StoreResolved(Ok(info(kind, note))))
}

/// Platform chosen, "Add" pressed on the Historical list.
fn adding(w: &mut Wizard) {
    act(w, Action::Enter);
    act(w, Action::Enter);
}

#[test]
fn no_form_opens_before_the_kernel_keyring_is_acknowledged() {
    let mut w = gated_wizard();
    adding(&mut w);
    assert_eq!(w.step, Step::StoreGate { form: 0 }, "store still resolving");
    act(&mut w, Action::Enter);
    assert_eq!(w.step, Step::StoreGate { form: 0 });
    assert!(
        w.notice
            .as_ref()
            .unwrap()
            .text
            .starts_with("Still checking")
    );
    resolved(
        &mut w,
        StoreKind::Keyutils,
        Some((StoreProblem::NoBus, "there is no D-Bus session bus here")),
    );
    assert_eq!(w.step, Step::StoreGate { form: 0 }, "needs a yes");
    act(&mut w, Action::Yes);
    assert!(matches!(w.step, Step::Form { form: 0, .. }), "{:?}", w.step);
    assert!(w.store_acknowledged);
    // Once is enough for the session.
    act(&mut w, Action::Back);
    act(&mut w, Action::Enter);
    assert!(matches!(w.step, Step::Form { .. }), "{:?}", w.step);
}

#[test]
fn a_store_kept_across_reboots_opens_the_form_with_a_notice_saying_so() {
    let mut w = gated_wizard();
    adding(&mut w);
    resolved(&mut w, StoreKind::SecretService, None);
    assert!(matches!(w.step, Step::Form { form: 0, .. }), "{:?}", w.step);
    let notice = w.notice.clone().unwrap();
    assert_eq!(notice.level, Level::Info);
    assert!(notice.text.contains("Secret Service"), "{notice:?}");
    assert!(notice.text.contains("survive a reboot"), "{notice:?}");
}

#[test]
fn without_a_store_the_gate_stays_shut_and_r_checks_again() {
    let mut w = gated_wizard();
    w.update(Msg::StoreResolved(Err("no usable secret store".into())));
    adding(&mut w);
    act(&mut w, Action::Enter);
    assert_eq!(w.step, Step::StoreGate { form: 0 });
    assert_eq!(w.notice.as_ref().unwrap().level, Level::Error);
    let effects = act(&mut w, Action::Retry);
    assert!(matches!(effects[..], [Effect::ResolveStore]), "{effects:?}");
    assert_eq!(w.store, StoreStatus::Resolving);
    assert!(act(&mut w, Action::Retry).is_empty(), "one check at a time");
    resolved(&mut w, StoreKind::Keyutils, None);
    act(&mut w, Action::Yes);
    assert!(matches!(w.step, Step::Form { .. }));
}

#[test]
fn esc_at_the_gate_goes_back_and_drops_the_untouched_new_integration() {
    let mut w = gated_wizard();
    resolved(&mut w, StoreKind::Keyutils, None);
    adding(&mut w);
    assert_eq!(w.forms.len(), 1);
    act(&mut w, Action::Back);
    assert!(
        matches!(w.step, Step::Operation { op: 0, .. }),
        "{:?}",
        w.step
    );
    assert!(w.forms.is_empty());
    assert!(!w.store_acknowledged);
}

/// A store chosen for `kind`; a note is read as the problem a test names with it.
fn info(kind: StoreKind, note: Option<(StoreProblem, &str)>) -> StoreInfo {
    StoreInfo {
        kind,
        note: note.map(|(problem, text)| crate::secret::StoreReason::new(problem, text)),
        systemd_creds_skipped: None,
    }
}

fn info_because(kind: StoreKind, problem: StoreProblem, text: &str) -> StoreInfo {
    info(kind, Some((problem, text)))
}

#[test]
fn the_secret_service_needs_no_acknowledgement() {
    let e = explain_store(&info(StoreKind::SecretService, None));
    assert!(e.survives_reboot && !e.needs_ack);
    assert_eq!(e.lifetime, "They survive a reboot.");
    assert_eq!((e.why_skipped, e.fix), (None, None));
}

#[test]
fn the_kernel_keyring_must_be_acknowledged_and_says_why_it_was_chosen() {
    let e = explain_store(&info(
        StoreKind::Keyutils,
        Some((
            StoreProblem::Locked,
            "the keyring is locked or has no default (login) collection; unlock it",
        )),
    ));
    assert!(!e.survives_reboot && e.needs_ack);
    assert!(e.headline.contains("kernel keyring"), "{e:?}");
    assert!(e.lifetime.contains("NOT survive a reboot"), "{e:?}");
    assert!(e.lifetime.contains("3 days"), "{e:?}");
    assert!(e.why_skipped.unwrap().contains("locked"));
    assert!(e.fix.unwrap().contains(UNLOCK_COMMAND));
}

const PROBLEMS: [StoreProblem; 5] = [
    StoreProblem::NoBus,
    StoreProblem::NoProvider,
    StoreProblem::Locked,
    StoreProblem::NoAnswer,
    StoreProblem::Other,
];

#[test]
fn each_store_problem_has_its_own_fix() {
    let mut fixes: Vec<_> = PROBLEMS
        .iter()
        .map(|&problem| {
            explain_store(&info_because(
                StoreKind::Keyutils,
                problem,
                "the Secret Service was not usable",
            ))
            .fix
        })
        .collect();
    fixes.dedup();
    assert_eq!(fixes.len(), 5, "one fix per problem: {fixes:?}");
}

/// The advice follows the kind of problem, never the words: a message reworded to
/// say something else (even another problem's words) keeps its own problem's fix.
#[test]
fn rewording_a_reason_does_not_change_the_advice() {
    let wordings = [
        "the keyring is locked or has no default (login) collection",
        "the Secret Service did not answer within 3 s",
        "there is no D-Bus session bus here",
        "no Secret Service provider (such as gnome-keyring) is running",
        "something else entirely",
    ];
    for problem in PROBLEMS {
        let fix = explain_store(&info_because(StoreKind::Keyutils, problem, "x")).fix;
        for words in wordings {
            let e = explain_store(&info_because(StoreKind::Keyutils, problem, words));
            assert_eq!(e.fix, fix, "{problem:?} said as {words:?}");
            assert!(e.why_skipped.unwrap().contains(words), "{problem:?}");
        }
    }
}

#[test]
fn the_reason_loses_its_own_advice_but_keeps_the_library_words() {
    let note = "the keyring is locked or has no default (login) collection; unlock it by \
                piping its password to `x`, or choose --secret-store keyutils \
                (Couldn't access platform storage: SS error: prompt dismissed)";
    assert_eq!(
        without_advice(note),
        "the keyring is locked or has no default (login) collection \
         (Couldn't access platform storage: SS error: prompt dismissed)"
    );
    let no_bus = "there is no D-Bus session bus here (X is not set), as in a plain SSH session";
    assert_eq!(without_advice(no_bus), no_bus);
}

#[test]
fn root_is_told_why_systemd_credentials_were_not_used_before_the_secret_service() {
    let mut skipped = info(
        StoreKind::Keyutils,
        Some((
            StoreProblem::NoBus,
            "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)",
        )),
    );
    skipped.systemd_creds_skipped =
        Some("/var/lib/systemd is on tmpfs: the machine's key would not survive a reboot".into());
    let e = explain_store(&skipped);
    let why = e.why_skipped.expect("both reasons");
    let creds = why.find("systemd credentials").expect("the systemd reason");
    let ss = why
        .find("Secret Service was not used")
        .expect("the Secret Service reason");
    assert!(creds < ss, "{why}");
    assert!(why.contains("tmpfs"), "{why}");
    assert!(
        e.needs_ack,
        "the kernel keyring still needs the operator's yes"
    );
}
