//! Signals, for real: the release binary in a pseudo-terminal, signalled with `kill`
//! the way an init system, an operator or a dropped SSH link would.
//!
//! - SIGTERM and SIGINT: the terminal is restored (alternate screen off, cooked
//!   mode) and the exit status is 128 + n.
//! - SIGHUP: the program is gone within a second, leaves no temporary file, and the
//!   draft holds what was typed, its secret in a draft entry of a real Secret Service.
//! - Ctrl-Z and SIGTSTP: stopped with the terminal restored; SIGCONT redraws.
#![cfg(target_os = "linux")]

#[path = "support/private_secret_service.rs"]
mod private_secret_service;
#[path = "support/pty_session.rs"]
mod pty_session;
#[path = "support/release_binary.rs"]
mod release_binary;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rustix::termios::LocalModes;
use wfm_wizard::config::draft::{DraftField, Snapshot};

use pty_session::{ENTER, PtySession, wait_for_condition};

const FIRST_SCREEN: &str = "Choose the contact-center platform to configure.";
const CLIENT_ID: &str = "AbCdEfGhIjKlMnOpQrStUv";
const SUB_ACCOUNT_ID: &str = "15910001";
/// The end of the client secret's draft entry name (after the config's namespace).
const SECRET_ENTRY: &str = "/draft/ringcentral-v1/historical/east/client_secret";
/// A test value, never a real credential.
const CLIENT_SECRET: &str = "Sig-Test-0123456789abcdefghijklmnopqrstuvwx";

fn wizard_in(dir: &Path, store: &str, envs: &[(String, String)]) -> PtySession {
    let mut command = release_binary::wizard_with_store(store, &dir.join("integrations.yaml"));
    for (key, value) in envs {
        command.env(key, value);
    }
    PtySession::spawn(command)
}

fn kill(signal: &str, pid: u32) {
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{signal} {pid}: {status}");
}

/// The process state letter from /proc (R, S, T for stopped, ...).
fn state_of(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}

#[track_caller]
fn assert_cooked(session: &PtySession) {
    let termios = session.termios().expect("read the terminal settings");
    assert!(
        termios
            .local_modes
            .contains(LocalModes::ICANON | LocalModes::ECHO | LocalModes::ISIG),
        "the terminal is in cooked mode: {:?}",
        termios.local_modes
    );
}

#[track_caller]
fn assert_raw(session: &PtySession) {
    let termios = session.termios().expect("read the terminal settings");
    assert!(
        !termios
            .local_modes
            .intersects(LocalModes::ICANON | LocalModes::ECHO),
        "the terminal is in raw mode: {:?}",
        termios.local_modes
    );
}

#[test]
fn sigterm_and_sigint_restore_the_terminal_and_exit_128_plus_n() {
    for (signal, status) in [("TERM", 143), ("INT", 130)] {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut wizard = wizard_in(dir.path(), "keyutils", &[]);
        wizard.wait_for(FIRST_SCREEN);
        assert!(wizard.output().screen().alternate_screen());
        kill(signal, wizard.pid());
        let exit = wizard.wait_exit();
        assert_eq!(exit.exit_code(), status, "SIG{signal}");
        let output = wizard.output();
        assert!(
            !output.screen().alternate_screen(),
            "SIG{signal}: back on the normal screen"
        );
        assert!(!output.screen().hide_cursor(), "SIG{signal}: cursor shown");
        assert!(
            output.shows(&format!("Stopped by signal {}", status - 128)),
            "SIG{signal}: says why, on the normal screen:\n{}",
            output.framed()
        );
        drop(output);
        assert_cooked(&wizard);
        assert!(
            !dir.path().join("integrations.yaml").exists(),
            "nothing was saved"
        );
    }
}

