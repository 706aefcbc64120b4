//! The store gate: before the first secret field is shown, the operator learns which
//! store will hold the secrets and whether they survive a reboot; the kernel keyring
//! must be acknowledged. The wording is one pure function, [`explain_store`], so every
//! front end (full screen or plain lines) says the same thing.

use super::{Action, Effect, Level, Notice, Step, StoreInfo, StoreStatus, Wizard};
use crate::catalog::FieldKind;
use crate::secret::{StoreKind, StoreProblem};

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

/// How long systemd credentials last and who reads them, for the gate and Review.
pub const SYSTEMD_CREDS_DURABILITY: &str = "encrypted with this machine's key; survive reboots; \
     readable by root and by the services that load them";

pub const UNLOCK_COMMAND: &str =
    "gnome-keyring-daemon --replace --components=secrets --daemonize --unlock";

pub fn explain_store(info: &StoreInfo) -> StoreExplanation {
    let survives_reboot = info.kind.survives_reboot();
    let headline = match info.kind {
        StoreKind::SecretService => {
            "Secrets will be stored in the Secret Service (the desktop keyring, secret-service)."
        }
        StoreKind::Keyutils => "Secrets will be stored in the kernel keyring (keyutils).",
        StoreKind::Keychain => "Secrets will be stored in the macOS Keychain (keychain).",
        StoreKind::Windows => "Secrets will be stored in the Windows Credential Manager (windows).",
        StoreKind::SystemdCreds => "Secrets will be stored as systemd credentials (systemd-creds).",
    }
    .to_owned();
    let lifetime = if info.kind == StoreKind::SystemdCreds {
        format!("They are {SYSTEMD_CREDS_DURABILITY}.")
    } else if survives_reboot {
        "They survive a reboot.".to_owned()
    } else {
        "They do NOT survive a reboot: the kernel forgets them when the machine restarts, \
         or after 3 days in which nothing reads them. Then they must be typed again."
            .to_owned()
    };
    let (why_skipped, fix) = match &info.note {
        None => (None, None),
        Some(note) => {
            let fix = match note.problem {
                StoreProblem::NoBus => "On a server, secrets that the product's service must read \
                     after a reboot need root: run `sudo wfm-wizard` (systemd 250 or later keeps \
                     them as systemd credentials). On a desktop, log in to a desktop session, or \
                     start a session bus and a \
                     keyring (e.g. `dbus-run-session -- bash`, then pipe the keyring password to \
                     `gnome-keyring-daemon --components=secrets --daemonize --unlock`) and run \
                     wfm-wizard from that shell."
                    .to_owned(),
                StoreProblem::NoProvider => {
                    "Install and start a Secret Service provider such as gnome-keyring \
                     (`apt install gnome-keyring`), then start wfm-wizard again."
                        .to_owned()
                }
                StoreProblem::Locked => format!(
                    "Unlock the keyring by piping its password to `{UNLOCK_COMMAND}`, \
                     then press r to check again."
                ),
                StoreProblem::NoAnswer => "The keyring daemon is hung or overloaded: restart it \
                     (`gnome-keyring-daemon --replace --components=secrets --daemonize --unlock`, \
                     password on stdin), then press r to check again."
                    .to_owned(),
                StoreProblem::Other => {
                    "Fix the Secret Service, then press r to check again, or start with \
                     --secret-store keyutils to choose the kernel keyring explicitly."
                        .to_owned()
                }
            };
            (
                Some(format!(
                    "The Secret Service was not used: {}.",
                    without_advice(&note.text)
                )),
                Some(fix),
            )
        }
    };
    // Root is told first why the store meant for it was not used.
    let why_skipped = match (&info.systemd_creds_skipped, why_skipped) {
        (Some(creds), ss) => Some(
            std::iter::once(format!(
                "systemd credentials (the store for root on a server) were not used: {creds}."
            ))
            .chain(ss)
            .collect::<Vec<_>>()
            .join(" "),
        ),
        (None, ss) => ss,
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

/// The store layer's reason without its own advice (everything from the first "; "
/// up to the library's text in parentheses): the fix is shown on its own line.
fn without_advice(note: &str) -> String {
    let Some((reason, rest)) = note.split_once("; ") else {
        return note.to_owned();
    };
    match rest.rfind(" (") {
        Some(at) if rest.ends_with(')') => format!("{reason}{}", &rest[at..]),
        _ => reason.to_owned(),
    }
}

impl Wizard {
    /// Opens the form of `draft`, through the gate while the store is not settled.
    pub(super) fn open_form_through_gate(&mut self, draft: usize) {
        let has_secret = self
            .form_fields(draft)
            .iter()
            .any(|f| f.kind == FieldKind::Secret);
        if self.store_acknowledged || !has_secret {
            self.open_form(draft);
            return;
        }
        self.step = Step::StoreGate { form: draft };
        self.pass_gate_if_settled();
    }

    /// Leaves the gate on its own when the store needs no acknowledgement.
    pub(super) fn pass_gate_if_settled(&mut self) {
        let Step::StoreGate { form: draft } = self.step else {
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
                    form: draft,
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
mod tests;
