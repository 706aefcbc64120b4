//! Plain mode end to end: the release binary with `--plain` (or `TERM=dumb`) in a real
//! pseudo-terminal, answering line by line, against a private Secret Service; the
//! file and the keyring are read back from the outside. Also: where there is no
//! terminal at all, both modes exit 2 and say what to do.
#![cfg(target_os = "linux")]

#[path = "support/private_secret_service.rs"]
mod private_secret_service;
#[path = "support/pty_session.rs"]
mod pty_session;
#[path = "support/release_binary.rs"]
mod release_binary;

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Stdio};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portable_pty::CommandBuilder;
use rustix::termios::LocalModes;
use wfm_wizard::config::{Setting, parse_document};

use private_secret_service::PrivateSecretService;
use pty_session::{CTRL_S, ENTER, PtySession, Seen};
use release_binary::{on_path, output_within, release_binary};

const CLIENT_ID: &str = "AbCdEfGhIjKlMnOpQrStUv";
const CLIENT_SECRET: &str = "pLaInMoDeClIeNtSeCrEt0123456789-abcdefghijk";
const SUB_ACCOUNT_ID: &str = "15910001";
/// A secret counts as shown if any this many consecutive characters of it are.
const PIECE: usize = 12;
/// What the engine says about an empty client ID, on the form and in plain mode.
/// Typed at a secret prompt, then abandoned with Ctrl-C; longer than [`PIECE`].
const HALF_TYPED: &str = "half-typed-secret-value";
const CLIENT_ID_REQUIRED: &str = "Required: enter the RingCentral CX client ID.";

#[test]
fn a_plain_session_saves_the_file_and_never_echoes_a_secret() {
    let Some(secrets) = private_secret_service::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    // Longer than the 4095 bytes a cooked terminal line can hold: it must arrive whole.
    let jwt = never_expiring_jwt(5000);
    let mut wizard = PtySession::spawn(plain_command(&config, &secrets));
    let mut seen = Seen::default();

    plain_answers(&mut wizard, &mut seen, &jwt);
    let status = wizard.wait_exit();
    let output = wizard.output();
    let transcript = String::from_utf8_lossy(output.raw()).into_owned();
    eprintln!(
        "plain_mode: the whole session wrote {} bytes to the terminal",
        output.raw().len()
    );
    assert!(status.success(), "{status:?}\n{transcript}");
    assert!(
        output.shows("Saved 1 integration(s) to"),
        "{}",
        output.framed()
    );
    assert!(
        !output.raw().contains(&0x1b),
        "plain mode wrote an escape sequence (cursor, colour or screen control):\n{}",
        transcript.escape_debug()
    );
    for (what, secret) in [("the client secret", CLIENT_SECRET), ("the JWT", &jwt)] {
        assert!(
            piece_of(output.raw(), secret).is_none(),
            "{what} reached the terminal:\n{transcript}"
        );
    }
    drop(output);

    let text = std::fs::read_to_string(&config).expect("the file was written");
    let document = parse_document(&text).expect("the file loads");
    let [integration] = document.integrations.as_slice() else {
        panic!("one integration:\n{text}");
    };
    assert_eq!(integration.group.as_deref(), Some("east"), "{text}");
    assert!(
        matches!(integration.settings.get("client_id"), Some(Setting::Text(id)) if id == CLIENT_ID),
        "{text}"
    );
    assert!(piece_of(text.as_bytes(), &jwt).is_none(), "{text}");
    let namespace = document.namespace.clone().expect("a namespace");
    for (field, want) in [("client_secret", CLIENT_SECRET), ("jwt", jwt.as_str())] {
        let user = format!("{namespace}/ringcentral-v1/historical/east/{field}");
        assert!(
            secret_tool_lookup(&secrets, &user) == want.as_bytes(),
            "the keyring entry {user} does not hold what was typed"
        );
    }
}

#[test]
fn the_echo_is_off_only_while_a_secret_is_typed_and_ctrl_c_there_asks_to_quit() {
    let Some(secrets) = private_secret_service::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let mut wizard = PtySession::spawn(plain_command(&config, &secrets));
    let mut seen = Seen::default();
    seen.answer(&mut wizard, "Platform [1]: ", ENTER);
    seen.answer(&mut wizard, "Choose [1]: ", ENTER);
    assert_echo(&wizard, true);
    seen.answer(&mut wizard, "Group: ", "east\r");
    seen.answer(&mut wizard, "Status [enabled]", ENTER);
    seen.answer(
        &mut wizard,
        "RingCentral CX client ID: ",
        &format!("{CLIENT_ID}\r"),
    );
    seen.wait(&wizard, "RingCentral CX client secret (typing is hidden): ");
    assert_echo(&wizard, false);
    wizard.send(HALF_TYPED);
    wizard.send("\x03");
    seen.wait(&wizard, "Quit without saving?");
    assert_echo(&wizard, true);
    wizard.send("y\r");
    let status = wizard.wait_exit();
    assert_eq!(status.exit_code(), 130);
    assert!(wizard.output().shows("Cancelled; nothing was written."));
    assert!(!config.exists());
    assert!(piece_of(wizard.output().raw(), HALF_TYPED).is_none());
}

