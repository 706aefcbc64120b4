use ratatui::Terminal;
use ratatui::layout::Position;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{FixedSize, TerminalOutput};

/// Everything written, and how many `write` calls it took.
#[derive(Default)]
struct Recorder {
    bytes: Vec<u8>,
    writes: usize,
}

impl std::io::Write for Recorder {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes.extend_from_slice(buf);
        self.writes += 1;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn terminal(width: u16, height: u16, colour: bool) -> Terminal<TerminalOutput<Recorder>> {
    let size = FixedSize::new(width, height);
    let output = TerminalOutput::with_size(Recorder::default(), &size, colour);
    Terminal::new(output).unwrap()
}

/// Draws `lines` with the caret at `caret`, returning what that frame wrote.
fn frame(
    terminal: &mut Terminal<TerminalOutput<Recorder>>,
    lines: Vec<Line<'static>>,
    caret: Option<(u16, u16)>,
) -> String {
    let before = terminal.backend().writer().bytes.len();
    terminal
        .draw(|f| {
            f.render_widget(Paragraph::new(lines), f.area());
            if let Some((x, y)) = caret {
                f.set_cursor_position(Position { x, y });
            }
        })
        .unwrap();
    String::from_utf8(terminal.backend().writer().bytes[before..].to_vec()).unwrap()
}

#[test]
fn the_first_frame_states_position_style_and_cursor_once() {
    let mut t = terminal(10, 3, true);
    let out = frame(&mut t, vec![Line::from("hi")], None);
    assert_eq!(out, "\x1b[H\x1b[0mhi\x1b[?25l");
    assert_eq!(t.backend().writer().writes, 1, "one write per frame");
}

#[test]
fn an_unchanged_frame_writes_nothing_at_all() {
    let mut t = terminal(10, 3, true);
    frame(&mut t, vec![Line::from("hi")], Some((2, 0)));
    let writes = t.backend().writer().writes;
    let out = frame(&mut t, vec![Line::from("hi")], Some((2, 0)));
    assert_eq!(out, "");
    assert_eq!(
        t.backend().writer().writes,
        writes,
        "not even an empty write"
    );
}

#[test]
fn a_typed_character_at_the_caret_costs_one_byte() {
    let mut t = terminal(10, 3, true);
    let first = frame(&mut t, vec![Line::from("hi")], Some((2, 0)));
    assert_eq!(first, "\x1b[H\x1b[0mhi\x1b[?25h");
    assert_eq!(frame(&mut t, vec![Line::from("hix")], Some((3, 0))), "x");
    assert_eq!(frame(&mut t, vec![Line::from("hixy")], Some((4, 0))), "y");
}

#[test]
fn a_deleted_character_is_a_step_back_and_a_blank() {
    let mut t = terminal(10, 3, true);
    frame(&mut t, vec![Line::from("abc")], Some((3, 0)));
    // Cursor at 3: one left to 2, a space (cursor at 3), one left again.
    assert_eq!(
        frame(&mut t, vec![Line::from("ab")], Some((2, 0))),
        "\x1b[D \x1b[D"
    );
}

#[test]
fn moving_focus_restyles_only_the_changed_cells_with_the_shorter_code() {
    let mut t = terminal(12, 3, true);
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let lines = |first: bool| {
        let (a, b) = if first {
            (bold, Style::new())
        } else {
            (Style::new(), bold)
        };
        vec![
            Line::from(vec![
                Span::styled(if first { "> " } else { "  " }, a),
                Span::styled("one", a),
            ]),
            Line::from(vec![
                Span::styled(if first { "  " } else { "> " }, b),
                Span::styled("two", b),
            ]),
        ]
    };
    let first = frame(&mut t, lines(true), None);
    assert_eq!(first, "\x1b[H\x1b[0;1m> one\x1b[2;3H\x1b[0mtwo\x1b[?25l");
    // The pen is plain after "two": row 1 needs no code, row 2 gains bold.
    let second = frame(&mut t, lines(false), None);
    assert_eq!(second, "\x1b[H  one\x1b[2H\x1b[1m> two");
}

#[test]
fn colours_are_sent_only_when_allowed_and_modifiers_always() {
    let error = Style::new().fg(Color::Red).add_modifier(Modifier::BOLD);
    let mut coloured = terminal(10, 3, true);
    let out = frame(&mut coloured, vec![Line::styled("x", error)], None);
    assert_eq!(out, "\x1b[H\x1b[0;1;31mx\x1b[?25l");
    let mut plain = terminal(10, 3, false);
    let out = frame(&mut plain, vec![Line::styled("x", error)], None);
    assert_eq!(out, "\x1b[H\x1b[0;1mx\x1b[?25l");
    let reversed = Style::new()
        .bg(Color::Blue)
        .add_modifier(Modifier::REVERSED);
    let out = frame(&mut plain, vec![Line::styled("y", reversed)], None);
    assert_eq!(
        out, "\r\x1b[0;7my",
        "the cursor after x is known: a carriage return"
    );
}

#[test]
fn a_cell_in_the_last_column_forgets_the_cursor_position() {
    let mut t = terminal(3, 2, true);
    frame(&mut t, vec![Line::from("abc")], None);
    // After "c" in the last column the cursor's place is unknown: stated absolutely.
    assert_eq!(
        frame(
            &mut t,
            vec![Line::from("abc"), Line::from("d")],
            Some((1, 1))
        ),
        "\x1b[2Hd\x1b[?25h"
    );
}

#[test]
fn a_wide_character_advances_the_cursor_by_two() {
    let mut t = terminal(10, 2, true);
    assert_eq!(
        frame(&mut t, vec![Line::from("\u{4e16}x")], Some((3, 0))),
        "\x1b[H\x1b[0m\u{4e16}x\x1b[?25h"
    );
}

#[test]
fn a_resize_clears_once_and_repaints_everything_for_the_new_size() {
    let size = FixedSize::new(10, 2);
    let output = TerminalOutput::with_size(Recorder::default(), &size, true);
    let mut t = Terminal::new(output).unwrap();
    frame(&mut t, vec![Line::from("ab")], None);
    size.set(6, 3);
    let out = frame(&mut t, vec![Line::from("ab"), Line::from("c")], None);
    assert_eq!(t.backend().writer().writes, 2, "one write per frame");
    // The pen is already plain and not restated. The cursor is placed absolutely: a
    // terminal that shrinks (or a shell, during a suspend) may have moved it. The next
    // row is then a carriage return and a line feed away.
    assert_eq!(out, "\x1b[2J\x1b[Hab\r\nc");
    size.set(4, 3);
    let narrower = frame(&mut t, vec![Line::from("ab"), Line::from("c")], None);
    assert_eq!(
        narrower, "\x1b[2J\x1b[Hab\r\nc",
        "one clear, though ratatui asks twice"
    );
}

#[test]
fn an_added_modifier_is_sent_alone_when_that_is_shorter_than_a_reset() {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let mut t = terminal(10, 2, true);
    frame(&mut t, vec![Line::styled("ab", bold)], Some((0, 1)));
    let out = frame(
        &mut t,
        vec![Line::from(vec![
            Span::styled("a", bold),
            Span::styled("b", bold.add_modifier(Modifier::REVERSED)),
        ])],
        Some((0, 1)),
    );
    assert_eq!(out, "\x1b[1;2H\x1b[7mb\x1b[2H");
}

#[test]
fn a_control_character_in_a_cell_never_reaches_the_terminal() {
    let mut t = terminal(10, 1, true);
    t.draw(|f| {
        // ratatui refuses C0/C1 controls in a cell only in debug builds; these it takes.
        f.buffer_mut()[(0, 0)].set_symbol("\u{202e}");
        f.buffer_mut()[(1, 0)].set_symbol("\u{2066}");
        f.buffer_mut()[(2, 0)].set_symbol("a\u{200f}");
        f.buffer_mut()[(3, 0)].set_symbol("k");
    })
    .unwrap();
    let out = String::from_utf8(t.backend().writer().bytes.clone()).unwrap();
    assert_eq!(out, "\x1b[H\x1b[0m???k\x1b[?25l");
}

#[test]
fn after_a_clear_a_short_gap_is_crossed_with_spaces_not_a_cursor_move() {
    let mut t = terminal(20, 2, true);
    let words = || vec![Line::from("a b  c    d")];
    // Without a clear the cells in between are not known blank: a cursor move.
    let first = frame(&mut t, words(), None);
    assert_eq!(first, "\x1b[H\x1b[0ma\x1b[Cb\x1b[2Cc\x1b[4Cd\x1b[?25l");
    t.clear().unwrap();
    let repaint = frame(&mut t, words(), None);
    // Gaps of 1 and 2 cost their spaces; a gap of 4 stays a move (4 bytes either way).
    assert!(repaint.starts_with("\x1b[2J"), "{repaint:?}");
    assert!(repaint.ends_with("a b  c\x1b[4Cd"), "{repaint:?}");
    // Never over a style that shows on a blank (a background, reverse, underline).
    t.clear().unwrap();
    let styled = vec![Line::from(vec![
        Span::styled("a", Style::default().add_modifier(Modifier::REVERSED)),
        Span::raw(" "),
        Span::styled("b", Style::default().add_modifier(Modifier::REVERSED)),
    ])];
    let repaint = frame(&mut t, styled, None);
    assert!(repaint.contains("a\x1b[C"), "{repaint:?}");
    // The next frame, no longer after a clear, moves again.
    let next = frame(&mut t, vec![Line::from("x y")], None);
    assert!(!next.contains("x y"), "{next:?}");
}

#[test]
fn after_a_clear_a_later_row_is_reached_with_line_feeds_also_from_the_last_column() {
    let mut t = terminal(10, 6, true);
    let lines = || {
        vec![
            Line::from("0123456789"),
            Line::from(" b"),
            Line::from(""),
            Line::from(" c"),
        ]
    };
    frame(&mut t, lines(), None);
    t.clear().unwrap();
    let repaint = frame(&mut t, lines(), None);
    // From the last column (the cursor waits to wrap) a carriage return and a line feed;
    // a blank row skipped with a second line feed.
    assert!(repaint.ends_with("0123456789\r\n b\r\n\n c"), "{repaint:?}");
    let mut screen = vt100::Parser::new(6, 10, 0);
    screen.process(repaint.as_bytes());
    assert_eq!(screen.screen().contents(), "0123456789\n b\n\n c");
}
