//! Untrusted text never drives the terminal (issue 10, part 1). Escape sequences are
//! planted in every field of a config, in its path, in a kernel keyring entry's name,
//! in argv and in environment values; then every command and both faces of the wizard
//! run (the release binary; the wizard in a real pseudo-terminal) and every byte they
//! write is checked: no ESC, BEL or C1 control in the commands' output or in plain
//! mode, and in the full-screen wizard no sequence but its own.
#![cfg(target_os = "linux")]

#[path = "support/private_secret_service.rs"]
mod private_secret_service;
#[path = "support/pty_session.rs"]
mod pty_session;
#[path = "support/release_binary.rs"]
mod release_binary;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use portable_pty::CommandBuilder;
use secrecy::SecretString;
use wfm_wizard::io::effects::StoreProvider;
use wfm_wizard::io::keyring_stores::KeyringStores;
use wfm_wizard::io::secrets::StoreChoice;
use wfm_wizard::secret::StoreKind;

use pty_session::{ENTER, PtySession, contains};
use release_binary::{output_within, release_binary};

/// Clears the screen, retitles the window, asks for the window to shrink, colours red,
/// an 8-bit CSI, and a right-to-left override. The window op (`ESC[8;1;1t`) is one
/// the wizard never sends itself, so it is told apart from the wizard's own output.
const HOSTILE: &str = "\u{1b}[2J\u{1b}]0;PWNED\u{7}\u{1b}[8;1;1t\u{1b}[31m\u{9b}1m\u{202e}";

/// The namespace of the config these tests write (12 hex digits).
const NAMESPACE: &str = "ba5e0f0e5c0d";

