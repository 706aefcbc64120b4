//! What plain mode asks next. Pure: it reads the wizard and returns text; `answer`
//! turns the reply into messages and the loop in `plain.rs` does the talking.
//!
//! Steps and overlays are read with `if let` rather than an exhaustive `match`, so a
//! step or overlay added to the engine later still gets a generic yes/no question
//! here (its notice as the text) instead of breaking plain mode.

use super::text;
use crate::config::draft::Snapshot;
use crate::wizard::view::{OverlayText, SecretView};
use crate::wizard::{
    Action, Effect, FieldState, Layer, Level, Overlay, Step, StoreStatus, Wizard, explain_store,
};

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
    /// Where secrets go: accept the store, check again, or go back.
    StoreGate,
    /// A draft from an earlier session: resume or discard it.
    Resume,
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

pub const GUIDE: &str = "Answer each question and press Enter. Enter alone keeps the value in \
[brackets]; - clears it; ? shows help; < goes back; \
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
    wizard.notice().as_ref().map(|n| match n.level {
        Level::Error => format!("Error: {}", name_keys(&n.text)),
        Level::Info => name_keys(&n.text),
    })
}

fn resume_question(wizard: &Wizard, offer: &Snapshot) -> Question {
    ask(
        vec![
            "Resume the unsaved draft?".into(),
            wizard.describe_draft(offer),
        ],
        "r resumes it, d discards it, Ctrl-D quits and keeps it [r]: ",
        Kind::Resume,
    )
}

/// The key plain mode reads for `action`, for the wizard's sentences that name one.
pub fn key_for(action: Action) -> String {
    match action {
        Action::Save => "s",
        Action::Back => "<",
        Action::Quit => "Ctrl-D",
        Action::FillFrom => "=",
        _ => "",
    }
    .to_owned()
}

/// `text` with the keys it names by action named as plain mode reads them.
pub fn name_keys(text: &str) -> String {
    crate::wizard::view::name_keys(text, key_for)
}

