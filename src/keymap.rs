//! The only place that reads crossterm key events. One table per mode maps keys to
//! actions and also yields the footer hints, so hints cannot drift from behaviour.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use secrecy::SecretString;

use crate::validate::Value;
use crate::wizard::{Action, InputRequest, Layer, Msg, Overlay, Step, Wizard};

/// Which table applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Platform,
    Operation,
    Form,
    StoreGate,
    Review,
    Saving,
    SaveFailed,
    Done,
    Help,
    Confirm,
    /// The offer to resume or discard a draft from an earlier session.
    Resume,
}

impl Mode {
    pub const ALL: [Mode; 11] = [
        Mode::Platform,
        Mode::Operation,
        Mode::Form,
        Mode::StoreGate,
        Mode::Review,
        Mode::Saving,
        Mode::SaveFailed,
        Mode::Done,
        Mode::Help,
        Mode::Confirm,
        Mode::Resume,
    ];
}

pub fn mode(wizard: &Wizard) -> Mode {
    match wizard.layer() {
        Layer::ResumeOffer(_) => Mode::Resume,
        Layer::Overlay(Overlay::Help { .. }) => Mode::Help,
        Layer::Overlay(_) => Mode::Confirm,
        Layer::Step(Step::Platform { .. }) => Mode::Platform,
        Layer::Step(Step::Operation { .. }) => Mode::Operation,
        Layer::Step(Step::Form { .. }) => Mode::Form,
        Layer::Step(Step::StoreGate { .. }) => Mode::StoreGate,
        Layer::Step(Step::Review { .. }) => Mode::Review,
        Layer::Step(Step::Saving) => Mode::Saving,
        Layer::Step(Step::SaveFailed { .. }) => Mode::SaveFailed,
        Layer::Step(Step::Done(_)) => Mode::Done,
    }
}

/// A key with its modifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const fn key(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

const fn ch(c: char) -> Key {
    key(KeyCode::Char(c))
}

pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
    /// (key label, what it does) for the footer; `None` keeps it out of the footer.
    pub hint: Option<(&'static str, &'static str)>,
}

const fn bind(
    keys: &'static [Key],
    action: Action,
    hint: Option<(&'static str, &'static str)>,
) -> Binding {
    Binding { keys, action, hint }
}

const NEXT: &[Key] = &[key(KeyCode::Tab), key(KeyCode::Down)];
const PREV: &[Key] = &[key(KeyCode::BackTab), key(KeyCode::Up)];
const ENTER: &[Key] = &[key(KeyCode::Enter)];
const ESC: &[Key] = &[key(KeyCode::Esc)];
const HELP: &[Key] = &[key(KeyCode::F(1))];
const QUIT: &[Key] = &[ctrl('c')];

const LIST: &[Binding] = &[
    bind(NEXT, Action::Next, Some(("↑↓", "move"))),
    bind(PREV, Action::Prev, None),
    bind(ENTER, Action::Enter, Some(("Enter", "choose"))),
    bind(ESC, Action::Back, Some(("Esc", "back"))),
    bind(&[key(KeyCode::Home)], Action::First, None),
    bind(&[key(KeyCode::End)], Action::Last, None),
    bind(&[key(KeyCode::PageUp)], Action::PageUp, None),
    bind(&[key(KeyCode::PageDown)], Action::PageDown, None),
    bind(HELP, Action::Help, Some(("F1", "help"))),
    bind(QUIT, Action::Quit, Some(("Ctrl-C", "quit"))),
];

const OPERATION: &[Binding] = &[
    bind(
        &[ch('d'), ch('D'), key(KeyCode::Delete)],
        Action::Delete,
        Some(("d", "delete")),
    ),
    bind(&[ch('y'), ch('Y')], Action::Yes, None),
];

const FORM: &[Binding] = &[
    bind(NEXT, Action::Next, Some(("Tab", "next"))),
    bind(PREV, Action::Prev, None),
    bind(ENTER, Action::Enter, Some(("Enter", "next/finish"))),
    bind(ESC, Action::Back, Some(("Esc", "back"))),
    bind(&[ctrl('r')], Action::Reveal, Some(("Ctrl-R", "reveal"))),
    bind(&[key(KeyCode::PageUp)], Action::PageUp, None),
    bind(&[key(KeyCode::PageDown)], Action::PageDown, None),
    bind(HELP, Action::Help, Some(("F1", "help"))),
    bind(QUIT, Action::Quit, Some(("Ctrl-C", "quit"))),
];

