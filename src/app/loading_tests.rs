//! Issue 15 item 1, headless: the first frame is drawn while the file is still being
//! read (a runner holds the load until the script releases it), and quitting or a
//! signal meanwhile ends the session cleanly.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;

use super::{AppEvent, EventSource, run};
use crate::catalog::Catalog;
use crate::io::effects::{InlineRunner, perform};
use crate::io::memory_store::MemoryStores;
use crate::io::signals::Signal;
use crate::io::terminal_output::{FixedSize, TerminalOutput};
use crate::secret::StoreKind;
use crate::test_support::NOW;
use crate::ui::Theme;
use crate::wizard::{Effect, EffectRunner, Interrupt, Msg, Outcome, Startup, Wizard};

/// Runs effects inline, except the load, which it holds until the script releases it.
struct HoldingRunner {
    inline: InlineRunner,
    held: Rc<RefCell<Option<Effect>>>,
}

impl EffectRunner for HoldingRunner {
    fn run(&mut self, effect: Effect) -> Option<Msg> {
        if matches!(effect, Effect::LoadConfig { .. }) {
            *self.held.borrow_mut() = Some(effect);
            return None;
        }
        self.inline.run(effect)
    }
}

enum Step {
    Event(AppEvent),
    /// Carries out the held load; its answer arrives as an effect's would.
    Release,
}

struct Script {
    steps: VecDeque<Step>,
    held: Rc<RefCell<Option<Effect>>>,
    config: PathBuf,
    /// Whether the load was still held when each step was taken.
    held_when_asked: Vec<bool>,
}

impl EventSource for Script {
    fn next_event(&mut self) -> Option<AppEvent> {
        self.held_when_asked.push(self.held.borrow().is_some());
        match self.steps.pop_front()? {
            Step::Event(event) => Some(event),
            Step::Release => {
                let effect = self.held.borrow_mut().take().expect("a load to release");
                let stores = MemoryStores::new(StoreKind::Keyutils);
                perform(effect, &stores, &self.config).map(AppEvent::Effect)
            }
        }
    }
}

fn ctrl_c() -> AppEvent {
    AppEvent::Input(Event::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )))
}

fn loading_wizard(config: &Path) -> Wizard {
    Wizard::loading(Catalog::builtin(), &config.display().to_string(), NOW)
}

/// Runs `wizard` through `steps` on an 80x24 terminal; the outcome, every byte sent,
/// and whether the load was held at each step.
fn run_loading(
    wizard: &mut Wizard,
    config: &Path,
    steps: Vec<Step>,
) -> (Outcome, String, Vec<bool>) {
    let size = FixedSize::new(80, 24);
    let mut terminal = Terminal::new(TerminalOutput::with_size(Vec::new(), &size, false)).unwrap();
    let held = Rc::new(RefCell::new(None));
    let mut runner = HoldingRunner {
        inline: InlineRunner {
            stores: Arc::new(MemoryStores::new(StoreKind::Keyutils)),
            path: config.to_owned(),
        },
        held: Rc::clone(&held),
    };
    let mut script = Script {
        steps: steps.into(),
        held,
        config: config.to_owned(),
        held_when_asked: Vec::new(),
    };
    let outcome = run(
        &mut terminal,
        wizard,
        &mut script,
        &mut runner,
        Theme::default(),
    )
    .unwrap();
    let written = String::from_utf8_lossy(terminal.backend().writer()).into_owned();
    (outcome, written, script.held_when_asked)
}

/// A config with one integration, written where the tests read it.
fn config_file(dir: &Path) -> PathBuf {
    let config = dir.join("integrations.yaml");
    let document = crate::test_support::loaded_document(StoreKind::Keyutils, true);
    std::fs::write(&config, crate::config::render_document(&document).unwrap()).unwrap();
    config
}

#[test]
fn the_first_frame_says_it_reads_before_the_load_lands_then_the_wizard_is_the_loaded_one() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(dir.path());
    let mut wizard = loading_wizard(&config);
    let steps = vec![Step::Release, Step::Event(ctrl_c())];
    let (outcome, written, held) = run_loading(&mut wizard, &config, steps);
    assert!(held[0], "the loop waited for events with the load held");
    let reading = written
        .find("Reading ")
        .expect("the first frame says it reads");
    let platform = written
        .find("Choose the contact-center platform")
        .expect("the first step once loaded");
    assert!(reading < platform, "{written}");
    assert!(!wizard.is_loading());
    assert_eq!(wizard.forms().len(), 1, "the file's integration is there");
    assert!(wizard.loaded_hash().is_some(), "the text it was built from");
    assert_eq!(outcome, Outcome::Cancelled, "nothing changed: Ctrl-C quits");
}

