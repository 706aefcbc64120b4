//! Terminal lifecycle: raw mode, alternate screen and bracketed paste, restored on panic
//! too; frames go out through [`TerminalOutput`].

use std::io::{IsTerminal, Write, stdout};
use std::sync::mpsc::Sender;

use crossterm::cursor::Show;
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use crossterm::style::{Attribute, SetAttribute};
use crossterm::terminal::{EnterAlternateScreen, enable_raw_mode};
use ratatui::Terminal;

use crate::app::AppEvent;
use crate::io::terminal_output::TerminalOutput;

/// The wizard's terminal: frames written straight to the terminal, one write each.
pub type WizardTerminal = Terminal<TerminalOutput<Box<dyn Write>>>;

/// Refuses to start the full-screen wizard where it cannot work, with what to do instead.
pub fn preflight() -> Result<(), String> {
    if !std::io::stdin().is_terminal() || !stdout().is_terminal() {
        return Err(
            "the wizard needs an interactive terminal: over SSH use `ssh -t`. \
                    To check a file without one, run `wfm-wizard validate`."
                .into(),
        );
    }
    match crossterm::terminal::size() {
        Ok((0, _) | (_, 0)) => Err(
            "the terminal reports a size of 0x0; set one (e.g. `stty cols 80 rows 24`) \
                                   or run from a real terminal."
                .into(),
        ),
        Ok(_) => Ok(()),
        Err(e) => Err(format!("cannot read the terminal size: {e}")),
    }
}

/// Raw mode, alternate screen and bracketed paste; a panic restores all three first.
/// `colour: false` (`NO_COLOR`) keeps colour codes off the wire.
pub fn init(colour: bool) -> std::io::Result<WizardTerminal> {
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous_hook(info);
    }));
    enable_raw_mode()?;
    execute!(stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
    Terminal::new(TerminalOutput::new(unbuffered_stdout()?, colour))
}

/// Standard output without Rust's line buffer in between, so each frame is one `write()`.
fn unbuffered_stdout() -> std::io::Result<Box<dyn Write>> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        let fd = stdout().as_fd().try_clone_to_owned()?;
        Ok(Box::new(std::fs::File::from(fd)))
    }
    #[cfg(not(unix))]
    {
        Ok(Box::new(stdout()))
    }
}

pub fn restore() {
    // The backend leaves the last frame's style and cursor visibility as they were.
    let _ = execute!(
        stdout(),
        DisableBracketedPaste,
        SetAttribute(Attribute::Reset),
        Show
    );
    ratatui::restore();
    let _ = stdout().flush();
}

/// Reads terminal input on its own thread, blocking, and forwards it to the loop.
pub fn spawn_input_reader(events: Sender<AppEvent>) {
    // crossterm starts watching SIGWINCH when its reader is first used. Doing that here,
    // before the first frame, means a resize right after start is not lost to a thread
    // that has not run yet.
    let _ = crossterm::event::poll(std::time::Duration::ZERO);
    std::thread::spawn(move || {
        loop {
            if let Ok(event) = crossterm::event::read() {
                if events.send(AppEvent::Input(event)).is_err() {
                    return;
                }
            } else {
                let _ = events.send(AppEvent::InputClosed);
                return;
            }
        }
    });
}
