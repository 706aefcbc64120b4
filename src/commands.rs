//! What the binary does for each command, with exit statuses per the contract.

pub mod apply;
pub mod connection_test;
pub mod export;
pub mod history;
pub mod inventory;
pub mod migrate;
pub mod secrets_report;
mod session;
pub mod shell_docs;
pub mod stored_values;
pub mod systemd_unit;
pub mod validate_json;

pub use session::{Load, Session, lock_for_command, open_session, recover, recover_for_reading};

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::channel;

use crate::app::{self, AppEvent};
use crate::catalog::Catalog;
use crate::commands::inventory::Presence;
use crate::config::{Document, parse_document};
use crate::io::effects::{StoreProvider, ThreadRunner};
use crate::io::line_terminal::LineTerminal;
use crate::io::{config_file, signals, standard_streams};
use crate::ui::Theme;
use crate::ui::theme::Environment;
use crate::validate::{Severity, check_document};
use crate::wizard::{Interrupt, Msg, Outcome};
use crate::{plain, terminal};

pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILURE: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_INVALID: u8 = 3;
pub const EXIT_STORE_UNAVAILABLE: u8 = 4;
pub const EXIT_CANCELLED: u8 = 130;

pub use crate::utc::now;

/// Reads and checks the file: `None` when there is none yet. The error names the problem.
pub fn load_document(path: &Path, catalog: &Catalog, now: i64) -> Result<Option<Document>, String> {
    config_file::read(path)?
        .map(|text| check_text(&text, catalog, now))
        .transpose()
}

pub(crate) use crate::io::config_load::check_text;

/// `wfm-wizard validate`: one line per problem on stdout.
pub fn validate(
    path: &Path,
    catalog: &Catalog,
    stores: &dyn StoreProvider,
    out: &mut dyn Write,
) -> u8 {
    let text = match config_file::read(path) {
        Ok(Some(text)) => text,
        Ok(None) => {
            let _ = writeln!(
                out,
                "error: {}: no such file; run wfm-wizard to create it",
                path.display()
            );
            return EXIT_INVALID;
        }
        Err(e) => {
            let _ = writeln!(out, "error: {}: {e}", path.display());
            return EXIT_INVALID;
        }
    };
    let document = match parse_document(&text) {
        Ok(document) => document,
        Err(e) => {
            let _ = writeln!(out, "error: {}: {e}", path.display());
            return EXIT_INVALID;
        }
    };
    let now = now();
    let mut errors = 0;
    for problem in check_document(&document, catalog, now) {
        let _ = writeln!(
            out,
            "{}: {}: {}: {}",
            problem.severity,
            path.display(),
            problem.location,
            problem.message
        );
        if problem.severity == Severity::Error {
            errors += 1;
        }
    }
    let secrets = stored_values::read_and_check(&document, catalog, stores, now);
    for secret in &secrets {
        let location = format!(
            "{}: {}: `{}`",
            path.display(),
            crate::validate::document::locate(secret.index, &document.integrations[secret.index]),
            secret.key
        );
        let store = secret.reference.store;
        match &secret.presence {
            Presence::Present { .. } => {}
            Presence::Invalid { why, .. } => {
                let _ = writeln!(
                    out,
                    "error: {location}: the value stored in {store} breaks the field's rule: \
                     {why} Run wfm-wizard and enter it again."
                );
            }
            Presence::Missing => {
                let _ = writeln!(
                    out,
                    "error: {location}: its keyring entry is missing from {store}; run \
                     wfm-wizard and enter the secret again"
                );
            }
            Presence::Unreadable(e) => {
                let _ = writeln!(out, "error: {location}: cannot read the secret store: {e}");
            }
        }
    }
    let status = stored_values::exit_status(errors, &secrets);
    if status == EXIT_OK {
        let _ = writeln!(
            out,
            "ok: {}: {} integration(s), {} secret(s) present and valid",
            path.display(),
            document.integrations.len(),
            secrets.len()
        );
    }
    status
}

/// What the terminal can show, from the environment (read here, once) and `--ascii`.
pub fn theme_from_env(ascii_flag: bool) -> Theme {
    let var = |name| std::env::var(name).ok();
    let (lc_all, lc_ctype, lang) = (var("LC_ALL"), var("LC_CTYPE"), var("LANG"));
    let (term, no_color) = (var("TERM"), var("NO_COLOR"));
    let env = Environment {
        lc_all: lc_all.as_deref(),
        lc_ctype: lc_ctype.as_deref(),
        lang: lang.as_deref(),
        term: term.as_deref(),
        no_color: no_color.as_deref(),
    };
    Theme::detect(&env, ascii_flag)
}

