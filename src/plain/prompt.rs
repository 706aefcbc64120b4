//! What plain mode asks next and what an answer means to the wizard. Pure: it reads
//! the wizard and returns text and messages; the loop in `plain.rs` does the talking.
//!
//! Steps and overlays are read with `if let` rather than an exhaustive `match`, so a
//! step or overlay added to the engine later still gets a generic yes/no question
//! here (its notice as the text) instead of breaking plain mode.

use secrecy::{ExposeSecret, SecretString};

use super::text;
use crate::wizard::lists::ListItem;
use crate::wizard::{Action, Effect, FieldState, InputRequest, Level, Msg, Overlay, Step, Wizard};

/// What the operator typed in answer to a question.
#[derive(Debug)]
pub enum Answer {
    Text(String),
    /// Typed without echo.
    Secret(SecretString),
    /// Input that could not be taken as typed (why, and that nothing changed).
    Unreadable(String),
    /// Ctrl-C while reading a secret (elsewhere the cooked terminal sends SIGINT).
    Interrupted,
    /// End of input (Ctrl-D, or the terminal went away).
    End,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldInput {
    Text,
    Toggle,
    Secret,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Choose one of `count` rows; Enter alone picks `selected`.
    List {
        count: usize,
        selected: usize,
        operation: Option<usize>,
    },
    Field {
        draft: usize,
        focus: usize,
        input: FieldInput,
    },
    Review,
    Retry,
    YesNo,
    /// A step or overlay this front end does not know: y, n or Enter.
    Generic,
    /// Nothing to ask: show the text, then act for the operator (close help, finish).
    Show(Action),
    /// Nothing to ask until an effect answers.
    Wait,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// Printed when it differs from the intro printed last (a list, a form's title).
    pub intro: Vec<String>,
    /// Printed every time the question is asked.
    pub before: Vec<String>,
    pub prompt: String,
    pub kind: Kind,
}

impl Question {
    pub fn secret(&self) -> bool {
        matches!(
            self.kind,
            Kind::Field {
                input: FieldInput::Secret,
                ..
            }
        )
    }
}

/// What to do with an answer: messages for the wizard, then, for a form field, check
/// the field and move on only if it is valid.
#[derive(Debug, Default)]
pub struct Response {
    pub msgs: Vec<Msg>,
    pub say: Vec<String>,
    pub check: Option<(usize, usize)>,
}

impl Response {
    fn of(msgs: Vec<Msg>) -> Response {
        Response {
            msgs,
            ..Response::default()
        }
    }
}

pub const GUIDE: &str = "Answer each question and press Enter. Enter alone keeps the value in \
[brackets]; - clears it; ? shows help; < goes back (what Esc does in the full-screen wizard); \
Ctrl-D quits.";

/// A line to show while an effect runs, for the effects that take a moment.
pub fn effect_note(effect: &Effect) -> Option<&'static str> {
    if matches!(effect, Effect::ResolveStore) {
        Some("Checking which secret store to use...")
    } else if matches!(effect, Effect::Save(_)) {
        Some("Saving: storing secrets, then writing the file...")
    } else {
        None
    }
}

/// A notice as a line: errors say so in words, not colour.
pub fn notice_line(wizard: &Wizard) -> Option<String> {
    wizard.notice.as_ref().map(|n| match n.level {
        Level::Error => format!("Error: {}", n.text),
        Level::Info => n.text.clone(),
    })
}

pub fn question(wizard: &Wizard) -> Question {
    if let Some(overlay) = &wizard.overlay {
        return overlay_question(wizard, overlay);
    }
    let step = &wizard.step;
    if let Step::Platform { selected } = step {
        platform_question(wizard, *selected)
    } else if let Step::Operation { op, selected } = step {
        operation_question(wizard, *op, *selected)
    } else if let Step::Form { draft, focus, .. } = step {
        field_question(wizard, *draft, *focus)
    } else if let Step::Review { .. } = step {
        ask(
            text::review(wizard),
            "Type s to save, < to go back: ",
            Kind::Review,
        )
    } else if let Step::Saving = step {
        ask(Vec::new(), "", Kind::Wait)
    } else if let Step::SaveFailed { reason } = step {
        ask(
            vec![
                "Not saved.".into(),
                reason.clone(),
                "Enter tries again once you have fixed the cause; < goes back to Review. \
                 Your answers are kept."
                    .into(),
            ],
            "Try again? [Enter]: ",
            Kind::Retry,
        )
    } else if let Step::Done(_) = step {
        // The outcome line is printed by the caller, as for the full-screen wizard.
        ask(Vec::new(), "", Kind::Show(Action::Enter))
    } else {
        generic(wizard, &format!("{step:?}"))
    }
}

