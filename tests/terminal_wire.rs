//! The release binary in a real pseudo-terminal: what reaches the terminal, byte by byte.
//! Under a C locale not one byte above 0x7F; under `NO_COLOR` not one colour code (bold
//! stays); and the exact cost of a typed character, a focus change, a list move and a
//! resize, as an operator over SSH would pay it.
#![cfg(target_os = "linux")]

#[path = "support/private_secret_service.rs"]
mod private_secret_service;
#[path = "support/pty_session.rs"]
mod pty_session;
#[path = "support/release_binary.rs"]
mod release_binary;
#[path = "support/sgr.rs"]
mod sgr;

use std::io::Write;
use std::path::Path;

use portable_pty::CommandBuilder;
use private_secret_service::PrivateSecretService;
use pty_session::{CTRL_S, ENTER, PtySession};
use release_binary::release_binary;

const CLIENT_ID: &str = "AbCdEfGhIjKlMnOpQrStUv";
const SECRET: &str = "historical-secret-0123456789-abcdefghijklmno";
const BACK_TAB: &str = "\x1b[Z";
const TAB: &str = "\t";
const DOWN: &str = "\x1b[B";
const UP: &str = "\x1b[A";
const END: &str = "\x1b[F";
const F1: &str = "\x1bOP";
const ESC: &str = "\x1b";

/// A JWT that never expires (test value).
fn jwt() -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.{}",
        b64.encode(r#"{"alg":"RS256","typ":"JWT"}"#),
        b64.encode(
            r#"{"iss":"https://platform.ringcentral.com","iat":1750000000,"exp":3897483647}"#
        ),
        "s".repeat(86)
    )
}

/// The wizard in a terminal with `envs` (`LANG`, `TERM`, `NO_COLOR`, …) and nothing else
/// from ours that could change how it draws.
fn wizard(config: &Path, secrets: &PrivateSecretService, envs: &[(&str, &str)]) -> PtySession {
    PtySession::spawn(wizard_command(config, secrets, envs))
}

fn wizard_command(
    config: &Path,
    secrets: &PrivateSecretService,
    envs: &[(&str, &str)],
) -> CommandBuilder {
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
    for name in [
        "LANG",
        "LC_ALL",
        "LC_CTYPE",
        "NO_COLOR",
        "WFM_WIZARD_ASCII",
        "WFM_WIZARD_SECRET_STORE",
    ] {
        command.env_remove(name);
    }
    command.env("TERM", "xterm-256color");
    for (key, value) in envs {
        command.env(key, value);
    }
    command.cwd(config.parent().expect("a directory"));
    command
}

/// Everything an operator meets once: lists, the form with an error, a warning, a
/// typed secret, a pasted JWT, help, the prerequisite question, Review, saving, Done.
/// `marker` is the focus marker the terminal shows ("› ", or "> " in ASCII).
fn full_session(w: &mut PtySession, marker: &str) {
    w.wait_for("Choose the contact-center platform to configure.");
    w.send(ENTER);
    w.wait_for(&format!("{marker}+ Add an integration"));
    w.send(ENTER);
    w.wait_for(&format!("{marker}Group"));
    w.send("east");
    w.wait_for(&format!("{marker}Group east"));
    w.send(ENTER);
    w.wait_for(&format!("{marker}Status [x] enabled"));
    w.send(ENTER);
    w.wait_for(&format!("{marker}RingCentral CX client ID"));
    w.send("short");
    w.send(ENTER);
    w.wait_for("RingCentral client IDs are 22 characters");
    w.send(ENTER); // leaves the secret empty: an error once left
    w.wait_for(&format!("{marker}RingCentral CX JWT"));
    w.wait_for("Required");
    w.send(BACK_TAB);
    w.send(BACK_TAB);
    w.wait_for(&format!("{marker}RingCentral CX client ID short"));
    w.send(&"\x7f".repeat(5));
    w.send(CLIENT_ID);
    w.wait_for(&format!("{marker}RingCentral CX client ID {CLIENT_ID}"));
    w.send(ENTER);
    w.wait_for(&format!("{marker}RingCentral CX client secret"));
    w.send(SECRET);
    w.send(ENTER);
    w.wait_for(&format!("({} chars)", SECRET.len()));
    w.paste(&jwt());
    w.wait_for("never expires");
    w.send(F1);
    w.wait_for("Esc closes this help.");
    w.send(ESC);
    w.wait_until("the help to close", |o| !o.shows("Esc closes this help."));
    w.send(ENTER);
    w.wait_for(&format!("{marker}Sub account ID"));
    w.send("15910001");
    w.send(ENTER);
    w.wait_for("Continue to User import settings");
    w.send(END);
    w.send(ENTER);
    w.wait_for("Press y once it is configured.");
    w.send("y");
    w.wait_for("Continue to Review");
    w.send(END);
    w.send(ENTER);
    w.wait_for("Review: this is what Ctrl-S writes.");
    w.wait_for("Secrets go to secret-service");
    w.send(CTRL_S);
    w.wait_for("Press Enter to finish.");
    w.send(ENTER);
    let status = w.wait_exit();
    assert!(status.success(), "{status:?}:\n{}", w.output().framed());
}