/// `text` as a YAML double-quoted scalar (YAML's own escapes for control characters).
fn yaml(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() || (u32::from(c) >= 0x2000 && u32::from(c) < 0x2100) => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn user(group: &str, field: &str) -> String {
    format!("{NAMESPACE}/ringcentral-v1/historical/{group}/{field}")
}

/// A config whose every value is hostile, in a directory whose name is.
fn hostile_config(root: &Path) -> PathBuf {
    let dir = root.join(format!("cfg{HOSTILE}"));
    std::fs::create_dir(&dir).expect("a directory with escapes in its name");
    let path = dir.join("integrations.yaml");
    let group = format!("east{HOSTILE}");
    let reference = |field: &str| {
        format!(
            "{{keyring: {{store: keyutils, service: wfm-wizard, user: {}}}}}",
            yaml(&user(&group, &format!("{field}{HOSTILE}")))
        )
    };
    let text = format!(
        "version: 2\nnamespace: {NAMESPACE}\npath: {}\nintegrations:\n- platform: ringcentral-v1\n  operation: historical\n  group: {}\n  enabled: true\n  settings:\n    client_id: {}\n    client_secret: {}\n    jwt: {}\n    sub_account_id: {}\n",
        yaml(&path.display().to_string()),
        yaml(&group),
        yaml(&format!("AbCdEfGhIjKlMnOpQrStUv{HOSTILE}")),
        reference("client_secret"),
        reference("jwt"),
        yaml(&format!("15910001{HOSTILE}")),
    );
    std::fs::write(&path, text).expect("write the config");
    path
}

/// Hostile keys where the loader looks for known ones: a setting key, a top-level key,
/// a store name. Refused, and the refusal must be as clean.
fn hostile_keys_config(root: &Path) -> PathBuf {
    let path = root.join("keys.yaml");
    let text = format!(
        "version: 2\nnamespace: {NAMESPACE}\n{}: 1\nintegrations:\n- platform: ringcentral-v1\n  operation: historical\n  enabled: true\n  settings:\n    {}: x\n    client_secret: {{keyring: {{store: {}, service: wfm-wizard, user: u}}}}\n",
        yaml(&format!("top{HOSTILE}")),
        yaml(&format!("setting{HOSTILE}")),
        yaml(&format!("store{HOSTILE}")),
    );
    std::fs::write(&path, text).expect("write the config");
    path
}

/// What must never reach a terminal from untrusted text.
fn dangerous(bytes: &[u8]) -> Option<String> {
    if let Some(at) = bytes.iter().position(|&b| b == 0x1b || b == 0x07) {
        return Some(format!("byte {:#04x} at {at}", bytes[at]));
    }
    let text = String::from_utf8_lossy(bytes);
    text.chars()
        .find(|&c| ('\u{80}'..='\u{9f}').contains(&c) || c == '\u{202e}')
        .map(|c| format!("{c:?}"))
}

/// Runs the binary with `args`; both streams (stdout is a pipe, not a terminal).
fn run(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut command = Command::new(release_binary());
    command.env(
        "WFM_WIZARD_SYSTEMD_CREDS",
        "/nonexistent/systemd-creds-is-off-in-tests",
    );
    command
        .args(args)
        .env_remove("WFM_WIZARD_CONFIG")
        .env_remove("WFM_WIZARD_SECRET_STORE")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .envs(envs.iter().copied())
        .stdin(Stdio::null());
    output_within(command)
}

fn kernel_keyring() -> Option<Arc<dyn wfm_wizard::io::secrets::SecretStore>> {
    match private_secret_service::tools_present(&["keyctl"]) {
        Ok(true) => {}
        Ok(false) => return None,
        Err(e) => panic!("{e}"),
    }
    Some(
        KeyringStores::new(StoreChoice::Named(StoreKind::Keyutils))
            .open(StoreKind::Keyutils)
            .expect("the kernel keyring"),
    )
}

/// Every command, with the hostile file, hostile argv and hostile environment values.
fn run_every_command(config_arg: &str, keys_arg: &str, group: &str) -> Vec<(String, Output)> {
    let hostile_env = format!("/tmp/xdg{HOSTILE}");
    let reference = format!("ringcentral-v1/historical/{group}/jwt");
    vec![
        ("validate", vec!["--config", config_arg, "validate"], vec![]),
        ("status", vec!["--config", config_arg, "status"], vec![]),
        ("history", vec!["--config", config_arg, "history"], vec![]),
        (
            "rollback",
            vec!["--config", config_arg, "rollback", "1", "--yes"],
            vec![],
        ),
        (
            "secret get, the file's reference",
            vec!["--config", config_arg, "secret", "get", &reference],
            vec![],
        ),
        (
            "secret get, a hostile name",
            vec!["--config", config_arg, "secret", "get", HOSTILE],
            vec![],
        ),
        (
            "prune",
            vec!["--config", config_arg, "prune", "--yes"],
            vec![],
        ),
        (
            "validate, hostile keys",
            vec!["--config", keys_arg, "validate"],
            vec![],
        ),
        (
            "status, hostile keys",
            vec!["--config", keys_arg, "status"],
            vec![],
        ),
        (
            "argv",
            vec!["--config", config_arg, "--secret-store", HOSTILE, "status"],
            vec![],
        ),
        ("argv, unknown command", vec![HOSTILE], vec![]),
        (
            "environment, store",
            vec!["--config", config_arg, "status"],
            vec![("WFM_WIZARD_SECRET_STORE", HOSTILE)],
        ),
        (
            "environment, default path",
            vec!["validate"],
            vec![("XDG_CONFIG_HOME", hostile_env.as_str())],
        ),
        (
            "environment, config path",
            vec!["status"],
            vec![("WFM_WIZARD_CONFIG", hostile_env.as_str())],
        ),
        // Without a terminal the wizard refuses, naming the file.
        (
            "wizard without a terminal",
            vec!["--config", config_arg],
            vec![],
        ),
    ]
    .into_iter()
    .map(|(what, args, envs)| (what.to_owned(), run(&args, &envs)))
    .collect()
}

#[test]
fn no_command_sends_an_escape_from_a_file_a_keyring_argv_or_the_environment() {
    let Some(keyring) = kernel_keyring() else {
        return;
    };
    let root = tempfile::tempdir().expect("temporary directory");
    let config = hostile_config(root.path());
    let keys = hostile_keys_config(root.path());
    let config_arg = config.to_str().expect("a UTF-8 path");
    let keys_arg = keys.to_str().expect("a UTF-8 path");
    // Entries with escapes in their names: one the file names, one orphan of it.
    let group = format!("east{HOSTILE}");
    let planted = [
        user(&group, &format!("jwt{HOSTILE}")),
        user(&format!("orphan{HOSTILE}"), "jwt"),
    ];
    for name in &planted {
        keyring
            .set(name, &SecretString::from("a test value"))
            .expect("plant a kernel key");
    }
    let cases = run_every_command(config_arg, keys_arg, &group);
    for name in &planted {
        let _ = keyring.delete(name);
    }
    let mut shown = Vec::new();
    for (what, output) in &cases {
        for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            if what.starts_with("secret get, the file") && stream == "stdout" {
                continue; // the secret's own bytes, to a pipe: not a message
            }
            if let Some(found) = dangerous(bytes) {
                panic!(
                    "{what}: {found} on {stream}:\n{}",
                    String::from_utf8_lossy(bytes).escape_debug()
                );
            }
            shown.extend_from_slice(bytes);
        }
    }
    // Not vacuous: the hostile text was shown, escaped.
    assert!(
        contains(&shown, br"\x1b]0;PWNED\x07"),
        "{}",
        String::from_utf8_lossy(&shown)
    );
}

