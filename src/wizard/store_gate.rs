//! The store gate: before the first secret field is shown, the operator learns which
//! store will hold the secrets and whether they survive a reboot; the kernel keyring
//! must be acknowledged. The wording is one pure function, [`explain_store`], so every
//! front end (full screen or plain lines) says the same thing.

use super::{Action, Effect, Level, Notice, Step, StoreInfo, StoreStatus, Wizard};
use crate::catalog::FieldKind;
use crate::secret::StoreKind;

/// Why `auto` passed over the Secret Service, read from the reason the store layer gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SkipReason {
    NoBus,
    NoProvider,
    Locked,
    NoAnswer,
    Other,
}

/// What to tell the operator about a store, in plain words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreExplanation {
    /// "Secrets will be stored in …".
    pub headline: String,
    pub survives_reboot: bool,
    /// What happens to the secrets over time.
    pub lifetime: String,
    /// Why the Secret Service was not used, when `auto` fell back.
    pub why_skipped: Option<String>,
    /// How to make the Secret Service usable, when it was skipped.
    pub fix: Option<String>,
    /// Whether the operator must say "yes" before typing a secret.
    pub needs_ack: bool,
}

pub const UNLOCK_COMMAND: &str =
    "gnome-keyring-daemon --replace --components=secrets --daemonize --unlock";

/// Classifies the store layer's reason (see `io::secrets`) by its words.
pub fn skip_reason(note: &str) -> SkipReason {
    if note.contains("did not answer within") {
        SkipReason::NoAnswer
    } else if note.contains("locked") || note.contains("no default (login) collection") {
        SkipReason::Locked
    } else if note.contains("no Secret Service provider") {
        SkipReason::NoProvider
    } else if note.contains("no D-Bus session bus") || note.contains("connect to the D-Bus") {
        SkipReason::NoBus
    } else {
        SkipReason::Other
    }
}

pub fn explain_store(info: &StoreInfo) -> StoreExplanation {
    let survives_reboot = info.kind.survives_reboot();
    let headline = match info.kind {
        StoreKind::SecretService => {
            "Secrets will be stored in the Secret Service (the desktop keyring, secret-service)."
        }
        StoreKind::Keyutils => "Secrets will be stored in the kernel keyring (keyutils).",
        StoreKind::Keychain => "Secrets will be stored in the macOS Keychain (keychain).",
        StoreKind::Windows => "Secrets will be stored in the Windows Credential Manager (windows).",
    }
    .to_owned();
    let lifetime = if survives_reboot {
        "They survive a reboot.".to_owned()
    } else {
        "They do NOT survive a reboot: the kernel forgets them when the machine restarts, \
         or after 3 days in which nothing reads them. Then they must be typed again."
            .to_owned()
    };
    let (why_skipped, fix) = match &info.note {
        None => (None, None),
        Some(note) => {
            let fix = match skip_reason(note) {
                SkipReason::NoBus => "Log in to a desktop session, or start a session bus and a \
                     keyring (e.g. `dbus-run-session -- bash`, then pipe the keyring password to \
                     `gnome-keyring-daemon --components=secrets --daemonize --unlock`) and run \
                     wfm-wizard from that shell."
                    .to_owned(),
                SkipReason::NoProvider => {
                    "Install and start a Secret Service provider such as gnome-keyring \
                     (`apt install gnome-keyring`), then start wfm-wizard again."
                        .to_owned()
                }
                SkipReason::Locked => format!(
                    "Unlock the keyring by piping its password to `{UNLOCK_COMMAND}`, \
                     then press r to check again."
                ),
                SkipReason::NoAnswer => "The keyring daemon is hung or overloaded: restart it \
                     (`gnome-keyring-daemon --replace --components=secrets --daemonize --unlock`, \
                     password on stdin), then press r to check again."
                    .to_owned(),
                SkipReason::Other => {
                    "Fix the Secret Service, then press r to check again, or start with \
                     --secret-store keyutils to choose the kernel keyring explicitly."
                        .to_owned()
                }
            };
            (
                Some(format!("The Secret Service was not used: {note}.")),
                Some(fix),
            )
        }
    };
    StoreExplanation {
        headline,
        survives_reboot,
        lifetime,
        why_skipped,
        fix,
        needs_ack: !survives_reboot,
    }
}

impl Wizard {
    /// Opens the form of `draft`, through the gate while the store is not settled.
    pub(super) fn open_form_through_gate(&mut self, draft: usize) {
        let has_secret = self
            .draft_fields(draft)
            .iter()
            .any(|f| f.kind == FieldKind::Secret);
        if self.store_acknowledged || !has_secret {
            self.open_form(draft);
            return;
        }
        self.step = Step::StoreGate { draft };
        self.pass_gate_if_settled();
    }

    /// Leaves the gate on its own when the store needs no acknowledgement.
    pub(super) fn pass_gate_if_settled(&mut self) {
        let Step::StoreGate { draft } = self.step else {
            return;
        };
        if let StoreStatus::Ready(info) = &self.store {
            let explanation = explain_store(info);
            if !explanation.needs_ack {
                self.store_acknowledged = true;
                self.notice = Some(Notice {
                    level: Level::Info,
                    text: format!("{} {}", explanation.headline, explanation.lifetime),
                });
                self.open_form(draft);
            }
        }
    }

    pub(super) fn gate_action(&mut self, draft: usize, action: Action) -> Vec<Effect> {
        match action {
            Action::Yes | Action::Enter => match &self.store {
                StoreStatus::Ready(_) => {
                    self.store_acknowledged = true;
                    self.open_form(draft);
                }
                StoreStatus::Resolving => {
                    self.notice = Some(Notice {
                        level: Level::Info,
                        text: "Still checking the secret store; this takes at most a few seconds."
                            .into(),
                    });
                }
                StoreStatus::Unavailable(_) => {
                    self.notice = Some(Notice {
                        level: Level::Error,
                        text: "There is no secret store to keep secrets in. Fix it and press r, \
                               or press Ctrl-C and start with another --secret-store."
                            .into(),
                    });
                }
            },
            Action::Retry if self.store != StoreStatus::Resolving => {
                self.store = StoreStatus::Resolving;
                return vec![Effect::ResolveStore];
            }
            Action::Back => {
                self.step = Step::Form {
                    draft,
                    focus: 0,
                    revealed: false,
                };
                self.form_action(draft, 0, false, Action::Back);
            }
            _ => {}
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
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
        assert_eq!(
            w.step,
            Step::StoreGate { draft: 0 },
            "store still resolving"
        );
        act(&mut w, Action::Enter);
        assert_eq!(w.step, Step::StoreGate { draft: 0 });
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
        assert_eq!(w.step, Step::StoreGate { draft: 0 }, "needs a yes");
        act(&mut w, Action::Yes);
        assert!(
            matches!(w.step, Step::Form { draft: 0, .. }),
            "{:?}",
            w.step
        );
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
        assert!(
            matches!(w.step, Step::Form { draft: 0, .. }),
            "{:?}",
            w.step
        );
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
        assert_eq!(w.step, Step::StoreGate { draft: 0 });
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
        assert_eq!(w.drafts.len(), 1);
        act(&mut w, Action::Back);
        assert!(
            matches!(w.step, Step::Operation { op: 0, .. }),
            "{:?}",
            w.step
        );
        assert!(w.drafts.is_empty());
        assert!(!w.store_acknowledged);
    }

    fn info(kind: StoreKind, note: Option<&str>) -> StoreInfo {
        StoreInfo {
            kind,
            note: note.map(str::to_owned),
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
}