fn ask(intro: Vec<String>, prompt: &str, kind: Kind) -> Question {
    Question {
        intro,
        before: Vec::new(),
        prompt: prompt.to_owned(),
        kind,
    }
}

fn generic(wizard: &Wizard, what: &str) -> Question {
    let text = wizard.notice.as_ref().map_or_else(
        || format!("The wizard is at a step plain mode does not know: {what}."),
        |n| n.text.clone(),
    );
    ask(vec![text], "y, n, or Enter to go on: ", Kind::Generic)
}

fn overlay_question(wizard: &Wizard, overlay: &Overlay) -> Question {
    if let Overlay::Help { title, text } = overlay {
        ask(
            vec![format!("Help: {title}"), text.clone()],
            "",
            Kind::Show(Action::Back),
        )
    } else if let Overlay::ConfirmQuit = overlay {
        ask(
            vec![
                "Quit without saving? Changes made in this session are not written anywhere."
                    .into(),
            ],
            "y quits, n stays [n]: ",
            Kind::YesNo,
        )
    } else if let Overlay::ConfirmDelete { draft } = overlay {
        ask(
            vec![format!(
                "Delete {}? It disappears from the file and its keyring entries are removed \
                 when you save.",
                wizard.draft_name(*draft)
            )],
            "y deletes, n keeps it [n]: ",
            Kind::YesNo,
        )
    } else {
        generic(wizard, &format!("{overlay:?}"))
    }
}

fn platform_question(wizard: &Wizard, selected: usize) -> Question {
    let mut intro = vec!["Choose the contact-center platform to configure.".to_owned()];
    for index in 0..wizard.catalog.platforms.len() {
        intro.push(text::numbered(index, &text::platform_row(wizard, index)));
    }
    ask(
        intro,
        &format!("Platform [{}]: ", selected + 1),
        Kind::List {
            count: wizard.catalog.platforms.len(),
            selected,
            operation: None,
        },
    )
}

fn operation_question(wizard: &Wizard, op: usize, selected: usize) -> Question {
    let operation = wizard.operation(op);
    let mut intro = vec![format!(
        "{} - {}",
        operation.label,
        wizard.current_platform().label
    )];
    for prerequisite in wizard.unconfirmed(op) {
        intro.push(prerequisite.text.clone());
        intro.push(format!(
            "{} Press y once it is configured.",
            prerequisite.question
        ));
    }
    if let Some(requirement) = wizard.missing_requirement(op) {
        let label = wizard
            .current_platform()
            .operation(&requirement.operation)
            .map_or(requirement.operation.clone(), |o| o.label.clone());
        intro.push(format!("Configure {label} first: {}", requirement.why));
    }
    let items = wizard.list_items(op);
    for (index, item) in items.iter().enumerate() {
        intro.push(text::numbered(
            index,
            &text::operation_row(wizard, op, *item),
        ));
    }
    intro.push("(a number chooses; d and a number deletes an integration)".into());
    ask(
        intro,
        &format!("Choose [{}]: ", selected + 1),
        Kind::List {
            count: items.len(),
            selected,
            operation: Some(op),
        },
    )
}

fn field_question(wizard: &Wizard, draft: usize, focus: usize) -> Question {
    let d = &wizard.drafts[draft];
    let def = wizard.draft_fields(draft)[focus];
    let title = if d.original.is_some() {
        "editing"
    } else {
        "new integration"
    };
    let mut before = Vec::new();
    if d.visited[focus]
        && let Some(error) = wizard.field_check(draft, focus).error
    {
        before.push(format!("Error: {error}"));
    }
    let (prompt, input) = match &d.fields[focus] {
        FieldState::Text(value) if value.value().is_empty() => {
            (format!("{}: ", def.label), FieldInput::Text)
        }
        FieldState::Text(value) => (
            format!("{} [{}]: ", def.label, value.value()),
            FieldInput::Text,
        ),
        FieldState::Toggle(on) => (
            format!(
                "{} [{}] (y enables, n disables): ",
                def.label,
                if *on { "enabled" } else { "disabled" }
            ),
            FieldInput::Toggle,
        ),
        FieldState::Secret(secret) => {
            let state = if !secret.typed.is_empty() {
                format!(
                    "; {} chars entered, Enter keeps them",
                    secret.typed.char_count()
                )
            } else if let Some(reference) = &secret.stored {
                format!("; stored in {}, Enter keeps it", reference.store)
            } else {
                String::new()
            };
            (
                format!("{} (typing is hidden{state}): ", def.label),
                FieldInput::Secret,
            )
        }
    };
    Question {
        intro: vec![format!("{} - {title}", wizard.draft_name(draft))],
        before,
        prompt,
        kind: Kind::Field {
            draft,
            focus,
            input,
        },
    }
}

