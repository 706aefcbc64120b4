//! What the binary does for each command, with exit statuses per the contract.

pub mod history;
pub mod inventory;
pub mod secrets_report;

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::channel;

use crate::app::{self, AppEvent};
use crate::catalog::Catalog;
use crate::config::{Document, Setting, parse_document};
use crate::io::effects::{StoreProvider, ThreadRunner};
use crate::io::line_terminal::LineTerminal;
use crate::io::{config_file, draft_file, signals};
use crate::ui::Theme;
use crate::ui::theme::Environment;
use crate::validate::{Severity, check_document};
use crate::wizard::{Interrupt, Outcome, Wizard, link_can_drop};
use crate::{plain, terminal};

pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILURE: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_INVALID: u8 = 3;
pub const EXIT_STORE_UNAVAILABLE: u8 = 4;
pub const EXIT_CANCELLED: u8 = 130;

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Reads and checks the file: `None` when there is none yet. The error names the problem.
pub fn load_document(path: &Path, catalog: &Catalog, now: i64) -> Result<Option<Document>, String> {
    let Some(text) = config_file::read(path)? else {
        return Ok(None);
    };
    let document = parse_document(&text).map_err(|e| e.to_string())?;
    let errors: Vec<String> = check_document(&document, catalog, now)
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| format!("{}: {}", p.location, p.message))
        .collect();
    if errors.is_empty() {
        Ok(Some(document))
    } else {
        Err(errors.join("\n  "))
    }
}

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
    let mut status = EXIT_OK;
    for problem in check_document(&document, catalog, now()) {
        let _ = writeln!(
            out,
            "{}: {}: {}: {}",
            problem.severity,
            path.display(),
            problem.location,
            problem.message
        );
        if problem.severity == Severity::Error {
            status = EXIT_INVALID;
        }
    }
    let mut secrets = 0;
    for (index, integration) in document.integrations.iter().enumerate() {
        for (key, setting) in &integration.settings.0 {
            let Setting::Secret(reference) = setting else {
                continue;
            };
            secrets += 1;
            let location = format!(
                "{}: {}",
                path.display(),
                crate::validate::document::locate(index, integration)
            );
            match stores
                .open(reference.store)
                .and_then(|s| s.get(&reference.user))
            {
                Ok(Some(_)) => {}
                Ok(None) => {
                    let _ = writeln!(
                        out,
                        "error: {location}: `{key}`: the keyring entry {} is missing from {}; \
                         run wfm-wizard and enter the secret again",
                        reference.user, reference.store
                    );
                    if status == EXIT_OK {
                        status = EXIT_INVALID;
                    }
                }
                Err(e) => {
                    let _ = writeln!(
                        out,
                        "error: {location}: `{key}`: cannot read the secret store: {e}"
                    );
                    if status != EXIT_INVALID {
                        status = EXIT_STORE_UNAVAILABLE;
                    }
                }
            }
        }
    }
    if status == EXIT_OK {
        let _ = writeln!(
            out,
            "ok: {}: {} integration(s), {secrets} secret(s) present",
            path.display(),
            document.integrations.len()
        );
    }
    status
}

/// Offers a draft left by an earlier session, and over SSH says that a dropped link
/// loses nothing.
fn prepare_session(wizard: &mut Wizard, path: &Path) {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if link_can_drop(set("SSH_CONNECTION"), set("TMUX"), set("STY")) {
        wizard.show_ssh_hint();
    }
    match draft_file::read(path) {
        Ok(Some(snapshot)) => wizard.offer_resume(snapshot),
        Ok(None) => {}
        Err(why) => wizard.draft_unreadable(&why),
    }
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
    path: &Path,
    catalog: Arc<Catalog>,
    document: Option<&Document>,
    stores: Arc<dyn StoreProvider>,
    theme: Theme,
) -> u8 {
    if let Err(why) = terminal::preflight() {
        eprintln!("wfm-wizard: {why}");
        return EXIT_USAGE;
    }
    let mut wizard = Wizard::new(catalog, document, &path.display().to_string(), now());
    prepare_session(&mut wizard, path);
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
        eprintln!("wfm-wizard: cannot watch for signals: {e}");
        return EXIT_FAILURE;
    }
    let mut terminal = match terminal::init(theme.colour) {
        Ok(terminal) => terminal,
        Err(e) => {
            terminal::restore();
            eprintln!("wfm-wizard: cannot set up the terminal: {e}");
            return EXIT_FAILURE;
        }
    };
    terminal::spawn_input_reader(events.clone());
    let mut runner = ThreadRunner {
        stores,
        path: path.to_owned(),
        reply: Arc::new(move |msg| {
            let _ = events.send(AppEvent::Effect(msg));
        }),
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
    path: &Path,
    catalog: Arc<Catalog>,
    document: Option<&Document>,
    stores: Arc<dyn StoreProvider>,
    why: plain::Reason,
) -> u8 {
    let mut terminal = match LineTerminal::open() {
        Ok(terminal) => terminal,
        Err(why) => {
            eprintln!("wfm-wizard: {why}");
            return EXIT_USAGE;
        }
    };
    let mut wizard = Wizard::new(catalog, document, &path.display().to_string(), now());
    prepare_session(&mut wizard, path);
    let (replies, receiver) = channel();
    let mut runner = ThreadRunner {
        stores,
        path: path.to_owned(),
        reply: Arc::new(move |msg| {
            let _ = replies.send(msg);
        }),
    };
    let outcome = plain::run(&mut wizard, why, &mut terminal, &mut runner, &receiver);
    drop(terminal); // puts the terminal's settings back before the outcome is printed
    report(Ok(outcome), path)
}

/// Prints how the session ended (after the terminal is restored) and picks the exit status.
fn report(result: Result<Outcome, String>, path: &Path) -> u8 {
    let mut err = std::io::stderr();
    match result {
        Ok(Outcome::Saved(report)) => {
            let _ = writeln!(
                std::io::stdout(),
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