#[test]
fn under_a_c_locale_not_one_byte_above_0x7f_reaches_the_terminal() {
    let Some(secrets) = private_secret_service::start_or_skip() else {
        return; // skipped, and said so loudly
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let mut w = wizard(&config, &secrets, &[("LANG", "C")]);
    full_session(&mut w, "> ");
    let output = w.output();
    let high: Vec<(usize, u8)> = output
        .raw()
        .iter()
        .copied()
        .enumerate()
        .filter(|&(_, b)| b > 0x7f)
        .collect();
    assert!(
        high.is_empty(),
        "{} bytes above 0x7F, the first at {:?}: {:?}",
        high.len(),
        high.first(),
        String::from_utf8_lossy(&output.raw()[high[0].0.saturating_sub(40)..high[0].0 + 8])
    );
    assert!(
        output.shows("Saved 1 integration(s)"),
        "{}",
        output.framed()
    );
}

#[test]
fn under_no_color_no_colour_code_is_sent_and_bold_still_is() {
    let Some(secrets) = private_secret_service::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let mut w = wizard(&config, &secrets, &[("LANG", "C.UTF-8"), ("NO_COLOR", "1")]);
    full_session(&mut w, "› ");
    let output = w.output();
    for codes in sgr::sequences(output.raw()) {
        assert!(
            sgr::colour_codes(&codes).is_empty(),
            "a colour code was sent: ESC[{}m",
            codes
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(";")
        );
    }
    assert!(
        sgr::sets(output.raw(), 1),
        "bold is still used for focus and errors"
    );
    assert!(
        output
            .raw()
            .windows("✗ Required".len())
            .any(|w| w == "✗ Required".as_bytes()),
        "errors carry a mark, not just a colour"
    );
}

/// Bytes written since `from`, once `done` holds for the screen.
fn cost(
    w: &PtySession,
    from: &mut usize,
    what: &str,
    done: impl FnMut(&pty_session::Output) -> bool,
) -> usize {
    w.wait_until(what, done);
    let now = w.output().raw().len();
    let bytes = now - *from;
    *from = now;
    bytes
}

fn cursor_at(o: &pty_session::Output, row: u16, col: u16) -> bool {
    o.screen().cursor_position() == (row, col)
}

fn clears(w: &PtySession, from: usize, bytes: usize) -> usize {
    w.output().raw()[from..from + bytes]
        .windows(4)
        .filter(|s| s == b"\x1b[2J")
        .count()
}

#[test]
fn keys_cost_the_same_few_bytes_in_the_release_binary_over_a_real_terminal() {
    let Some(secrets) = private_secret_service::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let mut w = wizard(&config, &secrets, &[("LANG", "C.UTF-8")]);
    let mut at = 0;
    let first = cost(&w, &mut at, "the first frame", |o| o.shows("Ctrl-C quit"));

    let mut resizes = Vec::new();
    for (rows, cols) in [(30, 100), (24, 80)] {
        w.resize(rows, cols);
        let rule = "─".repeat(usize::from(cols));
        let longer = "─".repeat(usize::from(cols) + 1);
        let start = at;
        let bytes = cost(&w, &mut at, &format!("a {cols}-column layout"), |o| {
            o.shows(&rule) && !o.shows(&longer) && o.shows("Ctrl-C quit")
        });
        resizes.push((bytes, clears(&w, start, bytes)));
    }

    w.send(ENTER);
    cost(&w, &mut at, "the Historical list", |o| {
        o.shows("› + Add an integration")
    });
    let mut moves = Vec::new();
    for (key, selected) in [
        (DOWN, "› → Continue"),
        (UP, "› + Add"),
        (DOWN, "› → Continue"),
        (UP, "› + Add"),
    ] {
        w.send(key);
        moves.push(cost(&w, &mut at, selected, |o| o.shows(selected)));
    }
    w.send(ENTER);
    cost(&w, &mut at, "the form", |o| {
        o.shows("› Group") && cursor_at(o, 5, 32)
    });
    // Entering the form says where secrets go; the first key that acts takes the notice
    // away, once. Measured apart from the focus changes.
    w.wait_for("They survive a reboot.");
    w.send(TAB);
    let notice_gone = cost(&w, &mut at, "the notice gone", |o| {
        o.shows("› Status") && !o.shows("They survive a reboot.")
    });
    w.send(BACK_TAB);
    let mut tabs = vec![cost(&w, &mut at, "Group focused again", |o| {
        o.shows("› Group") && cursor_at(o, 5, 32)
    })];

    let mut typed = Vec::new();
    for (i, c) in "east".chars().enumerate() {
        w.send(&c.to_string());
        let col = 33 + i as u16;
        typed.push(cost(&w, &mut at, &format!("{c} typed"), |o| {
            cursor_at(o, 5, col)
        }));
    }
    w.send(TAB);
    tabs.push(cost(&w, &mut at, "Status focused", |o| o.shows("› Status")));
    w.send(TAB);
    tabs.push(cost(&w, &mut at, "client ID focused", |o| {
        o.shows("› RingCentral CX client ID") && cursor_at(o, 7, 32)
    }));
    for (i, c) in CLIENT_ID.chars().enumerate() {
        w.send(&c.to_string());
        let col = 33 + i as u16;
        typed.push(cost(&w, &mut at, &format!("{c} typed"), |o| {
            cursor_at(o, 7, col)
        }));
    }
    w.send(BACK_TAB);
    tabs.push(cost(&w, &mut at, "Status focused again", |o| {
        o.shows("› Status")
    }));
    w.send("\x03");
    w.wait_for("Quit without saving?");
    w.send("y");
    w.wait_exit();

    let report = format!(
        "first frame {first} B, resizes (bytes, clears) {resizes:?}, list moves {moves:?}, \
         notice gone {notice_gone}, typed {typed:?}, focus changes {tabs:?}"
    );
    assert_eq!(moves, [22, 22, 22, 22], "{report}");
    // The footer changes with focus (only keys that act there are hinted), so a Tab
    // repaints part of it, and the style is already reset when the first character
    // after it is typed: 1 byte like the others.
    let expected = vec![1; 4 + 22];
    assert_eq!(typed, expected, "{report}");
    assert_eq!(tabs, [67, 51, 59, 60], "{report}");
    assert_eq!(notice_gone, 206, "{report}");
    assert!(first <= 3500, "{report}");
    // Issue 15: after the clear, gaps are spaces and later rows a CR/LF away (675 and
    // 615 B before).
    let resize_bytes: Vec<usize> = resizes.iter().map(|(bytes, _)| *bytes).collect();
    assert_eq!(resize_bytes, [643, 583], "{report}");
    for (bytes, clears) in resizes {
        assert_eq!(clears, 1, "one repaint per resize: {report}");
        assert!(bytes * 10 <= first * 13, "{report}");
    }
    let _ = writeln!(std::io::stderr(), "terminal_wire: {report}");
}

#[test]
fn ascii_is_forced_by_the_flag_or_the_environment_even_under_utf8() {
    let Some(secrets) = private_secret_service::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    for (flag, env) in [(true, None), (false, Some("1")), (false, Some("0"))] {
        let mut envs = vec![("LANG", "C.UTF-8")];
        if let Some(value) = env {
            envs.push(("WFM_WIZARD_ASCII", value));
        }
        let mut command = wizard_command(&config, &secrets, &envs);
        if flag {
            command.arg("--ascii");
        }
        let mut w = PtySession::spawn(command);
        let ascii = env != Some("0");
        w.wait_for(if ascii {
            "> RingCentral v1"
        } else {
            "› RingCentral v1"
        });
        w.send("\x03");
        w.send("y");
        w.wait_exit();
        let output = w.output();
        assert_eq!(
            output.raw().is_ascii(),
            ascii,
            "--ascii {flag}, WFM_WIZARD_ASCII {env:?}:\n{}",
            output.framed()
        );
    }
}
