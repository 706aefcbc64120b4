//! The only impure loop: events in, messages to the wizard, effects out, frames drawn.

use std::collections::VecDeque;
use std::sync::mpsc::Receiver;

use crossterm::event::Event;
use ratatui::Terminal;
use ratatui::backend::Backend;

use crate::io::effects::EffectRunner;
use crate::ui::Theme;
use crate::wizard::{Msg, Outcome, Wizard};
use crate::{keymap, ui};

/// What wakes the loop.
#[derive(Debug)]
pub enum AppEvent {
    Input(Event),
    /// The answer to an effect that ran elsewhere.
    Effect(Msg),
    /// The terminal stopped delivering input (closed, or an error reading it).
    InputClosed,
}

/// Where events come from: a channel in the program, a script in tests.
pub trait EventSource {
    /// Blocks until the next event; `None` when there will be no more.
    fn next_event(&mut self) -> Option<AppEvent>;
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
    theme: Theme,
) -> Result<Outcome, B::Error> {
    terminal.draw(|frame| ui::draw(frame, wizard, theme))?;
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
            terminal.draw(|frame| ui::draw(frame, wizard, theme))?;
        }
        if let Some(outcome) = wizard.outcome.clone() {
            return Ok(outcome);
        }
        match events.next_event() {
            // Drawing asks the terminal for its size: one repaint laid out for the new one.
            Some(AppEvent::Input(Event::Resize(..))) => {
                terminal.draw(|frame| ui::draw(frame, wizard, theme))?;
            }
            Some(AppEvent::Input(event)) => pending.extend(keymap::to_msg(wizard, event)),
            Some(AppEvent::Effect(msg)) => pending.push_back(msg),
            Some(AppEvent::InputClosed) | None => return Ok(Outcome::Cancelled),
        }
    }
}
