//! The only place that reads crossterm key events. One table per mode maps keys to
//! actions and also yields the footer hints, so hints cannot drift from behaviour.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use secrecy::SecretString;

use crate::validate::Value;
use crate::wizard::lists::ListItem;
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
    /// What it does, for the footer (the key's name comes from `keys`, see
    /// [`label`]); `None` keeps it out of the footer.
    pub hint: Option<&'static str>,
    /// Where it acts: a binding that does nothing on what has focus neither takes
    /// the key nor shows in the footer.
    pub when: When,
}

/// What must have focus for a binding to act.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    Always,
    /// A secret field.
    OnSecret,
    /// A toggle field.
    OnToggle,
    /// A text or secret field (one that holds typed text).
    OnTyped,
    /// A list row that is an integration.
    OnIntegration,
    /// An operation list whose prerequisites are not all confirmed.
    Unconfirmed,
    /// "Quit without saving?" is asked.
    QuitAsked,
    /// A new, untouched form whose platform has another integration to copy.
    CanFill,
    /// A form with a connection test (its fields are RingCentral's) whose credentials
    /// are filled in, none running.
    Testable,
    /// The form's connection test runs (Esc cancels it instead of leaving).
    TestRunning,
    /// Neither a connection test runs nor the sub-account picker shows: Esc leaves.
    EscLeaves,
    /// The sub-account picker shows under the Sub account ID field.
    PickerOpen,
    /// It does not (the arrows and Enter move between fields).
    NoPicker,
    /// Review lists an integration that has a connection test.
    AnyTestable,
}

const fn bind(keys: &'static [Key], action: Action, hint: Option<&'static str>) -> Binding {
    Binding {
        keys,
        action,
        hint,
        when: When::Always,
    }
}

const fn bind_when(
    keys: &'static [Key],
    action: Action,
    hint: Option<&'static str>,
    when: When,
) -> Binding {
    Binding {
        keys,
        action,
        hint,
        when,
    }
}

const PREV: &[Key] = &[key(KeyCode::BackTab), key(KeyCode::Up)];
const ENTER: &[Key] = &[key(KeyCode::Enter)];
const ESC: &[Key] = &[key(KeyCode::Esc)];
const HELP: &[Key] = &[key(KeyCode::F(1))];
const QUIT: &[Key] = &[ctrl('c')];

/// Down first: a list's footer says "↑↓" (see [`label`]).
const LIST_NEXT: &[Key] = &[key(KeyCode::Down), key(KeyCode::Tab)];

const LIST: &[Binding] = &[
    bind(LIST_NEXT, Action::Next, Some("move")),
    bind(PREV, Action::Prev, None),
    bind(ENTER, Action::Enter, Some("choose")),
    bind(ESC, Action::Back, Some("back")),
    bind(&[key(KeyCode::Home)], Action::First, None),
    bind(&[key(KeyCode::End)], Action::Last, None),
    bind(&[key(KeyCode::PageUp)], Action::PageUp, None),
    bind(&[key(KeyCode::PageDown)], Action::PageDown, None),
    bind(HELP, Action::Help, Some("help")),
    bind(QUIT, Action::Quit, Some("quit")),
];

const OPERATION: &[Binding] = &[
    bind_when(
        &[ch('d'), ch('D'), key(KeyCode::Delete)],
        Action::Delete,
        Some("delete"),
        When::OnIntegration,
    ),
    bind_when(
        &[ch('y'), ch('Y')],
        Action::Yes,
        Some("confirm"),
        When::Unconfirmed,
    ),
];

/// The connection test's key, on a form and on Review.
const TEST: &[Key] = &[ctrl('t')];

const FORM: &[Binding] = &[
    bind_when(
        &[key(KeyCode::Down)],
        Action::PickNext,
        Some("sub-accounts"),
        When::PickerOpen,
    ),
    bind_when(
        &[key(KeyCode::Up)],
        Action::PickPrev,
        None,
        When::PickerOpen,
    ),
    bind_when(ENTER, Action::Pick, Some("pick"), When::PickerOpen),
    bind_when(
        ESC,
        Action::ClosePicker,
        Some("close list"),
        When::PickerOpen,
    ),
    bind_when(
        ESC,
        Action::CancelTest,
        Some("cancel test"),
        When::TestRunning,
    ),
    // Tab always moves between fields; the arrows pick while the picker shows.
    bind(&[key(KeyCode::Tab)], Action::Next, Some("next")),
    bind_when(&[key(KeyCode::Down)], Action::Next, None, When::NoPicker),
    bind(&[key(KeyCode::BackTab)], Action::Prev, None),
    bind_when(&[key(KeyCode::Up)], Action::Prev, None, When::NoPicker),
    bind_when(ENTER, Action::Enter, Some("next/finish"), When::NoPicker),
    bind_when(ESC, Action::Back, Some("back"), When::EscLeaves),
    bind_when(TEST, Action::TestConnection, Some("test"), When::Testable),
    bind_when(&[ctrl('r')], Action::Reveal, Some("reveal"), When::OnSecret),
    bind_when(&[ch(' ')], Action::Toggle, Some("switch"), When::OnToggle),
    bind_when(&[ctrl('f')], Action::FillFrom, Some("fill"), When::CanFill),
    bind_when(&[ctrl('u')], Action::Clear, Some("clear"), When::OnTyped),
    bind(&[key(KeyCode::PageUp)], Action::PageUp, None),
    bind(&[key(KeyCode::PageDown)], Action::PageDown, None),
    bind(HELP, Action::Help, Some("help")),
    bind(QUIT, Action::Quit, Some("quit")),
];

