//! The connection test on screen: the stages under the form's fields as they tick,
//! the failure with what to do, the mark on the field it points at, the sub-account
//! picker under the Sub account ID, and the one-line verdict on Review.

use ratatui::text::{Line, Span};

use super::{Theme, text};
use crate::wizard::Wizard;
use crate::wizard::connection_test::{StageMark, TestReport};

/// Rows of the picker shown at once (it scrolls with the highlight).
const PICKER_ROWS: usize = 6;

fn mark(stage: StageMark, theme: Theme) -> &'static str {
    match (stage, theme.ascii) {
        (StageMark::Passed, false) => "✓ ",
        (StageMark::Passed, true) => "+ ",
        (StageMark::Failed, _) => theme.error_mark(),
        (StageMark::Running | StageMark::Waiting(_), false) => "… ",
        (StageMark::Running | StageMark::Waiting(_), true) => ". ",
        (StageMark::NotRun, _) => "  ",
    }
}

/// The test of the form at `draft` under its fields: headline, failure, what to do,
/// stages, warnings. Nothing before a test.
pub fn panel(wizard: &Wizard, draft: usize, width: usize, theme: Theme) -> Vec<Line<'static>> {
    let Some(report) = wizard.test_report(draft) else {
        return Vec::new();
    };
    let say = |text: &str| theme.text(&crate::keymap::name_keys(text)).into_owned();
    let failed = report.failure.is_some();
    let headline_style = if failed { theme.error() } else { theme.title() };
    let mut lines = vec![
        Line::default(),
        Line::styled(say(&report.headline), headline_style),
    ];
    // What failed and what to do first: under a long form they may be all that fits.
    if let Some((what, to_do)) = &report.failure {
        lines.extend(text::wrapped_lines(&say(what), width, 2, theme.error()));
        lines.extend(text::wrapped_lines(
            &say(to_do),
            width,
            2,
            ratatui::style::Style::new(),
        ));
    }
    for (stage, sentence) in &report.stages {
        let style = match stage {
            StageMark::Failed => theme.error(),
            StageMark::NotRun => theme.dim(),
            _ => ratatui::style::Style::new(),
        };
        lines.extend(text::wrapped_lines(
            &format!("{}{}", mark(*stage, theme), say(sentence)),
            width,
            2,
            style,
        ));
    }
    for warning in &report.warnings {
        lines.extend(text::wrapped_lines(
            &format!("{}{}", theme.warning_mark(), say(warning)),
            width,
            2,
            theme.warning(),
        ));
    }
    lines
}

/// Lines under field `index` of the form at `draft`: the test's mark when its failure
/// points there, and the sub-account picker when it is open on this field.
pub fn under_field(
    wizard: &Wizard,
    draft: usize,
    index: usize,
    (indent, width): (usize, usize),
    theme: Theme,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let Some(key) = wizard.form_fields(draft).get(index).map(|d| d.key.clone()) else {
        return lines;
    };
    // The open picker is on that field already: no room for both.
    let picker_here = key == crate::wizard::connection_test::SUB_ACCOUNT_ID
        && wizard.sub_account_picker().is_some();
    if let Some(TestReport {
        fields,
        running: false,
        ..
    }) = wizard.test_report(draft)
        && fields.contains(&key)
        && !picker_here
    {
        lines.extend(text::wrapped_lines(
            &format!(
                "{}{}",
                theme.error_mark(),
                "The connection test failed here: see below."
            ),
            width,
            indent,
            theme.error(),
        ));
    }
    if key == crate::wizard::connection_test::SUB_ACCOUNT_ID {
        lines.extend(picker(wizard, indent, theme));
    }
    lines
}

fn picker(wizard: &Wizard, indent: usize, theme: Theme) -> Vec<Line<'static>> {
    let Some((form, row)) = wizard.sub_account_picker() else {
        return Vec::new();
    };
    let Some(accounts) = wizard.sub_accounts(form) else {
        return Vec::new();
    };
    let first = row.saturating_sub(PICKER_ROWS - 1);
    let mut lines = vec![Line::styled(
        format!(
            "{}{} sub-account(s): pick one, or type",
            " ".repeat(indent),
            accounts.len()
        ),
        theme.dim(),
    )];
    for (i, account) in accounts.iter().enumerate().skip(first).take(PICKER_ROWS) {
        let marker = if i == row {
            Span::styled(theme.marker(), theme.focused())
        } else {
            Span::raw(theme.no_marker())
        };
        let inactive = if account.active == Some(false) {
            " (inactive)"
        } else {
            ""
        };
        lines.push(Line::from(vec![
            Span::raw(" ".repeat(indent.saturating_sub(2))),
            marker,
            Span::raw(
                theme
                    .text(&format!("{}  {}{inactive}", account.id, account.name))
                    .into_owned(),
            ),
        ]));
    }
    lines
}

/// Review's line for the integration at `draft`: its latest test in a few words.
pub fn review_value(wizard: &Wizard, draft: usize, theme: Theme) -> Option<String> {
    let report = wizard.test_report(draft)?;
    let text = if report.running {
        let at = report
            .stages
            .iter()
            .find(|(m, _)| matches!(m, StageMark::Running | StageMark::Waiting(_)));
        match at {
            Some((_, sentence)) => format!("testing: {sentence}"),
            None => "testing...".to_owned(),
        }
    } else {
        match &report.failure {
            Some((what, to_do)) => format!("{}{what}. {to_do}", theme.error_mark()),
            None if report.stages.is_empty() => report.headline.clone(),
            None => format!("{}passed", mark(StageMark::Passed, theme)),
        }
    };
    Some(theme.text(&text).into_owned())
}

#[cfg(test)]
mod tests;