#[test]
fn sighup_ends_the_wizard_within_a_second_and_keeps_what_was_typed() {
    let Some(secrets) = private_secret_service::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut wizard = wizard_in(dir.path(), "secret-service", &secrets.envs());
    wizard.wait_for(FIRST_SCREEN);
    wizard.send(ENTER);
    wizard.wait_for("› + Add an integration");
    wizard.send(ENTER);
    wizard.wait_for("Group");
    wizard.send("east");
    wizard.send(ENTER);
    wizard.send(ENTER); // Status stays on
    wizard.send(CLIENT_ID);
    wizard.wait_for(CLIENT_ID);
    wizard.send(ENTER);
    wizard.send(CLIENT_SECRET);
    wizard.send(ENTER); // a secret's length shows once the focus has moved on
    wizard.wait_for(&format!("({} chars)", CLIENT_SECRET.len()));
    // Esc ends the step: a draft is saved, its secret in a draft entry once the store
    // has been resolved (at start, in the background).
    wizard.send("\x1b");
    wizard.wait_for("› east enabled · incomplete · new");
    let draft_path = dir.path().join("integrations.yaml.draft");
    wait_for_condition("the draft to name the secret's draft entry", || {
        std::fs::read_to_string(&draft_path).is_ok_and(|t| t.contains(SECRET_ENTRY))
    });
    // Back into the form, and something typed after the last step ended.
    wizard.send(ENTER);
    wizard.wait_for(CLIENT_ID);
    wizard.send("\x1b[6~"); // Page Down: the last field, Sub account ID
    wizard.send(SUB_ACCOUNT_ID);
    wizard.wait_for(SUB_ACCOUNT_ID);

    let started = Instant::now();
    kill("HUP", wizard.pid());
    let exit = wizard.wait_exit_within(Duration::from_secs(1));
    eprintln!(
        "signals: SIGHUP to exit took {} ms",
        started.elapsed().as_millis()
    );
    assert_eq!(exit.exit_code(), 129);

    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list the directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["integrations.yaml.draft", "integrations.yaml.lock"],
        "only the draft (and the edit lock file), no temporary file, no config"
    );
    let text = std::fs::read_to_string(&draft_path).expect("read the draft");
    assert!(
        !text.contains(CLIENT_SECRET),
        "no secret in the draft:\n{text}"
    );
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&draft_path)
            .expect("draft metadata")
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
    let draft: Snapshot = serde_json::from_str(&text).expect("the draft parses");
    let fields = &draft.integrations[0].fields;
    let text_of = |key: &str| {
        fields.iter().find_map(|f| match f {
            DraftField::Text { key: k, value } if k == key => Some(value.as_str()),
            _ => None,
        })
    };
    assert_eq!(text_of("group"), Some("east"));
    assert_eq!(text_of("client_id"), Some(CLIENT_ID));
    assert_eq!(
        text_of("sub_account_id"),
        Some(SUB_ACCOUNT_ID),
        "typed after the last step: kept by the hangup's own draft"
    );
    let entry = fields
        .iter()
        .find_map(|f| match f {
            DraftField::Secret { key, typed, .. } if key == "client_secret" => typed.clone(),
            _ => None,
        })
        .expect("the typed secret is named in the draft");
    assert!(entry.user.ends_with(SECRET_ENTRY), "{}", entry.user);
    let lookup = Command::new("secret-tool")
        .args(["lookup", "service", "wfm-wizard", "username", &entry.user])
        .envs(secrets.envs())
        .stdin(Stdio::null())
        .output()
        .expect("run secret-tool");
    assert_eq!(
        String::from_utf8_lossy(&lookup.stdout).trim_end(),
        CLIENT_SECRET,
        "the draft entry holds the typed secret"
    );
}

#[test]
fn ctrl_z_and_sigtstp_stop_with_the_terminal_restored_and_sigcont_redraws() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut wizard = wizard_in(dir.path(), "keyutils", &[]);
    wizard.wait_for(FIRST_SCREEN);
    let pid = wizard.pid();
    for (how, stop) in [("Ctrl-Z", None), ("SIGTSTP", Some("TSTP"))] {
        match stop {
            None => wizard.send("\x1a"),
            Some(signal) => kill(signal, pid),
        }
        wait_for_condition(&format!("{how}: the process to stop"), || {
            state_of(pid) == Some('T')
        });
        // Written before the stop; the reader thread may still be passing it on.
        wizard.wait_until(
            &format!("{how}: the normal screen and cursor back while stopped"),
            |o| !o.screen().alternate_screen() && !o.screen().hide_cursor(),
        );
        assert_cooked(&wizard);

        kill("CONT", pid);
        wizard.wait_until(&format!("{how}: the wizard to redraw"), |o| {
            o.screen().alternate_screen() && o.shows(FIRST_SCREEN)
        });
        assert_raw(&wizard);
    }
    wizard.send("\x03");
    assert_eq!(wizard.wait_exit().exit_code(), 130);
    // One full frame per resume: the SIGCONT that ends the wizard's own stop does not
    // draw everything a second time (bytes matter on a slow link).
    let output = wizard.output();
    let count = |needle: &str| count(output.raw(), needle.as_bytes());
    assert_eq!(
        count("\x1b[?1049h"),
        3,
        "alternate screen: start + 2 resumes"
    );
    assert_eq!(count(FIRST_SCREEN), 3, "full frames: first + 2 resumes");
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}