const STORE_GATE: &[Binding] = &[
    bind(
        &[key(KeyCode::Enter), ch('y'), ch('Y')],
        Action::Yes,
        Some(("Enter", "continue")),
    ),
    bind(
        &[ch('r'), ch('R')],
        Action::Retry,
        Some(("r", "check again")),
    ),
    bind(ESC, Action::Back, Some(("Esc", "back"))),
    bind(QUIT, Action::Quit, Some(("Ctrl-C", "quit"))),
];

const REVIEW: &[Binding] = &[
    bind(&[ctrl('s')], Action::Save, Some(("Ctrl-S", "save"))),
    bind(ESC, Action::Back, Some(("Esc", "back"))),
    bind(&[key(KeyCode::Down)], Action::Next, Some(("↑↓", "scroll"))),
    bind(&[key(KeyCode::Up)], Action::Prev, None),
    bind(&[key(KeyCode::PageDown)], Action::PageDown, None),
    bind(&[key(KeyCode::PageUp)], Action::PageUp, None),
    bind(&[key(KeyCode::Home)], Action::First, None),
    bind(&[key(KeyCode::End)], Action::Last, None),
    bind(HELP, Action::Help, Some(("F1", "help"))),
    bind(QUIT, Action::Quit, Some(("Ctrl-C", "quit"))),
];

const SAVING: &[Binding] = &[bind(QUIT, Action::Quit, Some(("Ctrl-C", "quit")))];

const SAVE_FAILED: &[Binding] = &[
    bind(
        &[key(KeyCode::Enter), ctrl('s')],
        Action::Save,
        Some(("Enter", "try again")),
    ),
    bind(ESC, Action::Back, Some(("Esc", "back to review"))),
    bind(QUIT, Action::Quit, Some(("Ctrl-C", "quit"))),
];

const DONE: &[Binding] = &[bind(
    &[key(KeyCode::Enter), key(KeyCode::Esc), ctrl('c')],
    Action::Enter,
    Some(("Enter", "finish")),
)];

const HELP_OVERLAY: &[Binding] = &[
    bind(
        &[key(KeyCode::Esc), key(KeyCode::Enter), key(KeyCode::F(1))],
        Action::Back,
        Some(("Esc", "close")),
    ),
    bind(QUIT, Action::Quit, None),
];

const CONFIRM: &[Binding] = &[
    bind(&[ch('y'), ch('Y')], Action::Yes, Some(("y", "yes"))),
    bind(
        &[ch('n'), ch('N'), key(KeyCode::Esc)],
        Action::No,
        Some(("n", "no")),
    ),
    bind(QUIT, Action::Quit, None),
];

const RESUME: &[Binding] = &[
    bind(
        &[ch('r'), ch('R'), key(KeyCode::Enter)],
        Action::Yes,
        Some(("r", "resume")),
    ),
    bind(&[ch('d'), ch('D')], Action::Delete, Some(("d", "discard"))),
    bind(QUIT, Action::Quit, Some(("Ctrl-C", "quit, keep the draft"))),
];

/// The bindings of a mode, most specific first.
pub fn bindings(mode: Mode) -> Vec<&'static Binding> {
    let tables: &[&'static [Binding]] = match mode {
        Mode::Platform => &[LIST],
        Mode::Operation => &[OPERATION, LIST],
        Mode::Form => &[FORM],
        Mode::StoreGate => &[STORE_GATE],
        Mode::Review => &[REVIEW],
        Mode::Saving => &[SAVING],
        Mode::SaveFailed => &[SAVE_FAILED],
        Mode::Done => &[DONE],
        Mode::Help => &[HELP_OVERLAY],
        Mode::Confirm => &[CONFIRM],
        Mode::Resume => &[RESUME],
    };
    tables.iter().flat_map(|t| t.iter()).collect()
}

/// The footer hints of a mode, in order.
pub fn hints(mode: Mode) -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<_> = bindings(mode).iter().filter_map(|b| b.hint).collect();
    if mode == Mode::Operation {
        // The list's own "Esc back" etc. follow the operation's extra keys; keep quit last.
        out.sort_by_key(|(k, _)| *k == "Ctrl-C");
    }
    out
}

