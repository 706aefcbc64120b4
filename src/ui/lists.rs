//! The Platform list and an operation's list of integrations.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Theme, text};
use crate::wizard::Wizard;
use crate::wizard::view::{IntegrationRow, Row};

pub fn draw_platforms(
    frame: &mut Frame,
    area: Rect,
    wizard: &Wizard,
    selected: usize,
    theme: Theme,
) {
    let mut lines = vec![
        Line::styled(
            "Choose the contact-center platform to configure.",
            theme.title(),
        ),
        Line::default(),
    ];
    for (i, platform) in wizard.catalog().platforms.iter().enumerate() {
        let count = wizard
            .forms()
            .iter()
            .filter(|d| d.platform == platform.id)
            .count();
        let summary = match count {
            0 => String::new(),
            1 => "  (1 integration configured)".to_owned(),
            n => format!("  ({n} integrations configured)"),
        };
        let label = theme.text(&platform.label).into_owned();
        lines.push(item_line(i == selected, label, summary, theme));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

pub fn draw_operation(
    frame: &mut Frame,
    area: Rect,
    wizard: &Wizard,
    op: usize,
    selected: usize,
    theme: Theme,
) {
    let width = usize::from(area.width);
    let operation = wizard.operation(op);
    let mut lines = vec![
        Line::styled(
            theme
                .text(&format!(
                    "{}{}{}",
                    operation.label,
                    theme.dot(),
                    wizard.current_platform().label
                ))
                .into_owned(),
            theme.title(),
        ),
        Line::default(),
    ];
    for prerequisite in wizard.unconfirmed(op) {
        lines.extend(text::wrapped_lines(
            &theme.text(&prerequisite.text),
            width,
            0,
            theme.warning(),
        ));
        lines.extend(text::wrapped_lines(
            &theme.text(&format!(
                "{} Press y once it is configured.",
                prerequisite.question
            )),
            width,
            0,
            theme.title(),
        ));
        lines.push(Line::default());
    }
    if let Some(requirement) = wizard.missing_requirement(op) {
        let label = wizard
            .current_platform()
            .operation(&requirement.operation)
            .map_or(requirement.operation.clone(), |o| o.label.clone());
        lines.extend(text::wrapped_lines(
            &theme.text(&format!("Configure {label} first: {}", requirement.why)),
            width,
            0,
            theme.warning(),
        ));
        lines.push(Line::default());
    }
    let items = wizard.list_items(op);
    // Only the rows on screen are built: a list of 10,000 integrations costs no more
    // per frame than one of ten.
    let header = lines.len();
    let height = usize::from(area.height);
    let offset = (header + selected + 1).saturating_sub(height);
    let first = offset.saturating_sub(header);
    let end = (offset + height).saturating_sub(header).min(items.len());
    for (i, item) in items.iter().enumerate().take(end).skip(first) {
        let (label, detail) = match wizard.row(op, *item) {
            Row::Integration(row) => integration_row(&row, width, theme),
            Row::Add { first } => (Row::add_label(first).to_owned(), String::new()),
            Row::Continue { to } => (
                format!("{} Continue to {}", theme.arrow(), theme.text(&to)),
                String::new(),
            ),
        };
        lines.push(item_line(i == selected, label, detail, theme));
    }
    let scroll = (offset - first) as u16;
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), area);
}

fn integration_row(row: &IntegrationRow, width: usize, theme: Theme) -> (String, String) {
    let name = match &row.group {
        Some(group) => theme.text(group).into_owned(),
        None => row.name().to_owned(),
    };
    let mut detail = String::from("  ");
    for (i, word) in row.details.iter().enumerate() {
        if i > 0 {
            detail.push_str(theme.dot());
        }
        detail.push_str(word);
    }
    let room = width.saturating_sub(theme.no_marker().len() + detail.chars().count());
    (cut_to(name, room, theme), detail)
}

/// `text` in at most `room` columns, ending in an ellipsis when cut: a long group must
/// not push its row's status off the screen.
fn cut_to(text: String, room: usize, theme: Theme) -> String {
    if text.chars().count() <= room {
        return text;
    }
    let ellipsis = theme.ellipsis();
    let kept: String = text
        .chars()
        .take(room.saturating_sub(ellipsis.chars().count()))
        .collect();
    kept + ellipsis
}

/// The selection is the bold marker alone: a move rewrites two markers, not two rows.
fn item_line(selected: bool, label: String, detail: String, theme: Theme) -> Line<'static> {
    let marker = if selected {
        Span::styled(theme.marker(), theme.focused())
    } else {
        Span::raw(theme.no_marker())
    };
    Line::from(vec![
        marker,
        Span::raw(label),
        Span::styled(detail, theme.dim()),
    ])
}