const STORE_GATE: &[Binding] = &[
    bind(
        &[key(KeyCode::Enter), ch('y'), ch('Y')],
        Action::Yes,
        Some("continue"),
    ),
    bind(&[ch('r'), ch('R')], Action::Retry, Some("check again")),
    bind(ESC, Action::Back, Some("back")),
    bind(QUIT, Action::Quit, Some("quit")),
];

const REVIEW: &[Binding] = &[
    bind(&[ctrl('s')], Action::Save, Some("save")),
    bind_when(
        TEST,
        Action::TestConnection,
        Some("test all"),
        When::AnyTestable,
    ),
    bind(ESC, Action::Back, Some("back")),
    bind(&[key(KeyCode::Down)], Action::Next, Some("scroll")),
    bind(&[key(KeyCode::Up)], Action::Prev, None),
    bind(&[key(KeyCode::PageDown)], Action::PageDown, None),
    bind(&[key(KeyCode::PageUp)], Action::PageUp, None),
    bind(&[key(KeyCode::Home)], Action::First, None),
    bind(&[key(KeyCode::End)], Action::Last, None),
    bind(HELP, Action::Help, Some("help")),
    bind(QUIT, Action::Quit, Some("quit")),
];

const SAVING: &[Binding] = &[bind(QUIT, Action::Quit, Some("quit"))];

const SAVE_FAILED: &[Binding] = &[
    bind(
        &[key(KeyCode::Enter), ctrl('s')],
        Action::Save,
        Some("try again"),
    ),
    bind(ESC, Action::Back, Some("back to review")),
    bind(QUIT, Action::Quit, Some("quit")),
];

const DONE: &[Binding] = &[
    bind(
        &[key(KeyCode::Enter), key(KeyCode::Esc), ctrl('c')],
        Action::Enter,
        Some("finish"),
    ),
    bind(&[ch('a')], Action::WriteAnswers, Some("write answers file")),
];

const HELP_OVERLAY: &[Binding] = &[
    bind(
        &[key(KeyCode::Esc), key(KeyCode::Enter), key(KeyCode::F(1))],
        Action::Back,
        Some("close"),
    ),
    bind(&[key(KeyCode::Down)], Action::Next, Some("scroll")),
    bind(&[key(KeyCode::Up)], Action::Prev, None),
    bind(&[key(KeyCode::PageDown)], Action::PageDown, None),
    bind(&[key(KeyCode::PageUp)], Action::PageUp, None),
    bind(&[key(KeyCode::Home)], Action::First, None),
    bind(&[key(KeyCode::End)], Action::Last, None),
    bind(QUIT, Action::Quit, None),
];

const CONFIRM: &[Binding] = &[
    bind(&[ch('y'), ch('Y')], Action::Yes, Some("yes")),
    bind_when(
        &[ch('k'), ch('K')],
        Action::Keep,
        Some("quit, keep draft"),
        When::QuitAsked,
    ),
    bind(
        &[ch('n'), ch('N'), key(KeyCode::Esc)],
        Action::No,
        Some("no"),
    ),
    bind(QUIT, Action::Quit, None),
];

const RESUME: &[Binding] = &[
    bind(
        &[ch('r'), ch('R'), key(KeyCode::Enter)],
        Action::Yes,
        Some("resume"),
    ),
    bind(&[ch('d'), ch('D')], Action::Delete, Some("discard")),
    bind(QUIT, Action::Quit, Some("quit, keep the draft")),
];

/// Whether what has focus in `wizard` is where a binding with `when` acts.
fn applies(wizard: &Wizard, when: When) -> bool {
    let value = match *wizard.step() {
        Step::Form {
            form: draft, focus, ..
        } => Some(wizard.forms()[draft].value(focus)),
        _ => None,
    };
    match when {
        When::Always => true,
        When::OnSecret => matches!(value, Some(Value::Secret { .. })),
        When::OnToggle => matches!(value, Some(Value::Toggle(_))),
        When::OnTyped => matches!(value, Some(Value::Secret { .. } | Value::Text(_))),
        When::OnIntegration => match *wizard.step() {
            Step::Operation { op, selected } => matches!(
                wizard.list_items(op).get(selected),
                Some(ListItem::Integration(_))
            ),
            _ => false,
        },
        When::QuitAsked => wizard.overlay() == Some(&Overlay::ConfirmQuit),
        When::CanFill => match *wizard.step() {
            Step::Form { form, .. } => wizard.fill_source(form).is_some(),
            _ => false,
        },
        When::Testable => match *wizard.step() {
            Step::Form { form, .. } => wizard.test_ready(form),
            _ => false,
        },
        When::TestRunning | When::EscLeaves => {
            let running = match *wizard.step() {
                Step::Form { form, .. } => wizard.test_running(form),
                _ => false,
            };
            if when == When::TestRunning {
                running
            } else {
                !running && wizard.sub_account_picker().is_none()
            }
        }
        When::PickerOpen => wizard.sub_account_picker().is_some(),
        When::NoPicker => wizard.sub_account_picker().is_none(),
        When::AnyTestable => (0..wizard.forms().len()).any(|i| wizard.testable(i)),
        When::Unconfirmed => match *wizard.step() {
            Step::Operation { op, .. } => !wizard.unconfirmed(op).is_empty(),
            _ => false,
        },
    }
}