pub fn question(wizard: &Wizard) -> Question {
    let step = match wizard.layer() {
        Layer::ResumeOffer(offer) => return resume_question(wizard, offer),
        Layer::Overlay(overlay) => return overlay_question(wizard, overlay),
        Layer::Step(step) => step,
    };
    if let Step::Platform { selected } = step {
        platform_question(wizard, *selected)
    } else if let Step::Operation { op, selected } = step {
        operation_question(wizard, *op, *selected)
    } else if let Step::Form {
        form: draft, focus, ..
    } = step
    {
        field_question(wizard, *draft, *focus)
    } else if let Step::StoreGate { .. } = step {
        store_gate_question(wizard)
    } else if let Step::Review { .. } = step {
        let mut question = ask(
            text::review(wizard),
            "Type s to save, < to go back: ",
            Kind::Review,
        );
        question
            .before
            .extend(super::connection::review_offer(wizard));
        question
    } else if let Step::Saving = step {
        ask(Vec::new(), "", Kind::Wait)
    } else if let Step::SaveFailed { reason, .. } = step {
        ask(
            vec![
                "Not saved.".into(),
                name_keys(reason),
                if wizard.file_changed() {
                    "Enter reloads the file; < goes back to Review.".into()
                } else {
                    "Enter tries again once you have fixed the cause; < goes back to Review. \
                     Your answers are kept."
                        .into()
                },
            ],
            "Try again? [Enter]: ",
            Kind::Retry,
        )
    } else if let Step::Done(_) = step {
        // The outcome line is printed by the caller, as for the full-screen wizard.
        if wizard.answers_written().is_none() {
            ask(
                vec![format!(
                    "Saved. This session's answers file ({}) is the template for \
                     `wfm-wizard apply` on other servers; its secrets are env var names only.",
                    wizard.answers_path()
                )],
                "Write the answers file? [y/N]: ",
                Kind::YesNo,
            )
        } else {
            ask(wizard.answers_lines(), "", Kind::Show(Action::Enter))
        }
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
    let text = wizard.notice().as_ref().map_or_else(
        || format!("The wizard is at a step plain mode does not know: {what}."),
        |n| n.text.clone(),
    );
    ask(vec![text], "y, n, or Enter to go on: ", Kind::Generic)
}

/// The same words as the full-screen gate (`explain_store`), one per line.
fn store_gate_question(wizard: &Wizard) -> Question {
    let mut intro = vec!["Where your secrets will be kept".to_owned()];
    match &wizard.store() {
        StoreStatus::Ready(info) => {
            let explanation = explain_store(info);
            intro.push(explanation.headline);
            intro.push(explanation.lifetime);
            intro.extend(explanation.why_skipped);
            intro.extend(
                explanation
                    .fix
                    .map(|fix| format!("To keep secrets across reboots: {fix}")),
            );
        }
        StoreStatus::Resolving => intro.push("Still checking which secret store to use.".into()),
        StoreStatus::Unavailable(reason) => {
            intro.push(format!(
                "There is no secret store to keep secrets in: {reason}"
            ));
        }
    }
    ask(
        intro,
        "Enter continues with this store, r checks again, < goes back: ",
        Kind::StoreGate,
    )
}

fn overlay_question(wizard: &Wizard, overlay: &Overlay) -> Question {
    let OverlayText { title, body } = wizard.overlay_text(overlay);
    match overlay {
        Overlay::Help { .. } => ask(
            vec![format!("Help: {title}"), name_keys(&body)],
            "",
            Kind::Show(Action::Back),
        ),
        Overlay::ConfirmQuit => ask(
            vec![format!("{title} {body}")],
            "y quits, k quits and keeps the draft, n stays [n]: ",
            Kind::YesNo,
        ),
        Overlay::ConfirmDelete { .. } => ask(
            vec![format!("{title} {body}")],
            "y deletes, n keeps it [n]: ",
            Kind::YesNo,
        ),
    }
}

fn platform_question(wizard: &Wizard, selected: usize) -> Question {
    let mut intro = vec!["Choose the contact-center platform to configure.".to_owned()];
    for index in 0..wizard.catalog().platforms.len() {
        intro.push(text::numbered(index, &text::platform_row(wizard, index)));
    }
    ask(
        intro,
        &format!("Platform [{}]: ", selected + 1),
        Kind::List {
            count: wizard.catalog().platforms.len(),
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
    let d = &wizard.forms()[draft];
    let view = wizard.field_view(draft, focus, focus);
    let label = &view.label;
    let title = if d.original.is_some() {
        "editing"
    } else {
        "new integration"
    };
    let mut before = Vec::new();
    if let Some(error) = &view.error {
        before.push(format!("Error: {error}"));
    }
    if let Some(offer) = wizard.fill_offer(draft) {
        before.push(name_keys(&offer));
    }
    before.extend(super::connection::before_field(wizard, draft, focus));
    let (prompt, input) = match (&d.fields[focus], &view.secret) {
        (FieldState::Text(value), _) if value.value().is_empty() => {
            (format!("{label}: "), FieldInput::Text)
        }
        (FieldState::Text(value), _) => {
            (format!("{label} [{}]: ", value.value()), FieldInput::Text)
        }
        (FieldState::Toggle(on), _) => (
            format!(
                "{label} [{}] (y enables, n disables): ",
                if *on { "enabled" } else { "disabled" }
            ),
            FieldInput::Toggle,
        ),
        (FieldState::Secret(_), secret) => {
            let state = match secret {
                Some(SecretView { typed, .. }) if *typed > 0 => format!(
                    "; {} entered, Enter keeps {}",
                    crate::wording::chars(*typed),
                    if *typed == 1 { "it" } else { "them" }
                ),
                Some(SecretView {
                    stored_in: Some(store),
                    vanished: true,
                    ..
                }) => format!("; GONE from {store}, type it again"),
                Some(SecretView {
                    stored_in: Some(store),
                    ..
                }) => format!("; stored in {store}, Enter keeps it"),
                _ => String::new(),
            };
            (
                format!("{label} (typing is hidden{state}): "),
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
