//! Terminal lifecycle: raw mode, alternate screen and bracketed paste, restored on panic
//! too; frames go out through [`TerminalOutput`].

use std::io::{IsTerminal, Write, stdout};
use std::sync::mpsc::{Receiver, Sender};

use crossterm::cursor::Show;
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use crossterm::style::{Attribute, SetAttribute};
use crossterm::terminal::{EnterAlternateScreen, enable_raw_mode};
use ratatui::Terminal;

use crate::app::{AppEvent, EventSource};
use crate::io::signals;
use crate::io::terminal_output::TerminalOutput;

/// What to do instead of the full-screen wizard, ending every refusal.
const INSTEAD: &str = "`wfm-wizard --plain` asks the same questions line by line; for scripts, \
    `wfm-wizard validate` checks a file (an `apply --answers FILE` subcommand that writes one \
    without a terminal is planned).";

/// The wizard's terminal: frames written straight to the terminal, one write each.
pub type WizardTerminal = Terminal<TerminalOutput<Box<dyn Write>>>;

/// Refuses to start the full-screen wizard where it cannot work, with what to do instead.
pub fn preflight() -> Result<(), String> {
    if !std::io::stdin().is_terminal() {
        return Err(format!(
            "the wizard needs an interactive terminal and standard input is not one: over SSH \
             use `ssh -t`. {INSTEAD}"
        ));
    }
    if !stdout().is_terminal() {
        return Err(format!(
            "the full-screen wizard draws on standard output, which is not a terminal. {INSTEAD}"
        ));
    }
    match crossterm::terminal::size() {
        Ok((0, _) | (_, 0)) => Err(format!(
            "the terminal reports a size of 0x0; set one (e.g. `stty cols 80 rows 24`) or run \
             from a real terminal. {INSTEAD}"
        )),
        Ok(_) => Ok(()),
        Err(e) => Err(format!("cannot read the terminal size: {e}. {INSTEAD}")),
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
    // The backend leaves the last frame's style and cursor visibility as they were. The
    // cursor is shown after leaving the alternate screen: terminals that keep its
    // visibility per screen show it on the operator's own screen too.
    let _ = execute!(
        stdout(),
        DisableBracketedPaste,
        SetAttribute(Attribute::Reset)
    );
    ratatui::restore();
    let _ = execute!(stdout(), Show);
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

/// Ctrl-Z: the terminal goes back to how the shell left it, the process stops, and
/// once continued (`fg`) the wizard takes the terminal again; the caller repaints.
pub fn suspend() -> std::io::Result<()> {
    restore();
    let _ = execute!(stdout(), crossterm::cursor::Show);
    signals::stop_self()?;
    reclaim()
}

/// Raw mode, the alternate screen and bracketed paste again, whatever state the
/// terminal was left in while the process was stopped.
pub fn reclaim() -> std::io::Result<()> {
    // Turning raw mode off first makes crossterm set it afresh instead of trusting
    // its memory of having done so before the stop.
    let _ = crossterm::terminal::disable_raw_mode();
    crossterm::terminal::enable_raw_mode()?;
    execute!(
        stdout(),
        crossterm::terminal::EnterAlternateScreen,
        EnableBracketedPaste
    )
}

/// The program's events (keys, effect answers, signals) from one channel, with the
/// real terminal to give back on Ctrl-Z.
pub struct TerminalEvents {
    receiver: Receiver<AppEvent>,
    /// The SIGCONT that ends our own suspend is still to come: `suspend` has redrawn.
    continue_expected: bool,
}

impl TerminalEvents {
    pub fn new(receiver: Receiver<AppEvent>) -> Self {
        TerminalEvents {
            receiver,
            continue_expected: false,
        }
    }
}

impl EventSource for TerminalEvents {
    fn next_event(&mut self) -> Option<AppEvent> {
        self.receiver.recv().ok()
    }

    fn suspend(&mut self) -> std::io::Result<()> {
        suspend()?;
        self.continue_expected = true;
        Ok(())
    }

    fn reclaim(&mut self) -> std::io::Result<bool> {
        if std::mem::take(&mut self.continue_expected) {
            return Ok(false); // one full frame per resume is enough on a slow link
        }
        reclaim().map(|()| true)
    }
}