/// Ctrl-Z, which in raw mode arrives as a key rather than as SIGTSTP: the loop
/// suspends the program, whatever the wizard shows.
pub fn is_suspend(event: &Event) -> bool {
    matches!(event, Event::Key(key)
        if key.kind != KeyEventKind::Release
            && key.modifiers.contains(KeyModifiers::CONTROL)
            && matches!(key.code, KeyCode::Char('z' | 'Z')))
}

/// Whether `event` may act while only "terminal too small" is shown: Ctrl-C (resize and
/// Ctrl-Z are the loop's own). Nothing else may change what the operator cannot see.
pub fn acts_behind_too_small(event: &Event) -> bool {
    matches!(event, Event::Key(key)
        if key.kind != KeyEventKind::Release
            && key.modifiers.contains(KeyModifiers::CONTROL)
            && matches!(key.code, KeyCode::Char('c' | 'C')))
}

/// Translates a terminal event into a message for the wizard, if it means anything now.
pub fn to_msg(wizard: &Wizard, event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) => key_to_msg(wizard, key),
        Event::Paste(text) if mode(wizard) == Mode::Form => {
            Some(Msg::Paste(SecretString::from(text)))
        }
        _ => None,
    }
}

fn key_to_msg(wizard: &Wizard, event: KeyEvent) -> Option<Msg> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let pressed = normalize(Key {
        code: event.code,
        mods: event.modifiers,
    });
    let mode = mode(wizard);
    if let Some(binding) = bindings(mode)
        .into_iter()
        .find(|b| b.keys.contains(&pressed))
    {
        return Some(Msg::Act(binding.action));
    }
    if mode == Mode::Form {
        return form_key(wizard, pressed);
    }
    None
}

/// Terminals send Backspace as DEL or Ctrl-H and Enter as CR or LF; letters may carry
/// Shift. Fold these so each table lists a key once.
fn normalize(key: Key) -> Key {
    let mods = key.mods - KeyModifiers::SHIFT;
    match (key.code, mods) {
        (KeyCode::Char('h'), KeyModifiers::CONTROL) => self::key(KeyCode::Backspace),
        (KeyCode::Char('j'), KeyModifiers::CONTROL) => self::key(KeyCode::Enter),
        (KeyCode::Char(c), m) if m.contains(KeyModifiers::CONTROL) => Key {
            code: KeyCode::Char(c.to_ascii_lowercase()),
            mods: m,
        },
        (KeyCode::Char(_) | KeyCode::BackTab, m) => Key {
            code: key.code,
            mods: m,
        },
        _ => key,
    }
}

/// Keys that edit the focused field.
fn form_key(wizard: &Wizard, key: Key) -> Option<Msg> {
    let Step::Form { draft, focus, .. } = *wizard.step() else {
        return None;
    };
    let on_toggle = matches!(wizard.forms()[draft].value(focus), Value::Toggle(_));
    let request = match (key.code, key.mods) {
        (KeyCode::Char(' '), m) if on_toggle && !m.contains(KeyModifiers::CONTROL) => {
            return Some(Msg::Act(Action::Toggle));
        }
        (KeyCode::Char(c), m) if !m.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => {
            InputRequest::InsertChar(c)
        }
        (KeyCode::Backspace, _) => InputRequest::DeletePrevChar,
        (KeyCode::Delete, _) => InputRequest::DeleteNextChar,
        (KeyCode::Left, _) => InputRequest::GoToPrevChar,
        (KeyCode::Right, _) => InputRequest::GoToNextChar,
        (KeyCode::Home, _) | (KeyCode::Char('a'), KeyModifiers::CONTROL) => InputRequest::GoToStart,
        (KeyCode::End, _) | (KeyCode::Char('e'), KeyModifiers::CONTROL) => InputRequest::GoToEnd,
        (KeyCode::Char('u'), KeyModifiers::CONTROL) => InputRequest::DeleteLine,
        (KeyCode::Char('w'), KeyModifiers::CONTROL) => InputRequest::DeletePrevWord,
        _ => return None,
    };
    if on_toggle {
        return None;
    }
    Some(Msg::Edit(request))
}

#[cfg(test)]
mod tests;