fn wizard_command(config: &Path, plain: bool) -> CommandBuilder {
    let mut command = CommandBuilder::new(release_binary());
    command.env(
        "WFM_WIZARD_SYSTEMD_CREDS",
        "/nonexistent/systemd-creds-is-off-in-tests",
    );
    command.args(["--secret-store", "keyutils", "--config"]);
    command.arg(config);
    if plain {
        command.arg("--plain");
    }
    command.env("TERM", "xterm-256color");
    command.env("LANG", "C.UTF-8");
    for name in [
        "NO_COLOR",
        "ACCESSIBLE",
        "WFM_WIZARD_SECRET_STORE",
        "WFM_WIZARD_CONFIG",
    ] {
        command.env_remove(name);
    }
    command.env_remove("DBUS_SESSION_BUS_ADDRESS");
    command
}

#[test]
fn plain_mode_sends_no_escape_at_all_even_from_a_hostile_file() {
    let root = tempfile::tempdir().expect("temporary directory");
    let config = hostile_config(root.path());
    let mut plain = PtySession::spawn(wizard_command(&config, true));
    // The header names the (hostile) path; the list after the platform, the group.
    plain.wait_until("the first question or a refusal", |output| {
        output.shows("Platform [1]: ") || output.closed()
    });
    if plain.output().shows("Platform [1]: ") {
        plain.send(ENTER);
        plain.wait_for("Choose [");
        plain.send("\x04");
    }
    plain.wait_exit();
    let output = plain.output();
    let raw = output.raw();
    if let Some(found) = dangerous(raw) {
        panic!(
            "plain mode wrote {found}:\n{}",
            String::from_utf8_lossy(raw).escape_debug()
        );
    }
    assert!(
        contains(raw, br"\x1b]0;PWNED\x07"),
        "the hostile text was shown, escaped:\n{}",
        output.framed()
    );
}

#[test]
fn the_full_screen_wizard_sends_only_its_own_sequences_from_a_hostile_file() {
    let root = tempfile::tempdir().expect("temporary directory");
    let config = hostile_config(root.path());
    let mut wizard = PtySession::spawn(wizard_command(&config, false));
    wizard.wait_until("the first screen or a refusal", |output| {
        output.shows("Choose the contact-center platform") || output.closed()
    });
    if wizard.output().shows("Choose the contact-center platform") {
        wizard.send(ENTER); // the platform's integrations, by group
        wizard.wait_for("PWNED");
        wizard.send("\x03");
    }
    wizard.wait_exit();
    let output = wizard.output();
    let raw = output.raw();
    let text = String::from_utf8_lossy(raw);
    for (what, bad) in [
        ("a BEL", &b"\x07"[..]),
        ("an OSC (window title)", b"\x1b]"),
        ("the planted window op", b"\x1b[8;1;1t"),
        ("an 8-bit CSI", "\u{9b}".as_bytes()),
        ("a right-to-left override", "\u{202e}".as_bytes()),
    ] {
        assert!(
            !contains(raw, bad),
            "the wizard sent {what}:\n{}",
            text.escape_debug()
        );
    }
    assert!(
        contains(raw, b"PWNED"),
        "the hostile text was drawn, escaped:\n{}",
        text.escape_debug()
    );
}
