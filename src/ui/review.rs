//! Review: everything a save writes, secrets masked, each with its store. And the
//! saving / failed / done screens.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Theme, text};
use crate::secret::StoreKind;
use crate::wizard::review_text::{self, store_description};
use crate::wizard::{Step, StoreInfo, StoreStatus, Wizard};

const LABEL_COLUMN: usize = 31;

/// Builds only the integrations on screen: with 10,000 of them, building every line
/// cost ~55 ms a frame. Their heights are counted from the same rows, so scrolling is
/// exact; `measured` comes from the view cache, built once per change of content.
pub fn draw(frame: &mut Frame, area: Rect, measured: &Measured, scroll: usize, theme: Theme) {
    let width = usize::from(area.width);
    let height = usize::from(area.height);
    let Measured {
        head,
        tail,
        rows,
        heights,
        total,
    } = measured;
    let top = scroll.min(total.saturating_sub(height));
    let bottom = top + height;
    let mut lines = Vec::with_capacity(height);
    let mut keep = |at: usize, line: &Line<'static>| {
        if (top..bottom).contains(&at) {
            lines.push(line.clone());
        }
    };
    let mut at = 0;
    for line in head {
        keep(at, line);
        at += 1;
    }
    for (r, block) in rows.iter().zip(heights) {
        if at + block > top && at < bottom {
            keep(at, &Line::default());
            for (i, line) in r.lines(width, theme).iter().enumerate() {
                keep(at + 1 + i, line);
            }
        }
        at += block;
    }
    for line in tail {
        keep(at, line);
        at += 1;
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// How far Review can scroll in `area` (its body on screen), as `measured` at its width.
pub fn scroll_limit(measured: &Measured, area: Rect) -> usize {
    measured.total.saturating_sub(usize::from(area.height))
}

/// Review's lines at `width`: built for the head and tail, counted for the integrations.
pub struct Measured {
    head: Vec<Line<'static>>,
    tail: Vec<Line<'static>>,
    rows: Vec<IntegrationRows>,
    heights: Vec<usize>,
    total: usize,
}

pub(super) fn measure(wizard: &Wizard, width: usize, theme: Theme) -> Measured {
    let head = head_lines(wizard, width, theme);
    let tail = removed_lines(wizard, width, theme);
    let new_store = match &wizard.store() {
        StoreStatus::Ready(info) => Some(info.kind),
        _ => None,
    };
    let rows: Vec<IntegrationRows> = (0..wizard.forms().len())
        .map(|index| integration_rows(wizard, index, new_store, theme))
        .collect();
    // Each integration is a blank line, its title and its fields.
    let heights: Vec<usize> = rows.iter().map(|r| 2 + r.height(width)).collect();
    let total = head.len() + heights.iter().sum::<usize>() + tail.len();
    Measured {
        head,
        tail,
        rows,
        heights,
        total,
    }
}

/// The file, the store, the problems: everything above the integrations.
fn head_lines(wizard: &Wizard, width: usize, theme: Theme) -> Vec<Line<'static>> {
    let row = |label: &str, value: &str, style| pair(label, &theme.text(value), width, style);
    let mut lines = vec![Line::styled(
        "Review: this is what Ctrl-S writes.",
        theme.title(),
    )];
    lines.extend(row("File", wizard.config_path(), Style::new()));
    let (store_text, store_style) = match &wizard.store() {
        StoreStatus::Resolving => (
            format!("checking which secret store to use{}", theme.ellipsis()),
            theme.dim(),
        ),
        StoreStatus::Ready(info) => (store_description(info.kind), Style::new()),
        StoreStatus::Unavailable(reason) => (format!("unavailable: {reason}"), theme.error()),
    };
    lines.extend(row("Secrets go to", &store_text, store_style));
    if let StoreStatus::Ready(StoreInfo {
        systemd_creds_skipped: Some(why),
        ..
    }) = &wizard.store()
    {
        lines.extend(row(
            "",
            &format!("systemd credentials not used: {why}"),
            theme.warning(),
        ));
    }
    if let StoreStatus::Ready(StoreInfo {
        note: Some(note), ..
    }) = &wizard.store()
    {
        lines.extend(row(
            "",
            &format!("Secret Service not used: {note}"),
            theme.warning(),
        ));
    }
    let problems = wizard.problems();
    if !problems.is_empty() {
        lines.push(Line::default());
        for problem in problems {
            lines.extend(text::wrapped_lines(
                &format!("{}{}", theme.error_mark(), theme.text(&problem)),
                width,
                0,
                theme.error(),
            ));
        }
    }
    let warnings = review_text::warnings(wizard);
    if !warnings.is_empty() {
        lines.push(Line::default());
        for warning in warnings {
            lines.extend(text::wrapped_lines(
                &format!("{}{}", theme.warning_mark(), theme.text(&warning)),
                width,
                0,
                theme.warning(),
            ));
        }
    }
    lines.push(Line::default());
    lines.push(Line::styled(review_text::CHANGES_TITLE, theme.title()));
    for change in review_text::change_lines(wizard.pending_changes()) {
        lines.extend(text::wrapped_lines(
            &theme.text(&change),
            width,
            2,
            Style::new(),
        ));
    }
    if wizard.forms().is_empty() {
        lines.push(Line::default());
        lines.push(Line::styled(
            "No integrations: the file will list none.",
            theme.dim(),
        ));
    }
    lines
}

/// The integrations deleted in this session, after the others.
fn removed_lines(wizard: &Wizard, width: usize, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for removed in wizard.removed() {
        lines.push(Line::default());
        let group = removed.group.as_deref().unwrap_or("no group");
        lines.extend(text::wrapped_lines(
            &theme.text(&format!(
                "Delete {}/{} ({group}) and remove its keyring entries",
                removed.platform, removed.operation
            )),
            width,
            0,
            theme.warning(),
        ));
    }
    lines
}