/// Turns an answer into messages, or says why it cannot be taken (nothing changes).
pub fn interpret(wizard: &Wizard, question: &Question, answer: Answer) -> Result<Response, String> {
    let text = match answer {
        Answer::Unreadable(why) => return Err(why),
        Answer::Interrupted => return Ok(Response::of(vec![Msg::Act(Action::Quit)])),
        Answer::End => {
            // Ctrl-D at "Quit without saving?" means yes: input has ended for good.
            let action = if wizard.overlay == Some(Overlay::ConfirmQuit) {
                Action::Yes
            } else {
                Action::Quit
            };
            return Ok(Response::of(vec![Msg::Act(action)]));
        }
        Answer::Secret(secret) => return secret_answer(question, &secret),
        Answer::Text(text) => text,
    };
    let word = text.trim();
    match word {
        "?" => return Ok(Response::of(vec![Msg::Act(Action::Help)])),
        "<" | "\u{1b}" => return Ok(Response::of(vec![Msg::Act(Action::Back)])),
        _ => {}
    }
    match question.kind {
        Kind::List {
            count, operation, ..
        } => list_answer(wizard, word, count, operation),
        Kind::Field {
            draft,
            focus,
            input,
        } => field_answer(wizard, draft, focus, input, &text),
        Kind::Review => match word.to_lowercase().as_str() {
            "s" | "save" => Ok(Response::of(vec![Msg::Act(Action::Save)])),
            _ => Err("Type s and Enter to save, or < to go back.".into()),
        },
        Kind::Retry => match word {
            "" | "r" => Ok(Response::of(vec![Msg::Act(Action::Enter)])),
            _ => Err("Press Enter to try again, or type < to go back to Review.".into()),
        },
        Kind::YesNo | Kind::Generic => yes_no(word, question.kind == Kind::Generic),
        Kind::Show(_) | Kind::Wait => Ok(Response::of(Vec::new())),
    }
}

fn yes_no(word: &str, enter_goes_on: bool) -> Result<Response, String> {
    let action = match word.to_lowercase().as_str() {
        "y" | "yes" => Action::Yes,
        "" if enter_goes_on => Action::Enter,
        "" | "n" | "no" => Action::No,
        _ => return Err("Type y or n.".into()),
    };
    Ok(Response::of(vec![Msg::Act(action)]))
}

fn list_answer(
    wizard: &Wizard,
    word: &str,
    count: usize,
    operation: Option<usize>,
) -> Result<Response, String> {
    let usage = || {
        if operation.is_some() {
            format!("Type a number from 1 to {count}, d and a number to delete, or < to go back.")
        } else {
            format!("Type a number from 1 to {count}, or < to go back.")
        }
    };
    let row = |text: &str| -> Result<usize, String> {
        match text.trim().parse::<usize>() {
            Ok(n) if (1..=count).contains(&n) => Ok(n - 1),
            _ => Err(usage()),
        }
    };
    if word.is_empty() {
        return Ok(Response::of(vec![Msg::Act(Action::Enter)]));
    }
    if let Some(op) = operation {
        if word.eq_ignore_ascii_case("y") {
            return Ok(Response::of(vec![Msg::Act(Action::Yes)]));
        }
        if let Some(rest) = word.strip_prefix(['d', 'D']) {
            let index = row(rest)?;
            if !matches!(wizard.list_items(op)[index], ListItem::Integration(_)) {
                return Err(format!("Row {} is not an integration.", index + 1));
            }
            let mut msgs = select(index);
            msgs.push(Msg::Act(Action::Delete));
            return Ok(Response::of(msgs));
        }
    }
    let index = row(word)?;
    let mut msgs = select(index);
    msgs.push(Msg::Act(Action::Enter));
    Ok(Response::of(msgs))
}

