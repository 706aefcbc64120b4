//! The only impure loop: events in, messages to the wizard, effects out, frames drawn.

use std::collections::VecDeque;
use std::sync::mpsc::Receiver;

use crossterm::event::Event;
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType};
use ratatui::layout::Rect;

use crate::io::signals::Signal;
use crate::ui::Theme;
use crate::wizard::{EffectRunner, Interrupt, Msg, Outcome, Wizard};
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
    /// `Ok(false)`: nothing to redraw (the continue ended this program's own suspend,
    /// which redrew already).
    fn reclaim(&mut self) -> std::io::Result<bool> {
        Ok(false)
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
    theme: Theme,
) -> Result<Outcome, B::Error> {
    let mut pending: VecDeque<Msg> = VecDeque::new();
    // What the views measured, reused while the wizard's content is the same.
    let mut cache = ui::ViewCache::default();
    // The screen as last drawn: behind "terminal too small" only a few keys act.
    let mut shown = draw(terminal, wizard, theme, &mut pending, &mut cache)?;
    // Slow work (probing the keyring) starts only once the first frame is on screen.
    for effect in wizard.start() {
        pending.extend(runner.run(effect));
    }
    // Whether what was last handled came from an effect (the file landing, a check
    // done) rather than the operator: when it changed the integrations or the store,
    // Review is measured ahead, between keys.
    let mut from_effect = true;
    loop {
        let mut changed = false;
        let review_inputs = ui::review_inputs(wizard);
        while let Some(msg) = pending.pop_front() {
            for effect in wizard.update(msg) {
                pending.extend(runner.run(effect));
            }
            changed = true;
        }
        if changed {
            shown = draw(terminal, wizard, theme, &mut pending, &mut cache)?;
            // Only what an effect itself changed: what a key changed is measured when
            // Review is entered, and only for the integrations it touched.
            if from_effect && ui::review_inputs(wizard) != review_inputs {
                ui::measure_review_ahead(wizard, shown, theme, &mut cache);
            }
        }
        if let Some(outcome) = wizard.outcome().cloned() {
            return Ok(outcome);
        }
        match events.next_event() {
            // Drawing asks the terminal for its size: one repaint laid out for the new one.
            Some(AppEvent::Input(Event::Resize(..))) => {
                shown = draw(terminal, wizard, theme, &mut pending, &mut cache)?;
                ui::measure_review_ahead(wizard, shown, theme, &mut cache);
            }
            Some(AppEvent::Input(event)) if keymap::is_suspend(&event) => {
                // A terminal that cannot be given back keeps the wizard running as it was.
                if events.suspend().is_ok() {
                    shown = repaint(terminal, wizard, theme, &mut pending, &mut cache)?;
                }
            }
            Some(AppEvent::Signal(Signal::Suspend)) => {
                if events.suspend().is_ok() {
                    shown = repaint(terminal, wizard, theme, &mut pending, &mut cache)?;
                }
            }
            Some(AppEvent::Signal(Signal::Continue)) => {
                if events.reclaim().unwrap_or(false) {
                    shown = repaint(terminal, wizard, theme, &mut pending, &mut cache)?;
                }
            }
            // What cannot be seen cannot be edited or saved. A resize may have gone
            // unannounced, though: the screen is drawn for the size it has now first.
            Some(AppEvent::Input(event))
                if ui::too_small(shown) && !keymap::acts_behind_too_small(wizard, &event) =>
            {
                shown = draw(terminal, wizard, theme, &mut pending, &mut cache)?;
                from_effect = false;
                if !ui::too_small(shown) {
                    pending.extend(keymap::to_msg(wizard, event));
                }
            }
            Some(AppEvent::Input(event)) => {
                from_effect = false;
                pending.extend(keymap::to_msg(wizard, event));
            }
            Some(AppEvent::Effect(msg)) => {
                from_effect = true;
                pending.push_back(msg);
            }
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
    wizard
        .outcome()
        .cloned()
        .unwrap_or(Outcome::Interrupted(how))
}

/// Everything drawn anew: after a suspend the screen holds whatever the shell left.
/// (Not `Terminal::clear`: it asks the terminal for the cursor position, and the
/// answer goes to the input thread's pending read, so the query times out.)
fn repaint<B: Backend>(
    terminal: &mut Terminal<B>,
    wizard: &Wizard,
    theme: Theme,
    pending: &mut VecDeque<Msg>,
    cache: &mut ui::ViewCache,
) -> Result<Rect, B::Error> {
    // The terminal was restored for the shell (cursor shown): the backend learns so,
    // and the frame hides it again if it should be hidden.
    terminal.backend_mut().show_cursor()?;
    terminal.backend_mut().clear_region(ClearType::All)?;
    // After a draw the buffer it becomes is blank; swapping blanks the other one too,
    // so the next draw sends every cell instead of only what changed.
    terminal.swap_buffers();
    draw(terminal, wizard, theme, pending, cache)
}

/// Draws the wizard. On Review it also tells the wizard, when that changed, how far
/// Review can scroll on this screen (a message, handled like any other), measured
/// from what the draw built (`cache`). Returns the area drawn.
fn draw<B: Backend>(
    terminal: &mut Terminal<B>,
    wizard: &Wizard,
    theme: Theme,
    pending: &mut VecDeque<Msg>,
    cache: &mut ui::ViewCache,
) -> Result<Rect, B::Error> {
    let area = terminal
        .draw(|frame| ui::draw_cached(frame, wizard, theme, cache))?
        .area;
    if let Some(limit) = ui::review_scroll_limit_cached(wizard, area, theme, cache)
        && limit != wizard.review_limit()
    {
        pending.push_back(Msg::ReviewLimit(limit));
    }
    if let Some(limit) = ui::help_scroll_limit(wizard, area, theme)
        && limit != wizard.help_limit()
    {
        pending.push_back(Msg::HelpLimit(limit));
    }
    Ok(area)
}

#[cfg(test)]
mod loading_tests;

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::io::effects::InlineRunner;
    use crate::io::memory_store::MemoryStores;
    use crate::secret::StoreKind;
    use crate::test_support::wizard;

    /// Scripted events; counts the suspends the loop asks for.
    struct Script {
        events: VecDeque<AppEvent>,
        suspends: usize,
    }

    impl EventSource for Script {
        fn next_event(&mut self) -> Option<AppEvent> {
            self.events.pop_front()
        }

        fn suspend(&mut self) -> std::io::Result<()> {
            self.suspends += 1;
            Ok(())
        }
    }

    fn key(code: KeyCode, modifiers: KeyModifiers) -> AppEvent {
        AppEvent::Input(Event::Key(KeyEvent::new(code, modifiers)))
    }

    fn typed(text: &str) -> impl Iterator<Item = AppEvent> + '_ {
        text.chars()
            .map(|c| key(KeyCode::Char(c), KeyModifiers::NONE))
    }

    fn run_script(config: &Path, events: Vec<AppEvent>) -> (Outcome, Script) {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        let mut wizard = wizard();
        let mut script = Script {
            events: events.into(),
            suspends: 0,
        };
        let mut runner = InlineRunner {
            stores: Arc::new(MemoryStores::new(StoreKind::Keyutils)),
            path: config.to_owned(),
        };
        let outcome = run(
            &mut terminal,
            &mut wizard,
            &mut script,
            &mut runner,
            Theme::default(),
        )
        .unwrap();
        (outcome, script)
    }

    /// Platform chosen, Add pressed, a Group typed: unsaved work in the open form.
    fn into_a_form() -> Vec<AppEvent> {
        let mut events = vec![
            key(KeyCode::Enter, KeyModifiers::NONE),
            key(KeyCode::Enter, KeyModifiers::NONE),
        ];
        events.extend(typed("east"));
        events
    }

    #[test]
    fn a_terminating_signal_keeps_a_draft_and_ends_with_that_signal() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("integrations.yaml");
        let mut events = into_a_form();
        events.push(AppEvent::Signal(Signal::Terminate(15)));
        events.extend(typed("never read"));
        let (outcome, _) = run_script(&config, events);
        assert_eq!(outcome, Outcome::Interrupted(Interrupt::Signal(15)));
        let draft = crate::io::draft_file::read(&config)
            .unwrap()
            .expect("a draft");
        assert!(matches!(
            &draft.integrations[0].fields[0],
            crate::config::draft::DraftField::Text { value, .. } if value == "east"
        ));
        assert!(!config.exists());
    }

    #[test]
    fn a_closed_terminal_counts_as_a_hangup() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("integrations.yaml");
        let mut events = into_a_form();
        events.push(AppEvent::InputClosed);
        let (outcome, _) = run_script(&config, events);
        assert_eq!(outcome, Outcome::Interrupted(Interrupt::HangUp));
        assert!(crate::io::draft_file::read(&config).unwrap().is_some());
    }

    #[test]
    fn ctrl_z_and_sigtstp_suspend_in_any_step_without_changing_the_wizard() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("integrations.yaml");
        let mut events = into_a_form();
        events.push(key(KeyCode::Char('z'), KeyModifiers::CONTROL));
        events.push(AppEvent::Signal(Signal::Suspend));
        events.push(AppEvent::Signal(Signal::Continue));
        events.push(AppEvent::Signal(Signal::HangUp));
        let (outcome, script) = run_script(&config, events);
        assert_eq!(script.suspends, 2);
        assert_eq!(outcome, Outcome::Interrupted(Interrupt::HangUp));
        let draft = crate::io::draft_file::read(&config)
            .unwrap()
            .expect("a draft");
        assert!(
            matches!(&draft.integrations[0].fields[0],
                crate::config::draft::DraftField::Text { value, .. } if value == "east"),
            "Ctrl-Z typed nothing into the field"
        );
    }

    /// An event, or a resize no event announces (a lost SIGWINCH).
    enum Step {
        Event(AppEvent),
        Unannounced(u16, u16),
    }

    /// Events for a terminal whose size the script sets, as a window resize would.
    struct Resizing {
        steps: VecDeque<Step>,
        size: crate::io::terminal_output::FixedSize,
    }

    impl EventSource for Resizing {
        fn next_event(&mut self) -> Option<AppEvent> {
            loop {
                match self.steps.pop_front()? {
                    Step::Unannounced(width, height) => self.size.set(width, height),
                    Step::Event(event) => {
                        if let AppEvent::Input(Event::Resize(width, height)) = event {
                            self.size.set(width, height);
                        }
                        return Some(event);
                    }
                }
            }
        }
    }

    fn resize(width: u16, height: u16) -> AppEvent {
        AppEvent::Input(Event::Resize(width, height))
    }

    /// Runs `events` on a terminal that starts 80x24; the outcome and every byte sent.
    fn run_resizing(config: &Path, events: Vec<AppEvent>) -> (Outcome, String) {
        run_steps(config, events.into_iter().map(Step::Event).collect())
    }

    fn run_steps(config: &Path, steps: VecDeque<Step>) -> (Outcome, String) {
        use crate::io::terminal_output::{FixedSize, TerminalOutput};
        let size = FixedSize::new(80, 24);
        let mut terminal =
            Terminal::new(TerminalOutput::with_size(Vec::new(), &size, false)).unwrap();
        let mut wizard = wizard();
        let mut script = Resizing { steps, size };
        let mut runner = InlineRunner {
            stores: Arc::new(MemoryStores::new(StoreKind::Keyutils)),
            path: config.to_owned(),
        };
        let outcome = run(
            &mut terminal,
            &mut wizard,
            &mut script,
            &mut runner,
            Theme::default(),
        )
        .unwrap();
        let written = String::from_utf8_lossy(terminal.backend().writer()).into_owned();
        (outcome, written)
    }

    /// Typing, Backspace, a paste, Enter and Ctrl-S behind "terminal too small" change
    /// nothing and save nothing; once the window is large again the form is as it was.
    #[test]
    fn keys_do_nothing_behind_the_too_small_screen() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("integrations.yaml");
        let mut events = into_a_form();
        events.push(resize(30, 8));
        events.extend(typed("west"));
        events.push(key(KeyCode::Backspace, KeyModifiers::NONE));
        events.push(AppEvent::Input(Event::Paste("pasted".into())));
        events.push(key(KeyCode::Tab, KeyModifiers::NONE));
        events.push(key(KeyCode::Char(' '), KeyModifiers::NONE));
        events.push(key(KeyCode::Char('s'), KeyModifiers::CONTROL));
        events.push(key(KeyCode::Enter, KeyModifiers::NONE));
        events.push(key(KeyCode::Esc, KeyModifiers::NONE));
        events.push(resize(80, 24));
        events.push(AppEvent::Signal(Signal::Terminate(15)));
        let (outcome, written) = run_resizing(&config, events);
        assert!(
            written.contains("small"),
            "the too-small screen was shown: {written}"
        );
        assert_eq!(outcome, Outcome::Interrupted(Interrupt::Signal(15)));
        assert!(!config.exists(), "nothing was saved");
        let draft = crate::io::draft_file::read(&config)
            .unwrap()
            .expect("a draft");
        assert_eq!(draft.integrations.len(), 1);
        assert!(
            matches!(&draft.integrations[0].fields[0],
                crate::config::draft::DraftField::Text { value, .. } if value == "east"),
            "the Group is as it was: {:?}",
            draft.integrations[0].fields[0]
        );
    }

    /// A window made large again without a resize event (a lost SIGWINCH): the next
    /// key finds the screen drawn anew and acts, instead of the wizard staying deaf.
    #[test]
    fn a_key_after_an_unannounced_resize_acts() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("integrations.yaml");
        let mut steps: VecDeque<Step> = into_a_form().into_iter().map(Step::Event).collect();
        steps.push_back(Step::Event(resize(30, 8)));
        steps.push_back(Step::Unannounced(80, 24));
        steps.extend(typed("-2").map(Step::Event));
        steps.push_back(Step::Event(AppEvent::Signal(Signal::Terminate(15))));
        let (_, _) = run_steps(&config, steps);
        let draft = crate::io::draft_file::read(&config)
            .unwrap()
            .expect("a draft");
        assert!(
            matches!(&draft.integrations[0].fields[0],
                crate::config::draft::DraftField::Text { value, .. } if value == "east-2"),
            "{:?}",
            draft.integrations[0].fields[0]
        );
    }

    /// Ctrl-C still quits there, and when it asks first, the screen says so.
    #[test]
    fn ctrl_c_acts_behind_the_too_small_screen_and_its_question_shows() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("integrations.yaml");
        let mut events = into_a_form();
        events.push(resize(30, 8));
        events.push(key(KeyCode::Char('c'), KeyModifiers::CONTROL));
        events.push(key(KeyCode::Char('c'), KeyModifiers::CONTROL));
        let (outcome, written) = run_resizing(&config, events);
        assert!(written.contains("again"), "{written}");
        assert_eq!(outcome, Outcome::Cancelled);
        assert!(!config.exists());
    }

    /// The too-small screen's question names the key that quits keeping the draft,
    /// and that key acts there: the draft is kept for the next start.
    #[test]
    fn quit_keeping_the_draft_acts_behind_the_too_small_screen() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("integrations.yaml");
        let mut events = into_a_form();
        events.push(resize(30, 8));
        events.push(key(KeyCode::Char('k'), KeyModifiers::NONE)); // no question yet: nothing
        events.push(key(KeyCode::Char('c'), KeyModifiers::CONTROL));
        events.push(key(KeyCode::Char('k'), KeyModifiers::NONE));
        let (outcome, written) = run_resizing(&config, events);
        assert!(
            written.contains("keep") && written.contains("start."),
            "{written}"
        );
        assert_eq!(outcome, Outcome::Cancelled);
        assert!(!config.exists());
        let draft = crate::io::draft_file::read(&config)
            .unwrap()
            .expect("the draft is kept");
        assert!(
            matches!(&draft.integrations[0].fields[0],
                crate::config::draft::DraftField::Text { value, .. } if value == "east"),
            "the first k typed nothing: {:?}",
            draft.integrations[0].fields[0]
        );
    }

    /// Review, 40 integrations long, on an 80x24 screen: End shows the last line, and
    /// Up from there moves the view at once (the loop tells the wizard how far it can
    /// scroll). Before, End scrolled to "infinity" and Up had to undo that first.
    #[test]
    fn end_then_up_on_review_moves_the_view_at_once() {
        let mut document = crate::test_support::loaded_document(StoreKind::SecretService, true);
        let first = document.integrations[0].clone();
        document.integrations = (0..40)
            .map(|i| crate::config::Integration {
                group: Some(format!("g{i:02}")),
                ..first.clone()
            })
            .collect();
        let mut wizard = crate::wizard::Wizard::new(
            crate::catalog::Catalog::builtin(),
            Some(&document),
            "/etc/wfm-wizard/integrations.yaml",
            crate::test_support::NOW,
        );
        crate::test_support::to_review(&mut wizard);
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        let mut script = Script {
            events: [KeyCode::End, KeyCode::Up]
                .map(|code| key(code, KeyModifiers::NONE))
                .into(),
            suspends: 0,
        };
        let dir = tempfile::tempdir().unwrap();
        let mut runner = InlineRunner {
            stores: Arc::new(MemoryStores::new(StoreKind::SecretService)),
            path: dir.path().join("integrations.yaml"),
        };
        run(
            &mut terminal,
            &mut wizard,
            &mut script,
            &mut runner,
            Theme::default(),
        )
        .unwrap();
        let limit = wizard.review_limit();
        assert!(limit > 100 && limit < usize::MAX, "measured: {limit}");
        assert_eq!(
            *wizard.step(),
            crate::wizard::Step::Review { scroll: limit - 1 },
            "one line up from the end"
        );
        let screen: String = terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .map(ratatui::buffer::Cell::symbol)
            .collect();
        assert!(screen.contains("g39"), "the last integration is in view");
    }
}
