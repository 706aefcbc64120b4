//! A panic leaves the terminal usable: run `examples/terminal_panic` (the wizard's own
//! terminal setup, then a panic) in a pseudo-terminal and look at what it left behind.
#![cfg(target_os = "linux")]

#[path = "support/pty_session.rs"]
mod pty_session;

use portable_pty::CommandBuilder;
use pty_session::{PtySession, find};
use rustix::termios::LocalModes;

/// Builds the example (a full `cargo test` already has; `--test` alone does not) and
/// returns its path, next to the test binaries' `deps` folder.
fn example(name: &str) -> std::path::PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let built = std::process::Command::new(cargo)
        .args(["build", "--quiet", "--example", name])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("run cargo");
    assert!(built.success(), "cargo build --example {name} failed");
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe
        .parent()
        .and_then(std::path::Path::parent)
        .expect("target profile dir");
    profile_dir.join("examples").join(name)
}

#[test]
fn a_panic_restores_the_terminal_before_its_message_is_printed() {
    let mut command = CommandBuilder::new(example("terminal_panic"));
    command.env("TERM", "xterm-256color");
    command.env("RUST_BACKTRACE", "0");
    let mut session = PtySession::spawn(command);
    let status = session.wait_exit();
    assert_eq!(status.exit_code(), 101, "a panic exits 101");

    let output = session.output();
    let raw = output.raw();
    let at = |needle: &str| find(raw, needle.as_bytes());
    let entered = at("\x1b[?1049h").expect("entered the alternate screen");
    let pasting = at("\x1b[?2004h").expect("turned bracketed paste on");
    let paste_off = at("\x1b[?2004l").expect("bracketed paste turned off again");
    let left = at("\x1b[?1049l").expect("left the alternate screen");
    let message = at("deliberate panic").expect("the panic message is printed");
    assert!(
        entered < left && pasting < paste_off,
        "restored after set up"
    );
    assert!(
        left < message,
        "the message is printed on the normal screen, after restore"
    );
    assert!(
        !output.screen().alternate_screen(),
        "back on the normal screen"
    );
    assert!(!output.screen().hide_cursor(), "cursor visible");
    drop(output);

    let termios = session.termios().expect("read the terminal settings");
    assert!(
        termios
            .local_modes
            .contains(LocalModes::ICANON | LocalModes::ECHO | LocalModes::ISIG),
        "the terminal is back in cooked mode: {:?}",
        termios.local_modes
    );
}