/// The bindings that act on `wizard` as it is, most specific first.
pub fn active_bindings(wizard: &Wizard) -> Vec<&'static Binding> {
    bindings(mode(wizard))
        .into_iter()
        .filter(|b| applies(wizard, b.when))
        .collect()
}

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

/// The footer hints for `wizard` as it is: (key, what it does), in table order,
/// only for keys that act on what has focus. Each key's name comes from its binding.
pub fn hints(wizard: &Wizard) -> Vec<(String, &'static str)> {
    let mut active = active_bindings(wizard);
    // While the file is read only quitting acts.
    if wizard.is_loading() {
        active.retain(|b| b.action == Action::Quit);
    }
    let up_is_prev = active.iter().any(|b| {
        matches!(b.action, Action::Prev | Action::PickPrev) && b.keys.contains(&key(KeyCode::Up))
    });
    let mut out: Vec<_> = active
        .iter()
        .filter_map(|b| b.hint.map(|what| (b.when, label(b.keys, up_is_prev), what)))
        .collect();
    // Keys that always act first, quit last among them; then the ones that depend on
    // focus. A focus change then repaints only the footer's tail: a few bytes.
    // (Moving between fields and Esc's "back" lead whenever they act.)
    let leads = |when: When| matches!(when, When::Always | When::NoPicker | When::EscLeaves);
    out.sort_by_key(|(when, key, _)| (!leads(*when), key == "Ctrl-C"));
    out.into_iter().map(|(_, key, what)| (key, what)).collect()
}

/// The name a hint gives a binding: its first key's, or "↑↓" for Down when Up goes
/// the other way.
pub fn label(keys: &[Key], up_is_prev: bool) -> String {
    match keys.first() {
        Some(k) if *k == key(KeyCode::Down) && up_is_prev => "↑↓".to_owned(),
        Some(k) => key_name(*k),
        None => String::new(),
    }
}

/// "Ctrl-S", "Enter", "F1", "y", "Space".
pub fn key_name(key: Key) -> String {
    match key.code {
        KeyCode::Char(' ') => "Space".to_owned(),
        KeyCode::Char(c) if key.mods.contains(KeyModifiers::CONTROL) => {
            format!("Ctrl-{}", c.to_ascii_uppercase())
        }
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "Enter".to_owned(),
        KeyCode::Esc => "Esc".to_owned(),
        KeyCode::Tab => "Tab".to_owned(),
        KeyCode::BackTab => "Shift-Tab".to_owned(),
        KeyCode::Delete => "Delete".to_owned(),
        KeyCode::Up => "↑".to_owned(),
        KeyCode::Down => "↓".to_owned(),
        KeyCode::Home => "Home".to_owned(),
        KeyCode::End => "End".to_owned(),
        KeyCode::PageUp => "PgUp".to_owned(),
        KeyCode::PageDown => "PgDn".to_owned(),
        KeyCode::F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    }
}

/// `text` with the keys it names by action (see `wizard::view::name_keys`) named as
/// the full-screen wizard binds them.
pub fn name_keys(text: &str) -> String {
    crate::wizard::view::name_keys(text, key_for)
}

/// The name of the key that does `action` in the full-screen wizard, for sentences
/// that name a key (notices, help).
pub fn key_for(action: Action) -> String {
    [
        REVIEW,
        OPERATION,
        LIST,
        FORM,
        STORE_GATE,
        SAVE_FAILED,
        CONFIRM,
    ]
    .iter()
    .flat_map(|t| t.iter())
    .find(|b| b.action == action)
    .map_or_else(String::new, |b| label(b.keys, false))
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
/// Ctrl-Z are the loop's own), and the key that quits keeping the draft once that
/// screen asks "Quit without saving?" (it names that key). Nothing else may change
/// what the operator cannot see.
pub fn acts_behind_too_small(wizard: &Wizard, event: &Event) -> bool {
    let Event::Key(key) = event else {
        return false;
    };
    if key.kind == KeyEventKind::Release {
        return false;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return matches!(key.code, KeyCode::Char('c' | 'C'));
    }
    wizard.overlay() == Some(&Overlay::ConfirmQuit)
        && matches!(
            key_to_msg(wizard, *key),
            Some(Msg::Act(crate::wizard::Action::Keep))
        )
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
    if let Some(binding) = active_bindings(wizard)
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
    let Step::Form {
        form: draft, focus, ..
    } = *wizard.step()
    else {
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