#[test]
fn a_wrong_answer_is_asked_again_and_back_works_like_esc() {
    let Some(secrets) = private_secret_service::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let mut wizard = PtySession::spawn(plain_command(&config, &secrets));
    let mut seen = Seen::default();
    seen.answer(&mut wizard, "Platform [1]: ", ENTER);
    seen.answer(&mut wizard, "Choose [1]: ", ENTER);
    seen.answer(&mut wizard, "Group: ", "west\r");
    seen.answer(&mut wizard, "Status [enabled]", ENTER);
    seen.answer(&mut wizard, "RingCentral CX client ID: ", ENTER);
    seen.wait(&wizard, &format!("Error: {CLIENT_ID_REQUIRED}"));
    // Asked again; `<` is Esc: back to the list, what was typed kept.
    seen.answer(&mut wizard, "RingCentral CX client ID: ", "<\r");
    seen.wait(&wizard, "1) west  enabled, incomplete, new");
    seen.answer(&mut wizard, "Choose [1]: ", "1\r");
    seen.answer(&mut wizard, "Group [west]: ", ENTER);
    seen.answer(&mut wizard, "Status [enabled]", "n\r");
    // The Esc key itself, then Enter, goes back too.
    seen.answer(&mut wizard, "RingCentral CX client ID: ", "\x1b\r");
    seen.wait(&wizard, "1) west  disabled, incomplete, new");
    seen.answer(&mut wizard, "Choose [1]: ", "\x04"); // Ctrl-D: quit
    seen.answer(&mut wizard, "Quit without saving?", "y\r");
    let status = wizard.wait_exit();
    assert_eq!(status.exit_code(), 130);
    assert!(!config.exists());
}

#[test]
fn plain_mode_writes_the_same_file_as_the_full_screen_wizard() {
    let Some(secrets) = private_secret_service::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    let jwt = never_expiring_jwt(1100);

    let full_config = dir.path().join("full-screen.yaml");
    let mut full = PtySession::spawn(full_screen_command(&full_config, &secrets));
    full_screen_answers(&mut full, &jwt);
    assert!(full.wait_exit().success(), "{}", full.output().framed());

    let plain_config = dir.path().join("plain.yaml");
    let mut plain = PtySession::spawn(plain_command(&plain_config, &secrets));
    plain_answers(&mut plain, &mut Seen::default(), &jwt);
    assert!(plain.wait_exit().success(), "{}", plain.output().framed());

    eprintln!(
        "plain_mode: the same answers wrote {} bytes to the terminal full-screen, {} in plain mode",
        full.output().raw().len(),
        plain.output().raw().len()
    );
    // Each file has its own namespace and path; everything else is the same.
    let own_parts_out = |config: &Path| {
        let text = std::fs::read_to_string(config).expect("a written file");
        let namespace = parse_document(&text)
            .expect("the file loads")
            .namespace
            .expect("a namespace");
        text.replace(&namespace, "<namespace>")
            .replace(config.to_str().expect("UTF-8 path"), "<path>")
    };
    let (full_text, plain_text) = (own_parts_out(&full_config), own_parts_out(&plain_config));
    assert_eq!(plain_text, full_text);
    assert!(plain_text.contains("group: east"), "{plain_text}");
}

#[test]
fn without_a_terminal_both_modes_exit_2_and_say_what_to_do() {
    assert!(
        on_path("setsid"),
        "setsid (util-linux) is needed to run without a controlling terminal"
    );
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    for (what, args, env) in [
        ("full screen", vec![], None),
        ("--plain", vec!["--plain"], None),
        ("ACCESSIBLE=1", vec![], Some(("ACCESSIBLE", "1"))),
    ] {
        let mut command = Command::new("setsid");
        command
            .arg("--wait")
            .arg(release_binary())
            .args(&args)
            .env("WFM_WIZARD_CONFIG", &config)
            .env_remove("ACCESSIBLE")
            .stdin(Stdio::null());
        if let Some((key, value)) = env {
            command.env(key, value);
        }
        let out = output_within(command);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let shown = format!("{what}: {}\nstderr: {stderr}", out.status);
        assert_eq!(out.status.code(), Some(2), "{shown}");
        for hint in ["ssh -t", "wfm-wizard validate", "apply --answers"] {
            assert!(stderr.contains(hint), "{hint:?} missing: {shown}");
        }
        if what == "full screen" {
            assert!(stderr.contains("--plain"), "{shown}");
        }
        assert!(!stderr.contains("panicked"), "{shown}");
        assert!(!config.exists());
    }
}

