//! Issue 15 item 1 on the release binary in a real pseudo-terminal: a large file is
//! read after the first frame ("Reading <file>…"), then the wizard becomes
//! interactive; a large file refused as invalid still ends with exit 3 and its
//! refusal (naming the node, never echoing its control characters) printed after the
//! terminal is restored.
#![cfg(target_os = "linux")]

#[path = "support/pty_session.rs"]
mod pty_session;
#[path = "support/release_binary.rs"]
mod release_binary;

use std::fmt::Write as _;
use std::path::Path;

use portable_pty::CommandBuilder;
use pty_session::{PtySession, contains, find};
use release_binary::release_binary;

/// Enough integrations to pass the inline-load size (64 KiB) many times over, few
/// enough to keep the test quick.
const N: usize = 2_000;

/// `n` historical integrations, the i-th in group `g{i}`; `last_group` replaces the
/// last one's group (a YAML scalar, as written).
fn yaml(n: usize, last_group: &str) -> String {
    let mut out =
        String::from("version: 2\nnamespace: '000000000000'\nrevision: 1\nintegrations:\n");
    for i in 0..n {
        let user = format!("000000000000/ringcentral-v1/historical/g{i}");
        let group = if i + 1 == n {
            last_group.to_owned()
        } else {
            format!("g{i}")
        };
        let _ = write!(
            out,
            "- platform: ringcentral-v1\n  operation: historical\n  group: {group}\n  enabled: true\n  settings:\n    client_id: AbCdEfGhIjKlMnOpQrStUv\n    client_secret:\n      keyring: {{store: keyutils, service: wfm-wizard, user: {user}/client_secret}}\n    jwt:\n      keyring: {{store: keyutils, service: wfm-wizard, user: {user}/jwt}}\n    sub_account_id: \"15910001\"\n"
        );
    }
    out
}

fn wizard(config: &Path) -> PtySession {
    let mut command = CommandBuilder::new(release_binary());
    command.env(
        "WFM_WIZARD_SYSTEMD_CREDS",
        "/nonexistent/systemd-creds-is-off-in-tests",
    );
    command.args(["--secret-store", "keyutils", "--config"]);
    command.arg(config);
    command.env("TERM", "xterm-256color");
    command.env("LANG", "C.UTF-8");
    for name in [
        "NO_COLOR",
        "ACCESSIBLE",
        "WFM_WIZARD_SECRET_STORE",
        "WFM_WIZARD_CONFIG",
        "DBUS_SESSION_BUS_ADDRESS",
        "SSH_CONNECTION",
    ] {
        command.env_remove(name);
    }
    PtySession::spawn(command)
}

#[test]
fn a_large_file_is_read_after_the_first_frame_then_the_wizard_answers_keys() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let text = yaml(N, &format!("g{}", N - 1));
    assert!(text.len() > 10 * 64 * 1024, "{} bytes", text.len());
    std::fs::write(&config, text).expect("write the config");
    let mut wizard = wizard(&config);
    wizard.wait_for("Choose the contact-center platform");
    {
        let output = wizard.output();
        let raw = output.raw();
        let reading = find(raw, "Reading ".as_bytes()).expect("a first frame saying it reads");
        let list = find(raw, b"Choose the contact-center platform").expect("the first step");
        assert!(
            reading < list,
            "the first frame came before the file was read"
        );
    }
    // Interactive: the platform's integrations are there, the last one included.
    wizard.send("\r");
    wizard.wait_for(&format!("g{}  enabled", N - 1));
    wizard.send("\x03");
    let status = wizard.wait_exit();
    assert_eq!(status.exit_code(), 130, "nothing changed: quit at once");
}

#[test]
fn a_large_invalid_file_still_ends_with_exit_3_its_refusal_escaped_after_restore() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    // The last integration has a key no platform knows, with a title-setting escape in
    // it: the refusal names it by its path.
    let text = yaml(N, "last\n  \"x\\e]0;PWNED\\a\": 1");
    std::fs::write(&config, text).expect("write the config");
    let mut wizard = wizard(&config);
    let status = wizard.wait_exit();
    assert_eq!(status.exit_code(), 3, "refused as invalid");
    let output = wizard.output();
    let raw = output.raw();
    assert!(
        !contains(raw, b"\x1b]0;PWNED"),
        "the hostile text went out raw:\n{}",
        String::from_utf8_lossy(raw).escape_debug()
    );
    let left = find(raw, b"\x1b[?1049l").expect("the alternate screen was left");
    let refusal = find(raw, b"integrations.yaml: ").expect("the refusal names the file");
    assert!(left < refusal, "printed after the terminal is restored");
    assert!(
        contains(raw, b"`integrations[1999]` has a control character"),
        "the refusal names the node:\n{}",
        String::from_utf8_lossy(&raw[left..]).escape_debug()
    );
    assert!(
        !output.screen().alternate_screen(),
        "back on the normal screen"
    );
}
