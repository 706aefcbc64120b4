//! Boxes drawn over the step: field help and yes/no questions.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::{Theme, text};
use crate::wizard::view::OverlayText;
use crate::wizard::{Overlay, Wizard};

pub fn draw(frame: &mut Frame, area: Rect, wizard: &Wizard, overlay: &Overlay, theme: Theme) {
    let (title, body, hint) = words(wizard, overlay, theme);
    let (width, room) = geometry(area);
    let body = text::wrap(
        &theme.text(&crate::keymap::name_keys(&body)),
        inner_width(width),
    );
    let total = body.len();
    let scroll = if matches!(overlay, Overlay::Help { .. }) {
        wizard.help_scroll().min(total.saturating_sub(room))
    } else {
        0
    };
    let mut lines: Vec<Line> = body
        .into_iter()
        .skip(scroll)
        .take(room)
        .map(Line::from)
        .collect();
    let hint = if total > room {
        // Where the reader is, and how to see the rest.
        format!(
            "lines {}-{} of {total} · ↑↓ scroll · {hint}",
            scroll + 1,
            scroll + lines.len(),
        )
    } else {
        hint.to_owned()
    };
    lines.push(Line::default());
    lines.push(Line::styled(theme.text(&hint).into_owned(), theme.dim()));
    let height = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let rect = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height.saturating_sub(height)) / 2,
        width,
        height,
    };
    frame.render_widget(Clear, rect);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_set(theme.border())
        .title(Line::styled(
            format!(" {} ", theme.text(&title)),
            theme.title(),
        ));
    frame.render_widget(
        Paragraph::new(lines).block(block.padding(ratatui::widgets::Padding::horizontal(1))),
        rect,
    );
}

/// How far the help overlay's text can scroll in `area` (0 when it fits).
pub fn help_scroll_limit(wizard: &Wizard, area: Rect, theme: Theme) -> Option<usize> {
    let overlay = wizard.overlay()?;
    if !matches!(overlay, Overlay::Help { .. }) {
        return None;
    }
    let (_, body, _) = words(wizard, overlay, theme);
    let (width, room) = geometry(area);
    let total = text::wrap(
        &theme.text(&crate::keymap::name_keys(&body)),
        inner_width(width),
    )
    .len();
    Some(total.saturating_sub(room))
}

/// The box's width, and the rows its text gets (borders, a blank line and the hint
/// take four).
fn geometry(area: Rect) -> (u16, usize) {
    let width = area.width.saturating_sub(4).min(72);
    let room = usize::from(area.height.saturating_sub(2)).saturating_sub(4);
    (width, room.max(1))
}

/// Columns for text inside the borders and padding.
fn inner_width(width: u16) -> usize {
    usize::from(width.saturating_sub(4))
}

/// Title, text and closing hint of an overlay. Help ends with the keys that act on
/// the field under it.
fn words(wizard: &Wizard, overlay: &Overlay, theme: Theme) -> (String, String, &'static str) {
    let OverlayText { title, mut body } = wizard.overlay_text(overlay);
    let hint = match overlay {
        Overlay::Help { .. } => {
            if let Some(keys) = super::help_keys::keys_here(wizard, theme) {
                body.push_str("\n\n");
                body.push_str(&keys);
            }
            "Esc closes this help."
        }
        Overlay::ConfirmQuit => "y quits · k quits, keeps the draft · n stays",
        Overlay::ConfirmDelete { .. } => "y deletes · n keeps it",
    };
    (title, body, hint)
}
