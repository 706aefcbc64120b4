//! The terminal's output side: a ratatui backend that remembers what the terminal already
//! has (cursor position, cursor visibility, current style) and sends only the difference,
//! in one write per frame. Over a slow SSH link every byte is latency: a typed character
//! costs 1 byte here instead of the ~38 the stock backend restates every frame.

use std::io::{self, Write};
use std::sync::{Arc, Mutex, PoisonError};

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthStr;

/// What the terminal shows text with: colours (unless `NO_COLOR`) and modifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pen {
    fg: Color,
    bg: Color,
    modifier: Modifier,
}

const PLAIN: Pen = Pen {
    fg: Color::Reset,
    bg: Color::Reset,
    modifier: Modifier::empty(),
};

/// Where the size comes from: the real terminal, or a size set from outside.
#[derive(Clone, Debug)]
enum SizeSource {
    Terminal,
    Fixed(FixedSize),
}

/// A terminal size that tests and benchmarks set, as a window resize would.
#[derive(Clone, Debug)]
pub struct FixedSize(Arc<Mutex<Size>>);

impl FixedSize {
    pub fn new(width: u16, height: u16) -> Self {
        FixedSize(Arc::new(Mutex::new(Size { width, height })))
    }

    pub fn set(&self, width: u16, height: u16) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Size { width, height };
    }

    fn get(&self) -> Size {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A ratatui backend writing to `W`. State that is `None` is unknown (at start, after a
/// write into the last column) and is stated in full the next time it matters.
pub struct TerminalOutput<W: Write> {
    writer: W,
    pending: Vec<u8>,
    size: SizeSource,
    colour: bool,
    cursor: Option<Position>,
    cursor_visible: Option<bool>,
    pen: Option<Pen>,
    /// From a full clear to the end of that frame: where the frame's furthest drawn cell
    /// ends (row-major). Everything from there on is still blank, so a short gap in a row
    /// can be crossed with spaces (1 byte each) instead of a cursor move (3-4 bytes).
    blank_from: Option<Position>,
    /// The row whose last column was just written: the cursor waits there to wrap, its
    /// column unknown, but a carriage return still takes it to the row's start.
    wrap_pending: Option<u16>,
}

impl<W: Write> TerminalOutput<W> {
    /// For the real terminal: its size is asked of the terminal. `colour: false` (`NO_COLOR`)
    /// never sends a colour code; bold, reverse and the other modifiers still go out.
    pub fn new(writer: W, colour: bool) -> Self {
        Self::with_source(writer, SizeSource::Terminal, colour)
    }

    /// A terminal whose size is whatever `size` is set to, for tests and benchmarks.
    pub fn with_size(writer: W, size: &FixedSize, colour: bool) -> Self {
        Self::with_source(writer, SizeSource::Fixed(size.clone()), colour)
    }

    fn with_source(writer: W, size: SizeSource, colour: bool) -> Self {
        TerminalOutput {
            writer,
            pending: Vec::with_capacity(4096),
            size,
            colour,
            cursor: None,
            cursor_visible: None,
            pen: None,
            blank_from: None,
            wrap_pending: None,
        }
    }

    pub fn writer(&self) -> &W {
        &self.writer
    }

    pub fn writer_mut(&mut self) -> &mut W {
        &mut self.writer
    }

    fn move_to(&mut self, to: Position) {
        if self.cursor == Some(to) {
            return;
        }
        let absolute = cursor_position(to);
        let relative = self.cursor.and_then(|from| relative_move(from, to));
        let from = self
            .cursor
            .or_else(|| self.wrap_pending.map(|y| Position { x: u16::MAX, y }));
        let over_blanks = from.and_then(|from| self.move_over_blanks(from, to));
        let shortest =
            [relative, over_blanks]
                .into_iter()
                .flatten()
                .fold(
                    absolute,
                    |best, next| {
                        if next.len() < best.len() { next } else { best }
                    },
                );
        self.pending.extend_from_slice(shortest.as_bytes());
        self.cursor = Some(to);
        self.wrap_pending = None;
    }

    /// In a repaint after a full clear, where the cells not yet drawn in this frame are
    /// known blank: spaces (1 byte each) instead of a short move right (3-4 bytes), and a
    /// carriage return and line feeds down to a later row instead of an absolute move.
    /// Spaces only under a pen that shows nothing on a blank (no background, reverse,
    /// underline or strike-through).
    fn move_over_blanks(&self, from: Position, to: Position) -> Option<String> {
        let blank = self.blank_from?;
        let pen = self.pen?;
        let visible_on_blank = Modifier::REVERSED | Modifier::UNDERLINED | Modifier::CROSSED_OUT;
        let spaces_are_invisible =
            (pen.bg == Color::Reset || !self.colour) && !pen.modifier.intersects(visible_on_blank);
        // Moving right from `x` to `to.x` on `to`'s row.
        let rightwards = |x: u16| -> String {
            let gap = usize::from(to.x - x);
            let code = relative_move(Position { x, y: to.y }, to).unwrap_or_default();
            if gap > 0
                && spaces_are_invisible
                && gap < code.len()
                && (to.y, x) >= (blank.y, blank.x)
            {
                " ".repeat(gap)
            } else {
                code
            }
        };
        if to.y == from.y {
            return (to.x > from.x).then(|| rightwards(from.x));
        }
        // A line feed never scrolls here: it starts above the row it goes to.
        if to.y > from.y {
            let mut out = String::from("\r");
            out.push_str(&"\n".repeat(usize::from(to.y - from.y)));
            if to.x > 0 {
                out.push_str(&rightwards(0));
            }
            return Some(out);
        }
        None
    }

    fn set_pen(&mut self, pen: Pen) {
        let pen = if self.colour {
            pen
        } else {
            Pen {
                fg: Color::Reset,
                bg: Color::Reset,
                ..pen
            }
        };
        if self.pen == Some(pen) {
            return;
        }
        let mut reset = vec!["0".to_owned()];
        add_codes(&mut reset, PLAIN, pen);
        let codes = match self.pen {
            Some(from) => {
                let mut delta = Vec::new();
                add_codes(&mut delta, from, pen);
                if sgr_len(&delta) < sgr_len(&reset) {
                    delta
                } else {
                    reset
                }
            }
            None => reset,
        };
        self.pending.extend_from_slice(b"\x1b[");
        self.pending.extend_from_slice(codes.join(";").as_bytes());
        self.pending.push(b'm');
        self.pen = Some(pen);
    }

    fn width(&self) -> io::Result<u16> {
        Ok(self.size()?.width)
    }
}

fn is_unsafe_in_a_cell(c: char) -> bool {
    c.is_control() || crate::safe_text::is_bidi_control(c)
}

/// `ESC[row;colH`, 1-based, with the defaults (1) left out.
fn cursor_position(to: Position) -> String {
    match (to.x, to.y) {
        (0, 0) => "\x1b[H".to_owned(),
        (0, y) => format!("\x1b[{}H", y + 1),
        (x, y) => format!("\x1b[{};{}H", y + 1, x + 1),
    }
}

/// A move along the row or the column, when the cursor stays on one of them.
fn relative_move(from: Position, to: Position) -> Option<String> {
    let step = |n: u16, code: char| {
        if n == 1 {
            format!("\x1b[{code}")
        } else {
            format!("\x1b[{n}{code}")
        }
    };
    if from.y == to.y {
        if to.x == 0 {
            return Some("\r".to_owned());
        }
        return Some(if to.x > from.x {
            step(to.x - from.x, 'C')
        } else {
            step(from.x - to.x, 'D')
        });
    }
    if from.x == to.x {
        return Some(if to.y > from.y {
            step(to.y - from.y, 'B')
        } else {
            step(from.y - to.y, 'A')
        });
    }
    None
}

fn sgr_len(codes: &[String]) -> usize {
    codes.iter().map(|c| c.len() + 1).sum()
}

/// The SGR codes that take the terminal from `from` to `to`.
fn add_codes(codes: &mut Vec<String>, from: Pen, to: Pen) {
    let removed = from.modifier - to.modifier;
    let mut added = to.modifier - from.modifier;
    // One code turns both bold and dim off; the one that stays is set again.
    if removed.intersects(Modifier::BOLD | Modifier::DIM) {
        codes.push("22".to_owned());
        added |= to.modifier & (Modifier::BOLD | Modifier::DIM);
    }
    for (modifier, off) in [
        (Modifier::ITALIC, "23"),
        (Modifier::UNDERLINED, "24"),
        (Modifier::SLOW_BLINK | Modifier::RAPID_BLINK, "25"),
        (Modifier::REVERSED, "27"),
        (Modifier::HIDDEN, "28"),
        (Modifier::CROSSED_OUT, "29"),
    ] {
        if removed.intersects(modifier) {
            codes.push(off.to_owned());
            added |= to.modifier & modifier;
        }
    }
    for (modifier, on) in [
        (Modifier::BOLD, "1"),
        (Modifier::DIM, "2"),
        (Modifier::ITALIC, "3"),
        (Modifier::UNDERLINED, "4"),
        (Modifier::SLOW_BLINK, "5"),
        (Modifier::RAPID_BLINK, "6"),
        (Modifier::REVERSED, "7"),
        (Modifier::HIDDEN, "8"),
        (Modifier::CROSSED_OUT, "9"),
    ] {
        if added.contains(modifier) {
            codes.push(on.to_owned());
        }
    }
    if from.fg != to.fg {
        codes.push(colour_code(to.fg, false));
    }
    if from.bg != to.bg {
        codes.push(colour_code(to.bg, true));
    }
}

/// The SGR code for a foreground (or, with `background`, background) colour.
fn colour_code(colour: Color, background: bool) -> String {
    let base = if background { 40 } else { 30 };
    let named = |n: u8| (base + n).to_string();
    let bright = |n: u8| (base + 60 + n).to_string();
    match colour {
        Color::Reset => (base + 9).to_string(),
        Color::Black => named(0),
        Color::Red => named(1),
        Color::Green => named(2),
        Color::Yellow => named(3),
        Color::Blue => named(4),
        Color::Magenta => named(5),
        Color::Cyan => named(6),
        Color::Gray => named(7),
        Color::DarkGray => bright(0),
        Color::LightRed => bright(1),
        Color::LightGreen => bright(2),
        Color::LightYellow => bright(3),
        Color::LightBlue => bright(4),
        Color::LightMagenta => bright(5),
        Color::LightCyan => bright(6),
        Color::White => bright(7),
        Color::Indexed(i) => format!("{};5;{i}", base + 8),
        Color::Rgb(r, g, b) => format!("{};2;{r};{g};{b}", base + 8),
    }
}

impl<W: Write> Backend for TerminalOutput<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let width = self.width()?;
        for (x, y, cell) in content {
            self.move_to(Position { x, y });
            self.set_pen(Pen {
                fg: cell.fg,
                bg: cell.bg,
                modifier: cell.modifier,
            });
            // The last guard: views escape what they show, but a control character in
            // a cell would reach the terminal, which obeys it.
            let symbol = if cell.symbol().chars().any(is_unsafe_in_a_cell) {
                "?"
            } else {
                cell.symbol()
            };
            self.pending.extend_from_slice(symbol.as_bytes());
            let advance = symbol.width() as u16;
            // In the last column the terminal's cursor waits to wrap: its place is unknown.
            self.cursor = (x + advance < width).then_some(Position { x: x + advance, y });
            self.wrap_pending = self.cursor.is_none().then_some(y);
            if let Some(blank) = &mut self.blank_from {
                let end = Position { x: x + advance, y };
                if (end.y, end.x) > (blank.y, blank.x) {
                    *blank = end;
                }
            }
        }
        Ok(())
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.cursor_visible != Some(false) {
            self.pending.extend_from_slice(b"\x1b[?25l");
            self.cursor_visible = Some(false);
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        if self.cursor_visible != Some(true) {
            self.pending.extend_from_slice(b"\x1b[?25h");
            self.cursor_visible = Some(true);
        }
        Ok(())
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        Ok(self.cursor.unwrap_or_default())
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.move_to(position.into());
        Ok(())
    }

    fn clear(&mut self) -> io::Result<()> {
        self.clear_region(ClearType::All)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        // ratatui clears twice when a terminal gets narrower; once is enough.
        if clear_type == ClearType::All && self.pending.ends_with(b"\x1b[2J") {
            return Ok(());
        }
        // Erased cells take the current background: start from plain.
        self.set_pen(PLAIN);
        let code: &[u8] = match clear_type {
            ClearType::All => b"\x1b[2J",
            ClearType::AfterCursor => b"\x1b[J",
            ClearType::BeforeCursor => b"\x1b[1J",
            ClearType::CurrentLine => b"\x1b[2K",
            ClearType::UntilNewLine => b"\x1b[K",
        };
        self.pending.extend_from_slice(code);
        if clear_type == ClearType::All {
            // A full clear starts a repaint, also after a suspend, when the cursor is
            // wherever the shell left it: the next move is absolute.
            self.cursor = None;
            self.wrap_pending = None;
            self.blank_from = Some(Position::ORIGIN);
        }
        Ok(())
    }

    fn size(&self) -> io::Result<Size> {
        match &self.size {
            SizeSource::Terminal => {
                let (width, height) = crossterm::terminal::size()?;
                Ok(Size { width, height })
            }
            SizeSource::Fixed(size) => Ok(size.get()),
        }
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        Ok(WindowSize {
            columns_rows: self.size()?,
            pixels: Size::default(),
        })
    }

    /// One write for everything since the last flush: a frame reaches the terminal whole.
    fn flush(&mut self) -> io::Result<()> {
        self.blank_from = None;
        if !self.pending.is_empty() {
            self.writer.write_all(&self.pending)?;
            self.pending.clear();
        }
        self.writer.flush()
    }
}

#[cfg(test)]
mod tests;
