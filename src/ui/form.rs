//! The generic form: one block per catalog field, scrolled to keep the focus in view.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Theme, text};
use crate::wizard::view::{FieldView, FormTitle};
use crate::wizard::{FieldState, Wizard};

/// At this width and above, labels and values share a line.
const SIDE_BY_SIDE_WIDTH: u16 = 64;
const LABEL_COLUMN: usize = 31;
/// Rows a revealed secret leaves free for the heading, its count and its info line.
const REVEAL_MARGIN: usize = 6;

struct Layout {
    value_x: usize,
    value_width: usize,
    side_by_side: bool,
}

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    wizard: &Wizard,
    draft: usize,
    focus: usize,
    revealed: bool,
    theme: Theme,
) {
    let defs = wizard.form_fields(draft);
    let width = usize::from(area.width);
    let side_by_side = area.width >= SIDE_BY_SIDE_WIDTH;
    let layout = if side_by_side {
        Layout {
            value_x: LABEL_COLUMN,
            value_width: width.saturating_sub(LABEL_COLUMN),
            side_by_side,
        }
    } else {
        Layout {
            value_x: 4,
            value_width: width.saturating_sub(4),
            side_by_side,
        }
    };
    let d = &wizard.forms()[draft];
    let mut lines = vec![
        Line::styled(title(wizard, draft, theme), theme.title()),
        Line::default(),
    ];
    let mut caret = None;
    let mut focus_rows = (0, 0);
    for index in 0..defs.len() {
        let start = lines.len();
        let view = wizard.field_view(draft, index, focus);
        let focused = view.focused;
        let (value_lines, value_caret) = value_spans(
            &d.fields[index],
            Shown {
                focused,
                revealed: focused && revealed,
                width: layout.value_width,
                max_rows: usize::from(area.height).saturating_sub(REVEAL_MARGIN),
            },
            theme,
        );
        let label = theme.text(&view.label);
        let value_row = push_field(&mut lines, &label, focused, value_lines, &layout, theme);
        if focused {
            caret = value_caret.map(|(row, x)| (layout.value_x + x, value_row + row));
        }
        lines.extend(messages(&view, &layout, theme));
        lines.extend(super::test_panel::under_field(
            wizard,
            draft,
            index,
            (layout.value_x, width),
            theme,
        ));
        if focused {
            focus_rows = (start, lines.len());
        }
    }
    lines.extend(super::test_panel::panel(wizard, draft, width, theme));
    if let Some(offer) = wizard.fill_offer(draft) {
        lines.push(Line::default());
        lines.extend(crate::ui::text::wrapped_lines(
            &theme.text(&crate::keymap::name_keys(&offer)),
            width,
            2,
            theme.dim(),
        ));
    }
    let height = usize::from(area.height);
    let caret_row = caret.map_or(0, |(_, y)| y);
    let offset = scroll_offset(focus_rows, caret_row, height);
    frame.render_widget(Paragraph::new(lines).scroll((offset as u16, 0)), area);
    if let Some((x, y)) = caret
        && y >= offset
        && y < offset + height
        && x < width
    {
        frame.set_cursor_position(Position::new(
            area.x + x as u16,
            area.y + (y - offset) as u16,
        ));
    }
}

/// "Historical settings · new integration", or "· editing east" (see `form_title`).
fn title(wizard: &Wizard, draft: usize, theme: Theme) -> String {
    let FormTitle { operation, what } = wizard.form_title(draft);
    theme
        .text(&format!("{operation}{}{what}", theme.dot()))
        .into_owned()
}

/// Adds a field's label and value lines; returns the row of the value's first line.
/// Focus is the bold marker alone: restyling a whole label costs ~50 bytes per Tab.
fn push_field(
    lines: &mut Vec<Line<'static>>,
    label: &str,
    focused: bool,
    mut value_lines: Vec<Vec<Span<'static>>>,
    layout: &Layout,
    theme: Theme,
) -> usize {
    let marker = if focused {
        Span::styled(theme.marker(), theme.focused())
    } else {
        Span::raw(theme.no_marker())
    };
    let first_value = if value_lines.is_empty() {
        Vec::new()
    } else {
        value_lines.remove(0)
    };
    let indent = || Span::raw(" ".repeat(layout.value_x));
    let mut first = if layout.side_by_side {
        let label = format!("{label:<w$}", w = LABEL_COLUMN - 2);
        vec![marker, Span::raw(label)]
    } else {
        lines.push(Line::from(vec![marker, Span::raw(label.to_owned())]));
        vec![indent()]
    };
    first.extend(first_value);
    lines.push(Line::from(first));
    let value_row = lines.len() - 1;
    for extra in value_lines {
        let mut spans = vec![indent()];
        spans.extend(extra);
        lines.push(Line::from(spans));
    }
    value_row
}

/// Keeps the focused field's block on screen, preferring its first line, but never
/// scrolls the caret (and the line after it) out of view.
fn scroll_offset((start, end): (usize, usize), caret_row: usize, height: usize) -> usize {
    let block = if end <= height {
        0
    } else {
        (end - height).min(start)
    };
    block.max((caret_row + 2).min(end).saturating_sub(height))
}

