//! Plain mode and signals, for real: the release binary with `--plain` in a
//! pseudo-terminal, signalled with `kill` while a secret is being typed (echo off).
//! Like the full-screen wizard: the echo comes back, the answers given so far are kept
//! in the draft, and the exit status is 128 + n (143, 129, 130).
#![cfg(target_os = "linux")]

#[path = "support/pty_session.rs"]
mod pty_session;
#[path = "support/release_binary.rs"]
mod release_binary;

use std::path::Path;
use std::process::Command;

use portable_pty::CommandBuilder;
use rustix::termios::LocalModes;
use wfm_wizard::config::draft::{DraftField, Snapshot};

use pty_session::{ENTER, PtySession};
use release_binary::release_binary;

const CLIENT_ID: &str = "AbCdEfGhIjKlMnOpQrStUv";
const SECRET_PROMPT: &str = "RingCentral CX client secret (typing is hidden): ";
/// Typed, never entered: it must not show, nor be kept anywhere.
const HALF_TYPED: &str = "half-typed-secret-value";

fn plain_in(dir: &Path) -> PtySession {
    let mut command = CommandBuilder::new(release_binary());
    command.env(
        "WFM_WIZARD_SYSTEMD_CREDS",
        "/nonexistent/systemd-creds-is-off-in-tests",
    );
    command.args(["--plain", "--secret-store", "keyutils"]);
    command.env("WFM_WIZARD_CONFIG", dir.join("integrations.yaml"));
    command.env("TERM", "xterm-256color");
    command.env("LANG", "C.UTF-8");
    for name in ["ACCESSIBLE", "WFM_WIZARD_SECRET_STORE", "SSH_CONNECTION"] {
        command.env_remove(name);
    }
    command.cwd(dir);
    PtySession::spawn(command)
}

fn echo_on(session: &PtySession) -> bool {
    session
        .termios()
        .expect("read the terminal settings")
        .local_modes
        .contains(LocalModes::ECHO | LocalModes::ICANON | LocalModes::ISIG)
}

#[test]
fn a_signal_while_a_secret_is_typed_restores_echo_keeps_the_draft_and_exits_128_plus_n() {
    for (signal, status) in [("TERM", 143), ("HUP", 129), ("INT", 130)] {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut plain = plain_in(dir.path());
        plain.wait_for("Platform [1]: ");
        plain.send(ENTER);
        plain.wait_for("Choose [1]: ");
        plain.send(ENTER);
        // The kernel keyring does not survive a reboot: plain mode asks first.
        plain.wait_for("Enter continues with this store");
        plain.send(ENTER);
        plain.wait_for("Group: ");
        plain.send("east\r");
        plain.wait_for("Status [enabled]");
        plain.send(ENTER);
        plain.wait_for("RingCentral CX client ID: ");
        plain.send(&format!("{CLIENT_ID}\r"));
        plain.wait_for(SECRET_PROMPT);
        // Echo goes off before the prompt shows.
        assert!(
            !echo_on(&plain),
            "SIG{signal}: echo is off at the secret prompt"
        );
        plain.send(HALF_TYPED);

        let kill = Command::new("kill")
            .args([&format!("-{signal}"), &plain.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(kill.success());
        let exit = plain.wait_exit();
        assert_eq!(exit.exit_code(), status, "SIG{signal}");
        assert!(
            echo_on(&plain),
            "SIG{signal}: the echo is back: {:?}",
            plain.termios().map(|t| t.local_modes)
        );
        let output = plain.output();
        assert!(
            !pty_session::contains(output.raw(), HALF_TYPED.as_bytes()),
            "SIG{signal}: the half-typed secret was shown"
        );
        if signal != "HUP" {
            assert!(
                output.shows(&format!("Stopped by signal {}", status - 128)),
                "SIG{signal}: says why:\n{}",
                output.framed()
            );
        }
        drop(output);
        assert!(
            !dir.path().join("integrations.yaml").exists(),
            "nothing saved"
        );
        let text = std::fs::read_to_string(dir.path().join("integrations.yaml.draft"))
            .unwrap_or_else(|e| panic!("SIG{signal}: a draft was kept: {e}"));
        assert!(!text.contains(HALF_TYPED));
        let draft: Snapshot = serde_json::from_str(&text).expect("the draft parses");
        let fields = &draft.integrations[0].fields;
        let text_of = |key: &str| {
            fields.iter().find_map(|f| match f {
                DraftField::Text { key: k, value } if k == key => Some(value.as_str()),
                _ => None,
            })
        };
        assert_eq!(text_of("group"), Some("east"), "SIG{signal}");
        assert_eq!(text_of("client_id"), Some(CLIENT_ID), "SIG{signal}");
    }
}
