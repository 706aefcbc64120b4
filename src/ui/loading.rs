//! The body while the file is read after the first frame (see `wizard::loading`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Paragraph;

use super::{Theme, text};
use crate::wizard::Wizard;

pub fn draw(frame: &mut Frame, area: Rect, wizard: &Wizard, theme: Theme) {
    let words = format!(
        "Reading {}{}",
        theme.text(wizard.config_path()),
        theme.ellipsis()
    );
    let lines = text::wrapped_lines(&words, usize::from(area.width), 0, theme.dim());
    frame.render_widget(Paragraph::new(lines), area);
}