/// The value's lines of spans and the caret (line, column) within them, if it shows one.
type ValueView = (Vec<Vec<Span<'static>>>, Option<(usize, usize)>);

/// How a value is shown: whether it has the focus and is revealed, and the room it has.
#[derive(Clone, Copy)]
struct Shown {
    focused: bool,
    revealed: bool,
    width: usize,
    max_rows: usize,
}

fn value_spans(state: &FieldState, shown: Shown, theme: Theme) -> ValueView {
    let Shown {
        focused,
        revealed,
        width,
        max_rows,
    } = shown;
    match state {
        FieldState::Text(input) => {
            let scroll = if focused {
                input.visual_scroll(width.saturating_sub(1))
            } else {
                0
            };
            let shown: String = input.value().chars().skip(scroll).take(width).collect();
            let caret = input.visual_cursor().saturating_sub(scroll);
            let shown = theme.typed(&shown).into_owned();
            (vec![vec![Span::raw(shown)]], Some((0, caret)))
        }
        FieldState::Toggle(on) => {
            let text = if *on { "[x] enabled" } else { "[ ] disabled" };
            (vec![vec![Span::raw(text)]], None)
        }
        FieldState::Secret(secret) => {
            if secret.typed.is_empty() {
                return match &secret.stored {
                    // Never "stored" for an entry the check found gone.
                    Some(reference) if secret.vanished => (
                        vec![vec![Span::styled(
                            format!("gone from {}{}type it again", reference.store, theme.dot()),
                            theme.error(),
                        )]],
                        Some((0, 0)),
                    ),
                    Some(reference) => (
                        vec![vec![Span::styled(
                            format!(
                                "stored in {}{}type to replace",
                                reference.store,
                                theme.dot()
                            ),
                            theme.dim(),
                        )]],
                        Some((0, 0)),
                    ),
                    None => (vec![Vec::new()], Some((0, 0))),
                };
            }
            let count = secret.typed.char_count();
            let length = format!("({})", crate::wording::chars(count));
            if focused && !revealed {
                // While typing, only the mask grows: a count after the caret would
                // shift, and be re-sent, with every character. It shows on leaving.
                let room = width.saturating_sub(1);
                let shown = theme.mask().to_string().repeat(count.min(room));
                // Every mask character looks alike: past the room, the caret stops
                // at its edge instead of scrolling the row.
                let caret = secret.typed.caret().min(room);
                return (vec![vec![Span::raw(shown)]], Some((0, caret)));
            }
            if revealed {
                // On its own line under the value: no space before it.
                return revealed_lines(
                    secret.typed.expose(),
                    secret.typed.caret(),
                    (width.max(1), max_rows),
                    Span::styled(length, theme.dim()),
                    theme,
                );
            }
            let suffix = Span::styled(format!(" {length}"), theme.dim());
            let room = width.saturating_sub(suffix.content.len() + 1);
            let shown = theme.mask().to_string().repeat(count.min(room));
            let caret = shown.chars().count();
            (vec![vec![Span::raw(shown), suffix]], Some((0, caret)))
        }
    }
}

/// A revealed secret wrapped to `width`. When it needs more than `max_rows` rows, its
/// start and end are shown with the count of characters between: never cut silently.
fn revealed_lines(
    value: &str,
    at: usize,
    (width, max_rows): (usize, usize),
    suffix: Span<'static>,
    theme: Theme,
) -> ValueView {
    let chars: Vec<char> = value.chars().collect();
    let rows: Vec<String> = chars.chunks(width).map(|c| c.iter().collect()).collect();
    let last_len = rows.last().map_or(0, |r| r.chars().count());
    let line = |r: &String| vec![Span::raw(theme.typed(r).into_owned())];
    // The caret's row and column among `rows` (at the very end: after the last row's
    // last character, as typing leaves it).
    let (caret_row, caret_column) = if at >= chars.len() {
        (rows.len().saturating_sub(1), last_len)
    } else {
        (at / width, at % width)
    };
    let mut caret = (caret_row, caret_column);
    let mut lines: Vec<Vec<Span<'static>>> = if rows.len() > max_rows && max_rows >= 3 {
        let head = (max_rows - 1) / 2;
        let tail = max_rows - 1 - head;
        let first_tail = rows.len() - tail;
        caret = if caret_row < head {
            caret
        } else if caret_row >= first_tail {
            (head + 1 + caret_row - first_tail, caret_column)
        } else {
            (head, 0) // inside the part not shown: on the line that counts it
        };
        let hidden: usize = rows[head..rows.len() - tail]
            .iter()
            .map(|r| r.chars().count())
            .sum();
        let mut out: Vec<_> = rows[..head].iter().map(line).collect();
        let ellipsis = theme.ellipsis();
        out.push(vec![Span::styled(
            format!("{ellipsis} {hidden} more characters {ellipsis}"),
            theme.dim(),
        )]);
        out.extend(rows[rows.len() - tail..].iter().map(line));
        out
    } else {
        rows.iter().map(line).collect()
    };
    if lines.is_empty() {
        caret = (0, 0);
    }
    lines.push(vec![suffix]);
    (lines, Some(caret))
}

/// Error, warning and info lines under a field. Errors and warnings wait until the
/// operator has left the field once (the view leaves them out until then).
fn messages(view: &FieldView, layout: &Layout, theme: Theme) -> Vec<Line<'static>> {
    let width = layout.value_x + layout.value_width;
    let mut out = Vec::new();
    if let Some(error) = &view.error {
        out.extend(text::wrapped_lines(
            &format!("{}{}", theme.error_mark(), theme.text(error)),
            width,
            layout.value_x,
            theme.error(),
        ));
    }
    if let Some(warning) = &view.warning {
        out.extend(text::wrapped_lines(
            &format!("{}{}", theme.warning_mark(), theme.text(warning)),
            width,
            layout.value_x,
            theme.warning(),
        ));
    }
    if let Some(info) = &view.info {
        out.extend(text::wrapped_lines(
            &theme.text(info),
            width,
            layout.value_x,
            theme.dim(),
        ));
    }
    out
}
