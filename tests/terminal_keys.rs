//! Keys as real terminals send them, as raw bytes into the release binary's
//! pseudo-terminal, each checked by its effect on the screen: Backspace as DEL or
//! Ctrl-H, Enter as CR or LF, and Home, End and F1 in their xterm, vt220 and Linux
//! console forms.
#![cfg(target_os = "linux")]

#[path = "support/pty_session.rs"]
mod pty_session;
#[path = "support/release_binary.rs"]
mod release_binary;

use portable_pty::CommandBuilder;
use pty_session::PtySession;
use release_binary::release_binary;

const CR: &str = "\r";
const LF: &str = "\n";
const DEL: &str = "\x7f";
const CTRL_H: &str = "\x08";
const CTRL_U: &str = "\x15";

/// (terminal family, Home, End)
const HOME_END: [(&str, &str, &str); 4] = [
    ("xterm (CSI)", "\x1b[H", "\x1b[F"),
    ("xterm (SS3, application cursor keys)", "\x1bOH", "\x1bOF"),
    ("vt220", "\x1b[1~", "\x1b[4~"),
    ("Linux console", "\x1b[1~", "\x1b[4~"),
];

/// (terminal family, F1)
const F1: [(&str, &str); 3] = [
    ("xterm", "\x1bOP"),
    ("vt220", "\x1b[11~"),
    ("Linux console", "\x1b[[A"),
];

/// The help text of the Group field, from the catalog.
const GROUP_HELP: &str = "A unique name assigned to a collection of integrations";

/// The wizard on a new integration's Group field, reached with LF (on the platform
/// list) and CR (on Add): both forms of Enter.
fn at_group_field(dir: &std::path::Path) -> PtySession {
    let mut command = CommandBuilder::new(release_binary());
    command.env(
        "WFM_WIZARD_SYSTEMD_CREDS",
        "/nonexistent/systemd-creds-is-off-in-tests",
    );
    command.args(["--secret-store", "keyutils"]); // nothing is saved
    command.env("WFM_WIZARD_CONFIG", dir.join("integrations.yaml"));
    command.env("TERM", "xterm-256color");
    command.env("LANG", "C.UTF-8");
    command.env_remove("ACCESSIBLE");
    let mut wizard = PtySession::spawn(command);
    wizard.wait_for("› RingCentral v1");
    wizard.send(LF);
    wizard.wait_for("› + Add an integration");
    wizard.send(CR);
    // The kernel keyring must be acknowledged before the first secret field.
    wizard.wait_for("Press Enter to continue with this store");
    wizard.send(CR);
    wizard.wait_for("› Group");
    wizard
}

/// Whether the focused Group row shows exactly `value` (the Status row follows it).
fn group_is(o: &pty_session::Output, value: &str) -> bool {
    o.shows(&format!("› Group {value} Status [x] enabled"))
}

#[track_caller]
fn wait_group(wizard: &PtySession, value: &str) {
    wizard.wait_until(&format!("the Group to read {value:?}"), |o| {
        group_is(o, value)
    });
}

#[test]
fn backspace_works_as_del_and_as_ctrl_h_and_enter_as_cr_and_lf() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut wizard = at_group_field(dir.path());
    wizard.send("abc");
    wait_group(&wizard, "abc");
    wizard.send(DEL);
    wait_group(&wizard, "ab");
    wizard.send(CTRL_H);
    wait_group(&wizard, "a");
    wizard.send(LF);
    wizard.wait_for("› Status [x] enabled");
    wizard.send(CR);
    wizard.wait_for("› RingCentral CX client ID");
}

#[test]
fn home_and_end_work_in_every_terminal_form() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut wizard = at_group_field(dir.path());
    for (family, home, end) in HOME_END {
        wizard.send(CTRL_U);
        wait_group(&wizard, "");
        wizard.send("bc");
        wait_group(&wizard, "bc");
        wizard.send(home);
        wizard.send("a");
        wizard.wait_until(
            &format!("{family} Home to move the caret to the start"),
            |o| group_is(o, "abc"),
        );
        wizard.send(end);
        wizard.send("d");
        wizard.wait_until(&format!("{family} End to move the caret to the end"), |o| {
            group_is(o, "abcd")
        });
    }
}

#[test]
fn f1_opens_help_in_every_terminal_form() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut wizard = at_group_field(dir.path());
    for (family, f1) in F1 {
        wizard.send(f1);
        wizard.wait_until(&format!("{family} F1 to open the Group help"), |o| {
            o.shows(GROUP_HELP)
        });
        wizard.send(CR); // closes help
        wizard.wait_until("the help to close", |o| !o.shows(GROUP_HELP));
    }
}
