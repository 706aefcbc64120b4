//! Every style and glyph the views use. Focus is shown with a marker and bold text,
//! never by recolouring whole borders or rows, so moving focus rewrites few cells.

use ratatui::style::{Color, Modifier, Style};

pub const MARKER: &str = "› ";
pub const NO_MARKER: &str = "  ";
pub const MASK: char = '•';
pub const RULE: &str = "─";
pub const STEP_SEPARATOR: &str = " › ";
pub const ERROR_MARK: &str = "✗ ";
pub const WARNING_MARK: &str = "! ";
pub const ARROW: &str = "→";

pub fn title() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

pub fn focused() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

pub fn current_step() -> Style {
    Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
}

pub fn dim() -> Style {
    Style::new().add_modifier(Modifier::DIM)
}

pub fn error() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}

pub fn warning() -> Style {
    Style::new().fg(Color::Yellow)
}

pub fn key_hint() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}
