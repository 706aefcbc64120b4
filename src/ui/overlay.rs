//! Boxes drawn over the step: field help and yes/no questions.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::{Theme, text};
use crate::wizard::view::OverlayText;
use crate::wizard::{Overlay, Wizard};

pub fn draw(frame: &mut Frame, area: Rect, wizard: &Wizard, overlay: &Overlay, theme: Theme) {
    let OverlayText { title, body } = wizard.overlay_text(overlay);
    let hint = match overlay {
        Overlay::Help { .. } => "Esc closes this help.",
        Overlay::ConfirmQuit => "y quits · k quits, keeps the draft · n stays",
        Overlay::ConfirmDelete { .. } => "y deletes · n keeps it",
    };
    let width = area.width.saturating_sub(4).min(72);
    let inner = usize::from(width.saturating_sub(4));
    let title = theme.text(&title);
    let mut lines: Vec<Line> = text::wrap(&theme.text(&crate::keymap::name_keys(&body)), inner)
        .into_iter()
        .map(Line::from)
        .collect();
    lines.push(Line::default());
    lines.push(Line::styled(theme.text(hint).into_owned(), theme.dim()));
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
        .title(Line::styled(format!(" {title} "), theme.title()));
    frame.render_widget(
        Paragraph::new(lines).block(block.padding(ratatui::widgets::Padding::horizontal(1))),
        rect,
    );
}
