//! Test connection in plain mode, in words: `!` on the Sub account ID question tests
//! the form's integration, `t` on Review tests every one; each stage is said as it
//! passes, then the verdict with what to do, and the sub-accounts as a numbered list
//! (`#2` takes the second).

use crate::connection_verdict::{Progress, WaitReason};
use crate::wizard::connection_test::{SUB_ACCOUNT_ID, StageMark, TestId};
use crate::wizard::{Msg, Wizard};

/// What plain mode reads for the test on a form (as `=` fills one).
pub const TEST_WORD: &str = "!";

/// Whether field `focus` of the form at `draft` is where the test is offered: the Sub
/// account ID, the last of the fields a test reads.
fn offered_here(wizard: &Wizard, draft: usize, focus: usize) -> bool {
    wizard
        .form_fields(draft)
        .get(focus)
        .is_some_and(|d| d.key == SUB_ACCOUNT_ID)
}

/// Lines before the Sub account ID question: the offer to test, and the sub-accounts
/// a test read, numbered.
pub fn before_field(wizard: &Wizard, draft: usize, focus: usize) -> Vec<String> {
    if !offered_here(wizard, draft, focus) {
        return Vec::new();
    }
    let mut lines = Vec::new();
    if let Some(accounts) = wizard.sub_accounts(draft).filter(|a| !a.is_empty()) {
        lines.push(format!(
            "The account's sub-accounts ({}; type # and a number to use one):",
            accounts.len()
        ));
        for (i, account) in accounts.iter().enumerate() {
            let inactive = if account.active == Some(false) {
                " (inactive)"
            } else {
                ""
            };
            lines.push(format!(
                "  #{}) {}  {}{inactive}",
                i + 1,
                account.id,
                account.name
            ));
        }
    }
    if wizard.test_ready(draft) {
        lines.push(format!(
            "Type {TEST_WORD} to test the connection with these credentials first."
        ));
    }
    lines
}

/// The line before Review's question offering to test every integration.
pub fn review_offer(wizard: &Wizard) -> Option<String> {
    (0..wizard.forms().len())
        .any(|i| wizard.testable(i))
        .then(|| "Type t to test every connection first, one integration at a time.".to_owned())
}

/// The answer to the Sub account ID question when it is `!` or `#N`: the messages.
/// `None`: an ordinary answer.
pub fn field_answer(
    wizard: &Wizard,
    draft: usize,
    focus: usize,
    text: &str,
) -> Option<Result<Vec<Msg>, String>> {
    let text = text.trim();
    if !offered_here(wizard, draft, focus) {
        return None;
    }
    if text == TEST_WORD {
        return Some(Ok(vec![Msg::Act(crate::wizard::Action::TestConnection)]));
    }
    let number = text.strip_prefix('#')?;
    let accounts = wizard.sub_accounts(draft).unwrap_or_default();
    Some(
        number
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| accounts.get(i))
            .map(|account| {
                vec![
                    Msg::Edit(crate::wizard::InputRequest::DeleteLine),
                    Msg::Paste(secrecy::SecretString::from(account.id.clone())),
                ]
            })
            .ok_or_else(|| {
                format!(
                    "Type # and a number from 1 to {} to use a sub-account.",
                    accounts.len()
                )
            }),
    )
}

/// A line for a test's progress, if it is worth one (a wait is said once).
pub fn progress_line(progress: &Progress, last_wait: &mut Option<u64>) -> Option<String> {
    match progress {
        Progress::Started(stage) => {
            *last_wait = None;
            Some(format!("Testing: {}...", stage.title()))
        }
        Progress::Passed { stage, .. } => Some(format!("  ok: {}", stage.title())),
        Progress::Waiting {
            seconds_remaining,
            why,
            ..
        } => {
            let new = last_wait.is_none_or(|last| *seconds_remaining > last);
            *last_wait = Some(*seconds_remaining);
            new.then(|| {
                let reason = match why {
                    WaitReason::RateLimited => "the server asked to retry later (429)",
                    WaitReason::AuthLimit => "RingCentral allows 5 sign-ins a minute",
                };
                format!("  waiting {seconds_remaining} s: {reason} (Ctrl-C quits)")
            })
        }
    }
}

/// The verdict of test `id`, in words, once it is done.
pub fn report_lines(wizard: &Wizard, id: TestId) -> Vec<String> {
    let Some(draft) = wizard.test_form(id) else {
        return Vec::new();
    };
    let Some(report) = wizard.test_report(draft) else {
        return Vec::new();
    };
    let mut lines = vec![format!(
        "{}: {}",
        wizard.draft_name(draft),
        super::prompt::name_keys(&report.headline)
    )];
    for (mark, sentence) in &report.stages {
        let word = match mark {
            StageMark::Passed => "ok",
            StageMark::Failed => "FAILED",
            _ => "not run",
        };
        lines.push(format!("  {word}: {sentence}"));
    }
    if let Some((what, to_do)) = &report.failure {
        lines.push(format!("  {what}"));
        lines.push(format!("  What to do: {to_do}"));
    }
    for warning in &report.warnings {
        lines.push(format!("  Warning: {warning}"));
    }
    lines
}
