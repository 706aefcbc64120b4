//! The offer, on the first screen, to resume or discard a draft an earlier session left.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Padding, Paragraph};

use super::text;
use super::theme::Theme;
use crate::config::draft::Snapshot;
use crate::wizard::Wizard;

pub fn draw(frame: &mut Frame, area: Rect, wizard: &Wizard, offer: &Snapshot, theme: Theme) {
    let width = area.width.saturating_sub(4).min(72);
    let inner = usize::from(width.saturating_sub(4));
    let mut lines: Vec<Line> = text::wrap(&theme.text(&wizard.describe_draft(offer)), inner)
        .into_iter()
        .map(Line::from)
        .collect();
    lines.push(Line::default());
    lines.extend(
        text::wrap(
            &theme.text("r resumes · d discards it · Ctrl-C quits and keeps it"),
            inner,
        )
        .into_iter()
        .map(|l| Line::styled(l, theme.dim())),
    );
    let height = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let rect = Rect {
        x: area.x + area.width.saturating_sub(width) / 2,
        y: area.y + area.height.saturating_sub(height) / 2,
        width,
        height,
    };
    frame.render_widget(Clear, rect);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_set(theme.border())
        .title(Line::styled(" Resume the unsaved draft? ", theme.title()))
        .padding(Padding::horizontal(1));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use crate::secret::StoreKind;
    use crate::test_support::*;
    use crate::wizard::{Action, Wizard};

    fn snapshot(name: &str, w: &Wizard) {
        for (width, height) in [(80, 24), (60, 20)] {
            let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
            terminal
                .draw(|frame| super::super::draw(frame, w, crate::ui::Theme::default()))
                .unwrap();
            insta::assert_snapshot!(format!("{name}_{width}x{height}"), terminal.backend());
        }
    }

    /// The first screen of a session over SSH that finds a draft with two secrets.
    #[test]
    fn the_offer_on_the_first_screen_over_ssh() {
        let mut earlier = ready(StoreKind::SecretService);
        act(&mut earlier, Action::Enter);
        add_integration(&mut earlier, "east", &jwt_never_expires());
        let mut w = wizard();
        w.update(Msg::Startup(Startup::LinkCanDrop));
        w.update(Msg::Startup(Startup::DraftFound(
            draft_plan(&mut earlier).snapshot,
        )));
        snapshot("resume_offer_over_ssh", &w);
    }
}
