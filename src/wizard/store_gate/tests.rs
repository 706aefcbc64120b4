use super::*;
use crate::test_support::{act, gated_wizard};
use crate::wizard::Msg;

fn resolved(w: &mut Wizard, kind: StoreKind, note: Option<&str>) -> Vec<Effect> {
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
        Some("there is no D-Bus session bus here"),
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

fn info(kind: StoreKind, note: Option<&str>) -> StoreInfo {
    StoreInfo {
        kind,
        note: note.map(str::to_owned),
        systemd_creds_skipped: None,
    }
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
        Some("the keyring is locked or has no default (login) collection; unlock it"),
    ));
    assert!(!e.survives_reboot && e.needs_ack);
    assert!(e.headline.contains("kernel keyring"), "{e:?}");
    assert!(e.lifetime.contains("NOT survive a reboot"), "{e:?}");
    assert!(e.lifetime.contains("3 days"), "{e:?}");
    assert!(e.why_skipped.unwrap().contains("locked"));
    assert!(e.fix.unwrap().contains(UNLOCK_COMMAND));
}

#[test]
fn each_skip_reason_is_recognised_and_has_its_own_fix() {
    let cases = [
        ("there is no D-Bus session bus here (…)", SkipReason::NoBus),
        (
            "cannot connect to the D-Bus session bus (zbus error)",
            SkipReason::NoBus,
        ),
        (
            "no Secret Service provider (such as gnome-keyring) is running",
            SkipReason::NoProvider,
        ),
        (
            "the keyring is locked or has no default",
            SkipReason::Locked,
        ),
        (
            "the Secret Service did not answer within 3 s",
            SkipReason::NoAnswer,
        ),
        ("the Secret Service reported a failure", SkipReason::Other),
    ];
    let mut fixes = Vec::new();
    for (note, expected) in cases {
        assert_eq!(skip_reason(note), expected, "{note}");
        fixes.push(explain_store(&info(StoreKind::Keyutils, Some(note))).fix);
    }
    fixes.dedup();
    assert_eq!(fixes.len(), 5, "one fix per reason: {fixes:?}");
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
        Some("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)"),
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
