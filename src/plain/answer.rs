//! What an answer means to the wizard: the messages a key press would send, or why
//! it cannot be taken (then nothing changes). Pure, like `prompt`.

use secrecy::{ExposeSecret, SecretString};

pub use crate::line_io::Answer;

use super::prompt::{FieldInput, Kind, Question};
use crate::wizard::lists::ListItem;
use crate::wizard::refuse_control_characters;
use crate::wizard::{Action, FieldState, InputRequest, Msg, Overlay, Step, Wizard};

/// What to do with an answer: messages for the wizard, then, for a form field, check
/// the field and move on only if it is valid.
#[derive(Debug, Default)]
pub struct Response {
    pub msgs: Vec<Msg>,
    /// Lines to show once the messages are applied ("Received 44 characters.").
    pub say: Vec<String>,
    /// The form field (draft, focus) to check before moving on with Enter.
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

/// Turns an answer into messages, or says why it cannot be taken (nothing changes).
pub fn interpret(wizard: &Wizard, question: &Question, answer: Answer) -> Result<Response, String> {
    let text = match answer {
        Answer::Unreadable(why) => return Err(why),
        Answer::Interrupted => return Ok(Response::of(vec![Msg::Act(Action::Quit)])),
        Answer::Stopped(how) => return Ok(Response::of(vec![Msg::Interrupted(how)])),
        Answer::End => {
            // Ctrl-D at "Quit without saving?" means yes: input has ended for good.
            let action = if wizard.overlay() == Some(&Overlay::ConfirmQuit) {
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
            "t" | "test" => Ok(Response::of(vec![Msg::Act(Action::TestConnection)])),
            _ => Err("Type s and Enter to save, or < to go back.".into()),
        },
        Kind::Retry => match word {
            "" | "r" => Ok(Response::of(vec![Msg::Act(Action::Enter)])),
            _ => Err("Press Enter to try again, or type < to go back to Review.".into()),
        },
        Kind::Resume => match word.to_lowercase().as_str() {
            "" | "r" => Ok(Response::of(vec![Msg::Act(Action::Enter)])),
            "d" => Ok(Response::of(vec![Msg::Act(Action::Delete)])),
            _ => Err("Type r to resume the draft or d to discard it.".into()),
        },
        Kind::StoreGate => match word.to_lowercase().as_str() {
            "" | "y" | "yes" => Ok(Response::of(vec![Msg::Act(Action::Enter)])),
            "r" => Ok(Response::of(vec![Msg::Act(Action::Retry)])),
            _ => Err(
                "Press Enter to continue with this store, r to check again, or < to go back."
                    .into(),
            ),
        },
        Kind::YesNo | Kind::Generic => yes_no(word, question.kind == Kind::Generic),
        Kind::Show(_) | Kind::Wait => Ok(Response::of(Vec::new())),
    }
}

fn yes_no(word: &str, enter_goes_on: bool) -> Result<Response, String> {
    let action = match word.to_lowercase().as_str() {
        "y" | "yes" => Action::Yes,
        "k" | "keep" => Action::Keep,
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

/// Moves a list's selection to row `index`.
fn select(index: usize) -> Vec<Msg> {
    vec![Msg::SelectRow(index)]
}

fn field_answer(
    wizard: &Wizard,
    draft: usize,
    focus: usize,
    input: FieldInput,
    text: &str,
) -> Result<Response, String> {
    if text.trim() == "=" && wizard.fill_source(draft).is_some() {
        return Ok(Response::of(vec![Msg::Act(Action::FillFrom)]));
    }
    if let Some(answer) = super::connection::field_answer(wizard, draft, focus, text) {
        let msgs = answer?;
        // A pick is checked and moves on as a typed ID does; a test asks again.
        let picked = !matches!(msgs.as_slice(), [Msg::Act(_)]);
        return Ok(Response {
            msgs,
            check: picked.then_some((draft, focus)),
            ..Response::default()
        });
    }
    let check = Some((draft, focus));
    let keep = Response {
        check,
        ..Response::default()
    };
    match input {
        FieldInput::Toggle => {
            let FieldState::Toggle(on) = wizard.forms()[draft].fields[focus] else {
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
            let current = match &wizard.forms()[draft].fields[focus] {
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
                    refuse_control_characters(value)?;
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
    if value == "-" {
        // Forgets what was typed; a stored secret stays, as in the form.
        response.msgs = vec![Msg::Edit(InputRequest::DeleteLine)];
        return Ok(response);
    }
    refuse_control_characters(value)?;
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

/// After an answer to a form field: the check's messages, and Enter when the field is
/// valid. A field with an error is asked again; its error is shown here the first
/// time (after that the question itself shows it, as the form does for visited fields).
pub fn after_field(wizard: &Wizard, draft: usize, focus: usize) -> (Vec<String>, Option<Msg>) {
    let here =
        matches!(*wizard.step(), Step::Form { form: d, focus: f, .. } if d == draft && f == focus);
    if !here || wizard.overlay().is_some() {
        return (Vec::new(), None);
    }
    let check = wizard.field_check(draft, focus);
    if let Some(error) = check.error {
        let shown_by_question = wizard.forms()[draft].visited[focus];
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
