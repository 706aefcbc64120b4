//! Issue 12's operator-facing points, tried on the release binary in a real
//! pseudo-terminal as an operator would: editing a secret mid-value, and what a
//! non-UTF-8 terminal receives of what was typed.
#![cfg(target_os = "linux")]

#[path = "support/pty_session.rs"]
mod pty_session;
#[path = "support/release_binary.rs"]
mod release_binary;

use portable_pty::CommandBuilder;
use pty_session::PtySession;
use release_binary::release_binary;

const CR: &str = "\r";
const TAB: &str = "\t";
const DEL: &str = "\x7f";
const LEFT: &str = "\x1b[D";
const RIGHT: &str = "\x1b[C";
const HOME: &str = "\x1b[H";
const END: &str = "\x1b[F";
const DELETE: &str = "\x1b[3~";
const CTRL_R: &str = "\x12";

/// The wizard on a new integration's Group field, under `lang`. The kernel keyring
/// is named so nothing waits on a Secret Service; nothing is saved.
fn at_group_field(dir: &std::path::Path, lang: &str) -> PtySession {
    let mut command = CommandBuilder::new(release_binary());
    command.env(
        "WFM_WIZARD_SYSTEMD_CREDS",
        "/nonexistent/systemd-creds-is-off-in-tests",
    );
    command.args(["--secret-store", "keyutils"]);
    command.env("WFM_WIZARD_CONFIG", dir.join("integrations.yaml"));
    command.env("TERM", "xterm-256color");
    command.env("LANG", lang);
    command.env_remove("LC_ALL");
    command.env_remove("LC_CTYPE");
    command.env_remove("ACCESSIBLE");
    let mut wizard = PtySession::spawn(command);
    wizard.wait_for("RingCentral v1");
    wizard.send(CR);
    wizard.wait_for("+ Add an integration");
    wizard.send(CR);
    wizard.wait_for("Press Enter to continue with this store");
    wizard.send(CR);
    wizard.wait_until("the form", |o| o.text().contains("Group"));
    wizard
}

/// Point 10: a typo in the middle of a masked secret is fixed with the arrows,
/// Home/End, Backspace and Delete; revealing shows the fixed value.
#[test]
fn a_typo_mid_secret_is_fixed_with_the_arrows_masked_and_revealed() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut wizard = at_group_field(dir.path(), "C.UTF-8");
    wizard.send(&TAB.repeat(3));
    wizard.wait_for("› RingCentral CX client secret");
    wizard.send("hunXter2");
    wizard.wait_for("› RingCentral CX client secret ********");
    // Masked: back over "ter2", Backspace the X, then Delete at the start.
    wizard.send(&LEFT.repeat(4));
    wizard.send(DEL);
    wizard.wait_for("› RingCentral CX client secret ******* ");
    wizard.send(HOME);
    wizard.send(DELETE);
    wizard.send(END);
    wizard.send("!");
    wizard.send(CTRL_R);
    wizard.wait_for("› RingCentral CX client secret unter2!");
    // Revealed: into the middle and back out.
    wizard.send(&LEFT.repeat(3));
    wizard.send("_");
    wizard.send(RIGHT);
    wizard.send(DEL);
    wizard.wait_for("› RingCentral CX client secret unte_2!");
    wizard.send(HOME);
    wizard.send("h");
    wizard.wait_for("› RingCentral CX client secret hunte_2!");
}

/// Point 15: under `LANG=C` the screen is ASCII, and so is what the operator typed:
/// a group `Öst` shows as `Ost` in the form and in the list, and not one byte above
/// 0x7F reaches the terminal.
#[test]
fn lang_c_shows_a_typed_group_in_ascii() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut wizard = at_group_field(dir.path(), "C");
    wizard.wait_for("> Group");
    wizard.send("Öst");
    wizard.wait_for("> Group Ost Status");
    wizard.send("\x1b"); // back to the list: the row keeps its status
    wizard.wait_for("Ost  enabled - incomplete - new");
    let raw = wizard.output().raw().to_vec();
    let high: Vec<(usize, u8)> = raw
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, b)| *b > 0x7f)
        .collect();
    assert!(
        high.is_empty(),
        "{} byte(s) above 0x7F of {}, first at {:?}",
        high.len(),
        raw.len(),
        high.first()
    );
}

/// Point 15 in plain mode: under `LANG=C` every line plain mode writes is ASCII, a
/// typed group `Öst` included (the list shows `Ost`). The terminal's own echo of the
/// typed line is the one place `Öst` may appear as typed.
#[test]
fn lang_c_plain_mode_writes_a_typed_group_in_ascii() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut command = CommandBuilder::new(release_binary());
    command.env(
        "WFM_WIZARD_SYSTEMD_CREDS",
        "/nonexistent/systemd-creds-is-off-in-tests",
    );
    command.args(["--secret-store", "keyutils", "--plain"]);
    command.env("WFM_WIZARD_CONFIG", dir.path().join("integrations.yaml"));
    command.env("TERM", "xterm-256color");
    command.env("LANG", "C");
    command.env_remove("LC_ALL");
    command.env_remove("LC_CTYPE");
    command.env_remove("ACCESSIBLE");
    let mut wizard = PtySession::spawn(command);
    wizard.wait_for("Platform [1]: ");
    wizard.send(CR);
    wizard.wait_for("Choose [1]: ");
    wizard.send(CR);
    wizard.wait_until("the store gate or the Group", |o| {
        o.text().contains("Enter continues with this store") || o.text().contains("Group: ")
    });
    if !wizard.output().text().contains("Group: ") {
        wizard.send(CR);
        wizard.wait_for("Group: ");
    }
    wizard.send("Öst\r");
    wizard.wait_for("Status");
    wizard.send("<\r"); // back to the list, where the row names its group
    wizard.wait_for("Ost  enabled");
    wizard.send("\x04"); // Ctrl-D: quit, after asking
    wizard.wait_for("y quits");
    wizard.send("y\r");
    wizard.wait_exit();
    let raw = wizard.output().raw().to_vec();
    let typed = "Öst".as_bytes();
    let echo = raw
        .windows(typed.len())
        .position(|w| w == typed)
        .expect("the terminal echoed the typed group");
    let mut written = raw[..echo].to_vec();
    written.extend_from_slice(&raw[echo + typed.len()..]);
    let high: Vec<(usize, u8)> = written
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, b)| *b > 0x7f)
        .collect();
    assert!(
        high.is_empty(),
        "{} byte(s) above 0x7F besides the echo, first at {:?}:\n{}",
        high.len(),
        high.first(),
        String::from_utf8_lossy(&written)
    );
}
