//! The only impure loop: events in, messages to the wizard, effects out, frames drawn.

use std::collections::VecDeque;
use std::sync::mpsc::Receiver;

use crossterm::event::Event;
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType};

use crate::io::effects::EffectRunner;
use crate::io::signals::Signal;
use crate::wizard::{Interrupt, Msg, Outcome, Wizard};
use crate::{keymap, ui};

/// What wakes the loop.
#[derive(Debug)]
pub enum AppEvent {
    Input(Event),
    /// The answer to an effect that ran elsewhere.
    Effect(Msg),
    /// The terminal stopped delivering input (closed, or an error reading it).
    InputClosed,
    /// A process signal, from the signal watcher thread.
    Signal(Signal),
}

/// Where events come from: a channel in the program, a script in tests.
pub trait EventSource {
    /// Blocks until the next event; `None` when there will be no more.
    fn next_event(&mut self) -> Option<AppEvent>;

    /// Ctrl-Z: give the terminal back, stop until continued, then take it again.
    /// Headless sources have no terminal to give back.
    fn suspend(&mut self) -> std::io::Result<()> {
        Ok(())
    }

    /// After SIGCONT: make sure the terminal is set up for the wizard again.
    fn reclaim(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl EventSource for Receiver<AppEvent> {
    fn next_event(&mut self) -> Option<AppEvent> {
        self.recv().ok()
    }
}

/// Runs the wizard until it has an outcome. Blocks on events; draws only after
/// something changed, so an idle wizard costs nothing.
pub fn run<B: Backend, E: EventSource, R: EffectRunner>(
    terminal: &mut Terminal<B>,
    wizard: &mut Wizard,
    events: &mut E,
    runner: &mut R,
) -> Result<Outcome, B::Error> {
    terminal.draw(|frame| ui::draw(frame, wizard))?;
    let mut pending: VecDeque<Msg> = VecDeque::new();
    // Slow work (probing the keyring) starts only once the first frame is on screen.
    for effect in wizard.start() {
        pending.extend(runner.run(effect));
    }
    loop {
        let mut changed = false;
        while let Some(msg) = pending.pop_front() {
            for effect in wizard.update(msg) {
                pending.extend(runner.run(effect));
            }
            changed = true;
        }
        if changed {
            terminal.draw(|frame| ui::draw(frame, wizard))?;
        }
        if let Some(outcome) = wizard.outcome.clone() {
            return Ok(outcome);
        }
        match events.next_event() {
            Some(AppEvent::Input(Event::Resize(..))) => {
                terminal.autoresize()?;
                terminal.draw(|frame| ui::draw(frame, wizard))?;
            }
            Some(AppEvent::Input(event)) if keymap::is_suspend(&event) => {
                // A terminal that cannot be given back keeps the wizard running as it was.
                if events.suspend().is_ok() {
                    repaint(terminal, wizard)?;
                }
            }
            Some(AppEvent::Signal(Signal::Suspend)) => {
                if events.suspend().is_ok() {
                    repaint(terminal, wizard)?;
                }
            }
            Some(AppEvent::Signal(Signal::Continue)) => {
                if events.reclaim().is_ok() {
                    repaint(terminal, wizard)?;
                }
            }
            Some(AppEvent::Input(event)) => pending.extend(keymap::to_msg(wizard, event)),
            Some(AppEvent::Effect(msg)) => pending.push_back(msg),
            Some(AppEvent::Signal(Signal::HangUp) | AppEvent::InputClosed) => {
                return Ok(interrupt(wizard, runner, Interrupt::HangUp));
            }
            Some(AppEvent::Signal(Signal::Terminate(n))) => {
                return Ok(interrupt(wizard, runner, Interrupt::Signal(n)));
            }
            None => return Ok(Outcome::Cancelled),
        }
    }
}

/// Ends the session from outside: the wizard keeps a draft (its effects start here;
/// the caller waits for writes in flight), and nothing more is drawn, since after a
/// hangup there is no terminal to draw on.
fn interrupt<R: EffectRunner>(wizard: &mut Wizard, runner: &mut R, how: Interrupt) -> Outcome {
    for effect in wizard.update(Msg::Interrupted(how)) {
        let _ = runner.run(effect);
    }
    wizard.outcome.clone().unwrap_or(Outcome::Interrupted(how))
}

/// Everything drawn anew: after a suspend the screen holds whatever the shell left.
/// (Not `Terminal::clear`: it asks the terminal for the cursor position, and the
/// answer goes to the input thread's pending read, so the query times out.)
fn repaint<B: Backend>(terminal: &mut Terminal<B>, wizard: &Wizard) -> Result<(), B::Error> {
    terminal.backend_mut().clear_region(ClearType::All)?;
    // After a draw the buffer it becomes is blank; swapping blanks the other one too,
    // so the next draw sends every cell instead of only what changed.
    terminal.swap_buffers();
    terminal.draw(|frame| ui::draw(frame, wizard))?;
    Ok(())
}
