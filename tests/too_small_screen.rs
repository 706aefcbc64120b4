//! Behind "terminal too small" nothing acts but resize, Ctrl-C and Ctrl-Z (issue 10,
//! part 3): the release binary in a real pseudo-terminal, shrunk while a form is open.
#![cfg(target_os = "linux")]

#[path = "support/pty_session.rs"]
mod pty_session;
#[path = "support/release_binary.rs"]
mod release_binary;

use portable_pty::CommandBuilder;

use pty_session::{COLS, CTRL_S, ENTER, PtySession, ROWS};
use release_binary::release_binary;

#[test]
fn typing_and_ctrl_s_behind_the_too_small_screen_change_and_save_nothing() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let mut command = CommandBuilder::new(release_binary());
    command.env(
        "WFM_WIZARD_SYSTEMD_CREDS",
        "/nonexistent/systemd-creds-is-off-in-tests",
    );
    command.args(["--secret-store", "keyutils"]);
    command.env("WFM_WIZARD_CONFIG", &config);
    command.env("TERM", "xterm-256color");
    command.env("LANG", "C.UTF-8");
    for name in ["NO_COLOR", "ACCESSIBLE", "WFM_WIZARD_SECRET_STORE"] {
        command.env_remove(name);
    }
    command.cwd(dir.path());
    let mut wizard = PtySession::spawn(command);
    wizard.wait_for("› RingCentral v1");
    wizard.send(ENTER);
    wizard.wait_for("› + Add an integration");
    wizard.send(ENTER);
    wizard.wait_for("Press Enter to continue with this store");
    wizard.send(ENTER);
    wizard.wait_for("› Group");
    wizard.send("east");
    wizard.wait_for("east");

    wizard.resize(8, 30);
    wizard.wait_for("Terminal too small");
    wizard.send("west\x7f\t ");
    wizard.send(CTRL_S);
    wizard.send(ENTER);
    wizard.send("\x1b[B");
    wizard.send(CTRL_S);
    // Ctrl-C acts, and comes after every key above: once its question shows, they
    // have all been read.
    wizard.send("\x03");
    wizard.wait_for("Press Ctrl-C again");
    assert!(!config.exists(), "Ctrl-S behind the too-small screen saved");

    wizard.resize(ROWS, COLS);
    wizard.wait_for("keeps the draft · n stays");
    wizard.send("n");
    wizard.wait_until("the form as it was", |output| {
        output.shows("› Group east") && !output.shows("keeps the draft · n stays")
    });
    let screen = wizard.output().text();
    assert!(
        !screen.contains("west"),
        "typed behind the screen:\n{screen}"
    );
    assert!(!screen.contains("eas "), "Backspace acted:\n{screen}");
    wizard.send("\x03");
    wizard.wait_for("keeps the draft · n stays");
    wizard.send("y");
    assert_eq!(wizard.wait_exit().exit_code(), 130);
    assert!(!config.exists(), "nothing was saved");
}