/// Moves a list's selection to row `index`, as the arrow keys would.
fn select(index: usize) -> Vec<Msg> {
    let mut msgs = vec![Msg::Act(Action::First)];
    msgs.extend((0..index).map(|_| Msg::Act(Action::Next)));
    msgs
}

fn field_answer(
    wizard: &Wizard,
    draft: usize,
    focus: usize,
    input: FieldInput,
    text: &str,
) -> Result<Response, String> {
    let check = Some((draft, focus));
    let keep = Response {
        check,
        ..Response::default()
    };
    match input {
        FieldInput::Toggle => {
            let FieldState::Toggle(on) = wizard.drafts[draft].fields[focus] else {
                return Ok(keep);
            };
            let wanted = match text.trim().to_lowercase().as_str() {
                "" => on,
                "y" | "yes" | "on" | "enabled" => true,
                "n" | "no" | "off" | "disabled" => false,
                _ => return Err("Type y to enable or n to disable (Enter keeps it).".into()),
            };
            let msgs = if wanted == on {
                Vec::new()
            } else {
                vec![Msg::Act(Action::Toggle)]
            };
            Ok(Response { msgs, ..keep })
        }
        FieldInput::Text | FieldInput::Secret => {
            let current = match &wizard.drafts[draft].fields[focus] {
                FieldState::Text(value) => value.value(),
                _ => "",
            };
            match text {
                "" => Ok(keep),
                "-" => Ok(Response {
                    msgs: vec![Msg::Edit(InputRequest::DeleteLine)],
                    ..keep
                }),
                same if same == current => Ok(keep),
                value => {
                    refuse_controls(value)?;
                    Ok(Response {
                        msgs: replace(SecretString::from(value)),
                        ..keep
                    })
                }
            }
        }
    }
}

fn secret_answer(question: &Question, secret: &SecretString) -> Result<Response, String> {
    let Kind::Field { draft, focus, .. } = question.kind else {
        return Err("A hidden answer was not expected here.".into());
    };
    let value = secret.expose_secret();
    match value.trim() {
        "?" => return Ok(Response::of(vec![Msg::Act(Action::Help)])),
        "<" | "\u{1b}" => return Ok(Response::of(vec![Msg::Act(Action::Back)])),
        _ => {}
    }
    let mut response = Response {
        check: Some((draft, focus)),
        ..Response::default()
    };
    if value.is_empty() {
        return Ok(response);
    }
    refuse_controls(value)?;
    response
        .say
        .push(format!("Received {} characters.", value.chars().count()));
    response.msgs = replace(secret.clone());
    Ok(response)
}

/// The field's value becomes `value`: cleared, then given whole, as a paste would.
fn replace(value: SecretString) -> Vec<Msg> {
    vec![Msg::Edit(InputRequest::DeleteLine), Msg::Paste(value)]
}

/// A line with a tab or an escape sequence in it is not a value anyone meant.
fn refuse_controls(value: &str) -> Result<(), String> {
    let Some(c) = value.chars().find(|c| c.is_control()) else {
        return Ok(());
    };
    let what = match c {
        '\t' => "a tab".to_owned(),
        '\u{1b}' => "an escape character (an arrow or function key?)".to_owned(),
        other => format!("the control character U+{:04X}", u32::from(other)),
    };
    Err(format!(
        "That answer contains {what}; nothing was changed. Type the value again."
    ))
}

/// After an answer to a form field: the check's messages, and Enter when the field is
/// valid. A field with an error is asked again; its error is shown here the first
/// time (after that the question itself shows it, as the form does for visited fields).
pub fn after_field(wizard: &Wizard, draft: usize, focus: usize) -> (Vec<String>, Option<Msg>) {
    let here =
        matches!(wizard.step, Step::Form { draft: d, focus: f, .. } if d == draft && f == focus);
    let refused = wizard
        .notice
        .as_ref()
        .is_some_and(|n| n.level == Level::Error);
    if !here || wizard.overlay.is_some() || refused {
        return (Vec::new(), None);
    }
    let check = wizard.field_check(draft, focus);
    if let Some(error) = check.error {
        let shown_by_question = wizard.drafts[draft].visited[focus];
        let lines = if shown_by_question {
            Vec::new()
        } else {
            vec![format!("Error: {error}")]
        };
        return (lines, None);
    }
    let mut lines = Vec::new();
    if let Some(warning) = check.warning {
        lines.push(format!("Warning: {warning}"));
    }
    if let Some(info) = check.info {
        lines.push(info);
    }
    (lines, Some(Msg::Act(Action::Enter)))
}