#[test]
fn ctrl_c_while_reading_ends_at_once_writing_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(dir.path());
    let before = std::fs::read(&config).unwrap();
    let mut wizard = loading_wizard(&config);
    let (outcome, written, _) = run_loading(&mut wizard, &config, vec![Step::Event(ctrl_c())]);
    assert_eq!(outcome, Outcome::Cancelled);
    assert!(written.contains("Reading "), "{written}");
    assert!(crate::io::draft_file::read(&config).unwrap().is_none());
    assert_eq!(
        std::fs::read(&config).unwrap(),
        before,
        "the file untouched"
    );
}

#[test]
fn a_signal_or_hangup_while_reading_ends_with_it_keeping_no_draft() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(dir.path());
    for (event, how) in [
        (
            AppEvent::Signal(Signal::Terminate(15)),
            Interrupt::Signal(15),
        ),
        (AppEvent::Signal(Signal::HangUp), Interrupt::HangUp),
        (AppEvent::InputClosed, Interrupt::HangUp),
    ] {
        let mut wizard = loading_wizard(&config);
        let (outcome, _, _) = run_loading(&mut wizard, &config, vec![Step::Event(event)]);
        assert_eq!(outcome, Outcome::Interrupted(how));
        assert!(crate::io::draft_file::read(&config).unwrap().is_none());
    }
}

#[test]
fn keys_while_reading_do_nothing_and_a_refused_file_ends_the_session_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("integrations.yaml");
    std::fs::write(&config, "version: 2\nintegrations: [1]\n").unwrap();
    let mut wizard = loading_wizard(&config);
    let enter = AppEvent::Input(Event::Key(KeyCode::Enter.into()));
    let steps = vec![Step::Event(enter), Step::Release];
    let (outcome, _, _) = run_loading(&mut wizard, &config, steps);
    let Outcome::Refused(why) = outcome else {
        panic!("refused: {outcome:?}");
    };
    let inline = crate::commands::load_document(&config, &Catalog::builtin(), NOW).unwrap_err();
    assert_eq!(why, inline, "the same refusal an inline load gives");
}

#[test]
fn read_only_and_its_notice_survive_the_load_and_no_draft_is_looked_up() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(dir.path());
    let mut wizard = loading_wizard(&config);
    wizard.update(Msg::Startup(Startup::ReadOnly("alice edits it".into())));
    let Some(Effect::LoadConfig { read_only, .. }) = wizard.start().into_iter().next() else {
        panic!("the load comes first");
    };
    assert!(read_only);
    let (_, written, _) = run_loading(
        &mut wizard,
        &config,
        vec![Step::Release, Step::Event(ctrl_c())],
    );
    assert!(written.contains("READ-ONLY"), "{written}");
    assert_eq!(wizard.read_only(), Some("alice edits it"));
    assert_eq!(wizard.forms().len(), 1);
}

#[test]
fn a_draft_left_beside_a_file_read_later_is_offered_once_it_lands() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(dir.path());
    // What a session over the same file left when it was cut short.
    let real = crate::io::config_file::real_path_or_given(&config);
    let loaded = crate::io::config_load::load(&real, &Catalog::builtin(), NOW, false).unwrap();
    let snapshot = crate::config::draft::Snapshot {
        version: crate::config::draft::DRAFT_VERSION,
        namespace: Some(loaded.identity.namespace.clone()),
        platform: "ringcentral-v1".into(),
        confirmed: Vec::new(),
        at: crate::config::draft::Position::Platform,
        integrations: Vec::new(),
        removed: Vec::new(),
        secrets_left_out: 0,
    };
    crate::io::draft_file::write(&real, &snapshot).unwrap();

    let mut wizard = loading_wizard(&config);
    let effect = wizard.start().remove(0);
    let msg =
        perform(effect, &MemoryStores::new(StoreKind::Keyutils), &real).expect("a load answers");
    let effects = wizard.update(msg);
    assert!(wizard.resume_offer().is_some(), "the draft is offered");
    assert!(
        effects.iter().any(|e| matches!(e, Effect::ResolveStore)),
        "what a first frame starts, started once loaded: {effects:?}"
    );
}