/// One integration as text: its title, and each field's label and value.
struct IntegrationRows {
    title: String,
    fields: Vec<(String, String)>,
}

impl IntegrationRows {
    /// Lines of the fields, as [`pair`] lays them out (the title adds one).
    fn height(&self, width: usize) -> usize {
        self.fields
            .iter()
            .map(|(_, value)| pair_height(value, width))
            .sum()
    }

    fn lines(&self, width: usize, theme: Theme) -> Vec<Line<'static>> {
        let mut lines = vec![Line::styled(self.title.clone(), theme.title())];
        for (label, value) in &self.fields {
            lines.extend(pair(label, value, width, Style::new()));
        }
        lines
    }
}

fn integration_rows(
    wizard: &Wizard,
    index: usize,
    new_store: Option<StoreKind>,
    theme: Theme,
) -> IntegrationRows {
    let draft = &wizard.forms()[index];
    let defs = wizard.form_fields(index);
    let platform = wizard
        .catalog()
        .platform(&draft.platform)
        .map_or(draft.platform.clone(), |p| p.label.clone());
    let title = theme
        .text(&format!(
            "{platform}{}{}",
            theme.dot(),
            wizard.draft_name(index)
        ))
        .into_owned();
    let mut fields = Vec::with_capacity(defs.len());
    for (def, state) in defs.iter().zip(&draft.fields) {
        let value = review_text::field_value(
            def,
            state,
            new_store,
            &theme.mask().to_string().repeat(8),
            theme.arrow(),
        );
        fields.push((
            theme.text(&def.label).into_owned(),
            theme.text(&value).into_owned(),
        ));
    }
    if let Some(verdict) = super::test_panel::review_value(wizard, index, theme) {
        fields.push(("Connection test".to_owned(), verdict));
    }
    IntegrationRows { title, fields }
}

/// How many lines [`pair`] makes of `value`.
fn pair_height(value: &str, width: usize) -> usize {
    let (room, extra) = if width >= 64 {
        (width - LABEL_COLUMN, 0)
    } else {
        (width.saturating_sub(4), 1)
    };
    // What fits needs no wrapping (wrap only ever joins words with one space).
    if !value.contains('\n') && value.chars().count() <= room.max(1) {
        return 1 + extra;
    }
    text::wrap(value, room).len() + extra
}

/// A label and its value: side by side when wide, stacked when narrow.
fn pair(label: &str, value: &str, width: usize, style: Style) -> Vec<Line<'static>> {
    if width >= 64 {
        let mut out = Vec::new();
        for (i, part) in text::wrap(value, width - LABEL_COLUMN)
            .into_iter()
            .enumerate()
        {
            let left = if i == 0 {
                format!("  {label:<w$}", w = LABEL_COLUMN - 2)
            } else {
                " ".repeat(LABEL_COLUMN)
            };
            out.push(Line::from(vec![Span::raw(left), Span::styled(part, style)]));
        }
        out
    } else {
        let mut out = vec![Line::from(format!("  {label}"))];
        out.extend(text::wrapped_lines(value, width, 4, style));
        out
    }
}

pub fn draw_outcome(frame: &mut Frame, area: Rect, wizard: &Wizard, theme: Theme) {
    let width = usize::from(area.width);
    let mut lines = Vec::new();
    match &wizard.step() {
        Step::Saving => lines.push(Line::styled(
            format!(
                "Saving: storing secrets, then writing the file{}",
                theme.ellipsis()
            ),
            theme.title(),
        )),
        Step::SaveFailed { reason, .. } => {
            lines.push(Line::styled("Not saved.", theme.error()));
            lines.push(Line::default());
            lines.extend(text::wrapped_lines(
                &theme.text(&crate::keymap::name_keys(reason)),
                width,
                0,
                Style::new(),
            ));
            lines.push(Line::default());
            let next = if wizard.file_changed() {
                "Enter reloads the file; Esc goes back to Review."
            } else {
                "Enter tries again once you have fixed the cause; Esc goes back to Review. Your answers are kept."
            };
            lines.extend(text::wrapped_lines(next, width, 0, theme.dim()));
        }
        Step::Done(report) => {
            lines.push(Line::styled("Saved.", theme.title()));
            lines.push(Line::default());
            lines.extend(text::wrapped_lines(
                &theme.text(&format!(
                    "{} integration(s) written to {}; {} secret(s) stored in the keyring.",
                    report.integrations,
                    wizard.config_path(),
                    report.secrets_written
                )),
                width,
                0,
                Style::new(),
            ));
            for warning in &report.warnings {
                lines.extend(text::wrapped_lines(
                    &format!("{}{}", theme.warning_mark(), theme.text(warning)),
                    width,
                    0,
                    theme.warning(),
                ));
            }
            lines.push(Line::default());
            let answers = wizard.answers_lines();
            if answers.is_empty() {
                lines.extend(text::wrapped_lines(
                    &theme.text(&format!(
                        "Press a to write this session's answers file ({}): the template \
                         for `wfm-wizard apply` on other servers, secrets as env var names only.",
                        wizard.answers_path()
                    )),
                    width,
                    0,
                    Style::new(),
                ));
            }
            for line in answers {
                lines.extend(text::wrapped_lines(
                    &theme.text(&line),
                    width,
                    0,
                    Style::new(),
                ));
            }
            lines.push(Line::default());
            lines.push(Line::from("Press Enter to finish."));
        }
        _ => {}
    }
    frame.render_widget(Paragraph::new(lines), area);
}