#[test]
fn a_0x0_terminal_refuses_the_full_screen_but_plain_mode_needs_no_size() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let zero_size = |term: &str| {
        let mut command = CommandBuilder::new("sh");
        command.args([
            "-c",
            &format!(
                "stty rows 0 cols 0 && exec '{}' --secret-store keyutils",
                release_binary().display()
            ),
        ]);
        command.env("WFM_WIZARD_CONFIG", &config);
        command.env("TERM", term);
        command.env_remove("ACCESSIBLE");
        command
    };

    let mut full = PtySession::spawn(zero_size("xterm-256color"));
    let status = full.wait_exit();
    let output = full.output();
    assert_eq!(status.exit_code(), 2, "{}", output.framed());
    assert!(output.shows("a size of 0x0"), "{}", output.framed());
    assert!(output.shows("wfm-wizard --plain"), "{}", output.framed());
    assert!(!output.shows("panicked"), "{}", output.framed());
    drop(output);

    // TERM=dumb picks plain mode, which asks whatever the size.
    let mut plain = PtySession::spawn(zero_size("dumb"));
    let mut seen = Seen::default();
    seen.wait(&plain, "(plain mode: TERM=dumb)");
    seen.answer(&mut plain, "Platform [1]: ", "\x04");
    assert_eq!(plain.wait_exit().exit_code(), 130);
    assert!(!config.exists());
}

// -------------------------------------------------------------------------------------
// The operator's answers

/// Historical: Group east, a wrong (empty) client ID first; User import: confirmed,
/// none added; saved.
fn plain_answers(wizard: &mut PtySession, seen: &mut Seen, jwt: &str) {
    seen.answer(wizard, "Platform [1]: ", ENTER);
    seen.answer(wizard, "Choose [1]: ", ENTER);
    seen.answer(wizard, "Group: ", "east\r");
    seen.answer(wizard, "Status [enabled]", ENTER);
    seen.answer(wizard, "RingCentral CX client ID: ", ENTER);
    seen.wait(wizard, &format!("Error: {CLIENT_ID_REQUIRED}"));
    seen.answer(
        wizard,
        "RingCentral CX client ID: ",
        &format!("{CLIENT_ID}\r"),
    );
    seen.answer(
        wizard,
        "RingCentral CX client secret (typing is hidden): ",
        &format!("{CLIENT_SECRET}\r"),
    );
    seen.wait(
        wizard,
        &format!("Received {} characters.", CLIENT_SECRET.len()),
    );
    // A paste is typed text to plain mode, trailing line break included.
    seen.answer(
        wizard,
        "RingCentral CX JWT (typing is hidden): ",
        &format!("{jwt}\r"),
    );
    seen.wait(wizard, &format!("Received {} characters.", jwt.len()));
    seen.wait(
        wizard,
        "Issuer https://platform.ringcentral.com; never expires",
    );
    seen.answer(wizard, "Sub account ID: ", &format!("{SUB_ACCOUNT_ID}\r"));
    seen.wait(wizard, "1) east  enabled, new");
    seen.answer(wizard, "Choose [3]: ", ENTER);
    seen.wait(wizard, "Press y once it is configured.");
    seen.answer(wizard, "Choose [1]: ", "y\r");
    seen.wait(wizard, "Confirmed");
    seen.answer(wizard, "Choose [1]: ", "2\r");
    seen.wait(
        wizard,
        &format!(
            "hidden ({} chars) to secret-service, new",
            CLIENT_SECRET.len()
        ),
    );
    seen.answer(wizard, "Type s to save, < to go back: ", "s\r");
    // After "Saved." the answers file is offered: Enter declines it.
    seen.answer(wizard, "Write the answers file? [y/N]: ", ENTER);
    seen.wait(wizard, "Saved 1 integration(s) to");
}

