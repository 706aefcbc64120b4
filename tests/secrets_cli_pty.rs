//! `secret get` and `prune` where an operator meets them: in a real terminal.
//! `secret get` refuses to print onto it; `prune` asks on it and removes nothing on "n".
#![cfg(target_os = "linux")]

#[path = "support/private_secret_service.rs"]
mod private_secret_service;
#[path = "support/pty_session.rs"]
mod pty_session;

use std::path::Path;
use std::process::Command;

use portable_pty::CommandBuilder;
use private_secret_service::tools_present;
use pty_session::{ENTER, PtySession};

const BIN: &str = env!("CARGO_BIN_EXE_wfm-wizard");

fn command(args: &[&str], config: &Path) -> CommandBuilder {
    let mut command = CommandBuilder::new(BIN);
    command.env(
        "WFM_WIZARD_SYSTEMD_CREDS",
        "/nonexistent/systemd-creds-is-off-in-tests",
    );
    command.env(
        "WFM_WIZARD_SYSTEMD_CREDS",
        "/nonexistent/systemd-creds-is-off-in-tests",
    );
    command.args(args);
    command.env("WFM_WIZARD_CONFIG", config);
    command.env("TERM", "xterm-256color");
    command.env_remove("WFM_WIZARD_SECRET_STORE");
    command.env_remove("DBUS_SESSION_BUS_ADDRESS");
    command
}

/// The namespace of the config these tests write.
const NAMESPACE: &str = "0123456789ab";

fn config_with_keyutils_secret(dir: &Path, group: &str) -> std::path::PathBuf {
    let reference = |field: &str| {
        format!(
            "{{keyring: {{store: keyutils, service: wfm-wizard, user: {NAMESPACE}/ringcentral-v1/historical/{group}/{field}}}}}"
        )
    };
    let path = dir.join("integrations.yaml");
    std::fs::write(
        &path,
        format!(
            "version: 2\nnamespace: {NAMESPACE}\npath: {}\nintegrations:\n- platform: ringcentral-v1\n  operation: historical\n  group: {group}\n  enabled: true\n  settings:\n    client_id: AbCdEfGhIjKlMnOpQrStUv\n    client_secret: {}\n    jwt: {}\n    sub_account_id: '15910001'\n",
            path.display(),
            reference("client_secret"),
            reference("jwt")
        ),
    )
    .unwrap();
    path
}

#[test]
fn secret_get_refuses_to_print_onto_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_with_keyutils_secret(dir.path(), "pty-get");
    let mut session = PtySession::spawn(command(
        &["secret", "get", "ringcentral-v1/historical/pty-get/jwt"],
        &config,
    ));
    session.wait_for("refusing to print a secret to the terminal; pipe it instead");
    let status = session.wait_exit();
    assert_eq!(status.exit_code(), 2, "{status:?}");
}

#[test]
fn prune_asks_on_the_terminal_and_n_removes_nothing() {
    match tools_present(&["keyctl"]) {
        Ok(true) => {}
        Ok(false) => return, // skipped, and said so loudly
        Err(e) => panic!("{e}"),
    }
    let dir = tempfile::tempdir().unwrap();
    let config = config_with_keyutils_secret(dir.path(), "pty-kept");
    let orphan = format!(
        "keyring:{NAMESPACE}/ringcentral-v1/historical/pty-orphan-{}/jwt@wfm-wizard",
        std::process::id()
    );
    // In a session keyring of its own that the program inherits, so nothing else sees it.
    let script = format!(
        "printf 'orphan value' | keyctl padd user '{orphan}' @s >/dev/null && exec \"$0\" prune"
    );
    let mut builder = CommandBuilder::new("keyctl");
    builder.args(["session", "-", "sh", "-c", &script, BIN]);
    builder.env("WFM_WIZARD_CONFIG", &config);
    builder.env("TERM", "xterm-256color");
    builder.env_remove("DBUS_SESSION_BUS_ADDRESS");
    builder.env_remove("WFM_WIZARD_SECRET_STORE");
    let mut session = PtySession::spawn(builder);
    let user = orphan
        .trim_start_matches("keyring:")
        .trim_end_matches("@wfm-wizard");
    session.wait_for(user);
    session.wait_for("[y/N]");
    session.send("n");
    session.send(ENTER);
    session.wait_for("Nothing removed.");
    let status = session.wait_exit();
    assert_eq!(status.exit_code(), 130, "{status:?}");
    assert!(
        !session.output().shows("removed keyutils"),
        "{}",
        session.output().framed()
    );
    // Reading a kernel key links it into the per-user persistent keyring (the store
    // does that on every read), so the orphan outlives that session: invalidate it
    // from a session that has the persistent keyring linked in, so it is possessed.
    let listing = std::fs::read_to_string("/proc/keys").unwrap();
    for hex in listing
        .lines()
        .filter(|l| l.contains(&orphan))
        .filter_map(|l| l.split_whitespace().next())
    {
        let id = u32::from_str_radix(hex, 16).unwrap();
        let cleaned = Command::new("keyctl")
            .args(["session", "-", "sh", "-c"])
            .arg(format!(
                "keyctl get_persistent @s >/dev/null && keyctl invalidate {id}"
            ))
            .status()
            .unwrap();
        assert!(cleaned.success(), "could not remove the test key {id}");
    }
}