/// The full-screen wizard.
pub fn run_wizard(
    session: &Session,
    catalog: Arc<Catalog>,
    stores: Arc<dyn StoreProvider>,
    theme: Theme,
) -> u8 {
    if let Err(why) = terminal::preflight() {
        let _ = writeln!(standard_streams::stderr(), "wfm-wizard: {why}");
        return EXIT_USAGE;
    }
    let path = session.path.as_path();
    let mut wizard = session.wizard(catalog);
    let (events, receiver) = channel();
    let signal_events = events.clone();
    let hangup_events = events.clone();
    let watching = signals::install(move |signal| {
        let _ = signal_events.send(AppEvent::Signal(signal));
    })
    .and_then(|()| {
        signals::watch_terminal_hangup(move |signal| {
            let _ = hangup_events.send(AppEvent::Signal(signal));
        })
    });
    if let Err(e) = watching {
        let _ = writeln!(
            standard_streams::stderr(),
            "wfm-wizard: cannot watch for signals: {e}"
        );
        return EXIT_FAILURE;
    }
    let mut terminal = match terminal::init(theme.colour) {
        Ok(terminal) => terminal,
        Err(e) => {
            terminal::restore();
            let _ = writeln!(
                standard_streams::stderr(),
                "wfm-wizard: cannot set up the terminal: {e}"
            );
            return EXIT_FAILURE;
        }
    };
    terminal::spawn_input_reader(events.clone());
    let mut runner = ThreadRunner {
        stores,
        path: session.draft_path(),
        reply: Arc::new(move |msg| {
            let _ = events.send(AppEvent::Effect(msg));
        }),
        tests: crate::io::effects::ConnectionTests::new(crate::io::effects::tester_from_env()),
    };
    let mut events = terminal::TerminalEvents::new(receiver);
    let result = app::run(&mut terminal, &mut wizard, &mut events, &mut runner, theme);
    // A save or draft still being written finishes (or the bound passes) before exit.
    signals::wait_for_writes(signals::WRITE_GRACE);
    if let Ok(Outcome::Interrupted(Interrupt::HangUp)) = result {
        // The terminal is gone: nothing to restore, and nowhere to print. Not even
        // dropped: ratatui's Drop shows the cursor and `eprintln!`s a failure to, and
        // that panics on a hung-up terminal.
        std::mem::forget(terminal);
        return signals::Signal::HangUp.exit_status();
    }
    terminal::restore();
    report(result.map_err(|e| e.to_string()), path)
}

/// The same wizard asked line by line (`--plain`, `ACCESSIBLE=1`, `TERM=dumb`).
pub fn run_plain(
    session: &Session,
    catalog: Arc<Catalog>,
    stores: Arc<dyn StoreProvider>,
    why: plain::Reason,
    ascii: bool,
) -> u8 {
    let path = session.path.as_path();
    let mut terminal = match LineTerminal::open() {
        Ok(terminal) => terminal,
        Err(why) => {
            let _ = writeln!(standard_streams::stderr(), "wfm-wizard: {why}");
            return EXIT_USAGE;
        }
    };
    // A signal puts the echo back at once (even if the loop is stuck) and stops the
    // read, so the loop keeps the draft and ends with 128 + n, as the full screen does.
    let (replies, receiver) = channel();
    // Also told to the loop's wait for effects: a connection test can take a minute.
    let waiting = replies.clone();
    let watching = terminal.interrupter().and_then(|interrupter| {
        signals::install_ending(move |signal| {
            crate::io::line_terminal::restore_echo();
            let how = match signal {
                signals::Signal::Terminate(n) => Interrupt::Signal(n),
                _ => Interrupt::HangUp,
            };
            interrupter.interrupt(how);
            let _ = waiting.send(Msg::Interrupted(how));
        })
    });
    if let Err(e) = watching {
        let _ = writeln!(
            standard_streams::stderr(),
            "wfm-wizard: cannot watch for signals: {e}"
        );
        return EXIT_FAILURE;
    }
    let mut wizard = session.wizard(catalog);
    let mut runner = ThreadRunner {
        stores,
        path: session.draft_path(),
        reply: Arc::new(move |msg| {
            let _ = replies.send(msg);
        }),
        tests: crate::io::effects::ConnectionTests::new(crate::io::effects::tester_from_env()),
    };
    // A terminal that cannot show UTF-8 gets ASCII, typed values included.
    let mut ascii_lines;
    let io: &mut dyn crate::line_io::LineIo = if ascii {
        ascii_lines = plain::AsciiLines::new(&mut terminal);
        &mut ascii_lines
    } else {
        &mut terminal
    };
    let outcome = plain::run(&mut wizard, why, io, &mut runner, &receiver);
    // A save or draft still being written finishes (or the bound passes) before exit.
    signals::wait_for_writes(signals::WRITE_GRACE);
    drop(terminal); // puts the terminal's settings back before the outcome is printed
    report(Ok(outcome), path)
}

/// Prints how the session ended (after the terminal is restored) and picks the exit status.
fn report(result: Result<Outcome, String>, path: &Path) -> u8 {
    let mut err = standard_streams::stderr();
    match result {
        Ok(Outcome::Saved(report)) => {
            let _ = writeln!(
                standard_streams::stdout(),
                "Saved {} integration(s) to {}; {} secret(s) stored in the keyring.",
                report.integrations,
                path.display(),
                report.secrets_written
            );
            for warning in report.warnings {
                let _ = writeln!(err, "warning: {warning}");
            }
            EXIT_OK
        }
        Ok(Outcome::Refused(why)) => {
            let _ = writeln!(err, "wfm-wizard: {}: {why}", path.display());
            EXIT_INVALID
        }
        Ok(Outcome::Cancelled) => {
            let _ = writeln!(err, "Cancelled; nothing was written.");
            EXIT_CANCELLED
        }
        Ok(Outcome::Interrupted(Interrupt::Signal(n))) => {
            let _ = writeln!(
                err,
                "Stopped by signal {n}; nothing was written to {}. Unsaved answers are kept \
                 in the draft and offered at the next start.",
                path.display()
            );
            signals::Signal::Terminate(n).exit_status()
        }
        Ok(Outcome::Interrupted(Interrupt::HangUp)) => signals::Signal::HangUp.exit_status(),
        Err(e) => {
            let _ = writeln!(err, "wfm-wizard: the terminal failed: {e}");
            EXIT_FAILURE
        }
    }
}