/// The same answers, keys and a paste in the full-screen wizard; the empty client ID
/// shows the same message under the field.
fn full_screen_answers(wizard: &mut PtySession, jwt: &str) {
    wizard.wait_for("› RingCentral v1");
    wizard.send(ENTER);
    wizard.wait_for("› + Add an integration");
    wizard.send(ENTER);
    wizard.wait_for("› Group");
    wizard.send("east\r");
    wizard.wait_for("› Status [x] enabled");
    wizard.send(ENTER);
    wizard.wait_for("› RingCentral CX client ID");
    wizard.send("\t"); // leave it empty: the form marks it
    wizard.wait_for(CLIENT_ID_REQUIRED);
    wizard.send("\x1b[Z"); // Shift-Tab, back to it
    wizard.wait_for("› RingCentral CX client ID");
    wizard.send(CLIENT_ID);
    wizard.send(ENTER);
    wizard.wait_for("› RingCentral CX client secret");
    // A secret's length shows once the focus has moved on.
    wizard.send(CLIENT_SECRET);
    wizard.send(ENTER);
    wizard.wait_for("› RingCentral CX JWT");
    wizard.wait_for(&format!("({} chars)", CLIENT_SECRET.len()));
    wizard.paste(&format!("{jwt}\n"));
    wizard.send(ENTER);
    wizard.wait_for("› Sub account ID");
    wizard.wait_for(&format!("({} chars)", jwt.len()));
    wizard.send(SUB_ACCOUNT_ID);
    wizard.send(ENTER);
    wizard.wait_for("› → Continue to User import settings");
    wizard.send(ENTER);
    wizard.wait_for("Press y once it is configured.");
    wizard.send("y");
    wizard.wait_for("Confirmed");
    wizard.send("\x1b[B"); // Down, to Continue
    wizard.wait_for("› → Continue to Review");
    wizard.send(ENTER);
    wizard.wait_for("Review: this is what Ctrl-S writes.");
    wizard.wait_for("Secrets go to secret-service");
    wizard.send(CTRL_S);
    wizard.wait_for("Press Enter to finish.");
    wizard.send(ENTER);
}

#[track_caller]
fn assert_echo(wizard: &PtySession, on: bool) {
    let flags = wizard.termios().expect("terminal settings").local_modes;
    let shown = format!(
        "echo should be {}: {flags:?}",
        if on { "on" } else { "off" }
    );
    if on {
        assert!(
            flags.contains(LocalModes::ECHO | LocalModes::ICANON | LocalModes::ISIG),
            "{shown}"
        );
    } else {
        assert!(
            !flags.intersects(LocalModes::ECHO | LocalModes::ECHONL),
            "{shown}"
        );
    }
}

// -------------------------------------------------------------------------------------
// Processes and values

fn plain_command(config: &Path, secrets: &PrivateSecretService) -> CommandBuilder {
    let mut command = full_screen_command(config, secrets);
    command.arg("--plain");
    command
}

fn full_screen_command(config: &Path, secrets: &PrivateSecretService) -> CommandBuilder {
    let mut command = CommandBuilder::new(release_binary());
    command.env(
        "WFM_WIZARD_SYSTEMD_CREDS",
        "/nonexistent/systemd-creds-is-off-in-tests",
    );
    command.args(["--secret-store", "secret-service"]);
    command.env("WFM_WIZARD_CONFIG", config);
    for (key, value) in secrets.envs() {
        command.env(key, value);
    }
    command.env("TERM", "xterm-256color");
    command.env("LANG", "C.UTF-8");
    command.env_remove("NO_COLOR");
    command.env_remove("ACCESSIBLE");
    command.env_remove("WFM_WIZARD_SECRET_STORE");
    if let Some(dir) = config.parent() {
        command.cwd(dir);
    }
    command
}

fn secret_tool_lookup(secrets: &PrivateSecretService, user: &str) -> Vec<u8> {
    let mut lookup = Command::new("secret-tool");
    lookup
        .args(["lookup", "service", "wfm-wizard", "username", user])
        .envs(secrets.envs())
        .stdin(Stdio::null());
    let out = output_within(lookup);
    assert!(
        out.status.success(),
        "secret-tool lookup {user}: {}",
        out.status
    );
    out.stdout
}

/// Where some [`PIECE`] consecutive characters of `secret` first occur in `haystack`.
fn piece_of(haystack: &[u8], secret: &str) -> Option<usize> {
    let pieces: HashSet<&[u8]> = secret.as_bytes().windows(PIECE).collect();
    haystack
        .windows(PIECE)
        .position(|window| pieces.contains(window))
}

/// An RS256 JWT of at least `len` characters from `https://platform.ringcentral.com`
/// that never expires, padded with a `jti` claim; a test value.
fn never_expiring_jwt(len: usize) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    let signature = URL_SAFE_NO_PAD.encode([0x5a_u8; 256]);
    let padding = "J".repeat(len * 3 / 4);
    let payload = format!(
        r#"{{"iss":"https://platform.ringcentral.com","sub":"62000000016","iat":1750000000,"exp":3897483647,"jti":"{padding}"}}"#
    );
    let token = format!("{header}.{}.{signature}", URL_SAFE_NO_PAD.encode(payload));
    assert!(token.len() >= len);
    token
}
