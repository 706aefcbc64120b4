//! What the YAML parser says about one text: its lines, where each node starts and under
//! which parent, where each comment is, and which lines belong to a scalar's text. Built
//! from the parser's events and spans, so a `#` inside a value is never taken for a comment.

use std::borrow::Cow;

use granit_parser::{Event, Parser, ScalarStyle, StructureStyle};

/// Comments the parser may hold while it looks ahead between sequence entries. Its
/// default (96) refuses a longer comment block there; this still bounds the memory a
/// hostile file can make it hold (about 10 MB).
const MAX_BUFFERED_COMMENTS: usize = 65_536;

/// One step of a node's path. Paths are compared between two texts, so a segment
/// names a node the way both texts would: by key, by integration index, or by item text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum Segment<'a> {
    Key(Cow<'a, str>),
    /// A key that is itself a collection (`? [a, b]`), by its place among the keys.
    ComplexKey(usize),
    /// An item of the top-level `integrations` sequence.
    Integration(usize),
    /// A plain-text item of any other sequence (`confirmed`), by its text.
    Item(Cow<'a, str>),
    Index(usize),
}

/// A mapping key or sequence item.
pub(super) struct Node<'a> {
    /// The line it starts on (a block scalar starts on its `|`/`>` header line).
    pub line: usize,
    /// Where text can go before it: `line`, or the line where the outermost flow
    /// collection around it starts when that collection spans lines.
    pub place_line: usize,
    /// The node a comment by this one belongs to: itself, or inside a flow collection the
    /// nearest node outside it (a flow collection is one value). `None` in a flow root.
    pub anchor: Option<usize>,
    pub parent: Option<usize>,
    pub segment: Segment<'a>,
}

/// Byte ranges of a line: its text `start..end`, then its line break `end..break_end`.
pub(super) struct Line {
    pub start: usize,
    pub end: usize,
    pub break_end: usize,
}

/// A comment's bytes, `#` included, line break excluded.
pub(super) struct CommentSpan {
    pub line: usize,
    pub start: usize,
    pub end: usize,
}

/// The parser could not read the text (or it exceeded a parser limit).
#[derive(Debug)]
pub(super) struct Unreadable;

pub(super) struct Outline<'a> {
    pub text: &'a str,
    pub lines: Vec<Line>,
    /// In document order.
    pub nodes: Vec<Node<'a>>,
    /// In text order.
    pub comments: Vec<CommentSpan>,
    /// Flags by 1-based line number, with a slot for the end of the text (`lines.len() + 1`).
    /// The line is part of a scalar's text (a blank line there is content, not layout).
    pub in_scalar: Vec<bool>,
    /// A scalar or flow collection continues past this line's end: nothing may be appended.
    pub open_at_end: Vec<bool>,
    /// A blank line inserted before this line would join the block scalar that ends here.
    pub absorbs_blank: Vec<bool>,
}

impl<'a> Outline<'a> {
    pub fn read(text: &'a str) -> Result<Self, Unreadable> {
        let lines = split_lines(text);
        let mut walker = Walker::new(text, lines);
        let options = granit_parser::options! {
            max_buffered_comment_events: MAX_BUFFERED_COMMENTS,
        };
        for next in Parser::new_from_str_with_options(text, options) {
            let (event, span) = next.map_err(|_| Unreadable)?;
            let start = span.start.byte_offset().ok_or(Unreadable)?;
            let end = span.end.byte_offset().ok_or(Unreadable)?;
            let at = Position {
                start,
                end,
                start_line: span.start.line(),
                end_line: span.end.line(),
            };
            walker.event(event, &at);
        }
        Ok(walker.finish())
    }

    pub fn line_count(&self) -> usize {
        self.lines.len()
    }

    /// The text of a 1-based line, without its line break ("" past the end).
    pub fn line_text(&self, line: usize) -> &'a str {
        self.lines
            .get(line.wrapping_sub(1))
            .map_or("", |l| &self.text[l.start..l.end])
    }

    pub fn is_blank(&self, line: usize) -> bool {
        self.line_text(line).trim_matches(is_space).is_empty()
    }

    /// Whether the comment is the first thing on its line.
    pub fn starts_its_line(&self, comment: &CommentSpan) -> bool {
        self.lines
            .get(comment.line.wrapping_sub(1))
            .and_then(|l| self.text.get(l.start..comment.start))
            .is_some_and(|before| before.trim_matches(is_space).is_empty())
    }

    pub fn comment_text(&self, comment: &CommentSpan) -> &'a str {
        self.text
            .get(comment.start..comment.end)
            .unwrap_or("#")
            .trim()
    }

    /// The whitespace before a comment that follows a value (at least one space).
    pub fn gap_before(&self, comment: &CommentSpan) -> &'a str {
        let before = self
            .lines
            .get(comment.line.wrapping_sub(1))
            .and_then(|l| self.text.get(l.start..comment.start))
            .unwrap_or("");
        let gap = &before[before.trim_end_matches(is_space).len()..];
        if gap.is_empty() { " " } else { gap }
    }

    pub fn flag(flags: &[bool], line: usize) -> bool {
        flags.get(line).copied().unwrap_or(false)
    }
}

/// Indentation and separation characters, and a byte-order mark at the very start.
pub(super) fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{feff}')
}

/// Lines as YAML counts them: `\r\n`, `\r` and `\n` each end one.
fn split_lines(text: &str) -> Vec<Line> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let break_end = match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => i + 2,
            b'\n' | b'\r' => i + 1,
            _ => {
                i += 1;
                continue;
            }
        };
        lines.push(Line {
            start,
            end: i,
            break_end,
        });
        i = break_end;
        start = i;
    }
    if start < bytes.len() {
        lines.push(Line {
            start,
            end: bytes.len(),
            break_end: bytes.len(),
        });
    }
    lines
}

struct Position {
    start: usize,
    end: usize,
    start_line: usize,
    end_line: usize,
}

enum Container {
    Mapping {
        awaiting_key: bool,
        key: Option<usize>,
        keys_seen: usize,
    },
    Sequence {
        next: usize,
        integrations: bool,
    },
}

struct Frame {
    container: Container,
    /// The tracked node whose value this collection is.
    owner: Option<usize>,
    /// Start line of this collection when it is flow style.
    flow_start: Option<usize>,
    /// Start line of the outermost flow collection around or at this one.
    outer_flow_start: Option<usize>,
    /// The `anchor` of nodes inside this collection when it is (inside) a flow collection.
    flow_anchor: Option<usize>,
}

/// Line ranges collected as differences, summed once at the end (linear in lines).
struct RangeFlags(Vec<i64>);

impl RangeFlags {
    fn new(slots: usize) -> Self {
        Self(vec![0; slots + 1])
    }
    /// Flags lines `from..to`, clamped to the slots.
    fn add(&mut self, from: usize, to: usize) {
        let last = self.0.len() - 1;
        let (from, to) = (from.min(last), to.min(last));
        if from < to {
            self.0[from] += 1;
            self.0[to] -= 1;
        }
    }
    fn finish(self) -> Vec<bool> {
        let mut sum = 0;
        let mut flags: Vec<bool> = self
            .0
            .iter()
            .map(|d| {
                sum += d;
                sum > 0
            })
            .collect();
        flags.pop();
        flags
    }
}

struct Walker<'a> {
    text: &'a str,
    lines: Vec<Line>,
    nodes: Vec<Node<'a>>,
    comments: Vec<CommentSpan>,
    frames: Vec<Frame>,
    in_scalar: RangeFlags,
    open_at_end: RangeFlags,
    absorbs_blank: Vec<bool>,
}

enum NodeValue<'a> {
    Scalar(Cow<'a, str>),
    Other,
}

impl<'a> Walker<'a> {
    fn new(text: &'a str, lines: Vec<Line>) -> Self {
        let slots = lines.len() + 2;
        Self {
            text,
            lines,
            nodes: Vec::new(),
            comments: Vec::new(),
            frames: Vec::new(),
            in_scalar: RangeFlags::new(slots),
            open_at_end: RangeFlags::new(slots),
            absorbs_blank: vec![false; slots],
        }
    }

    fn event(&mut self, event: Event<'a>, at: &Position) {
        match event {
            Event::Comment(..) => self.comments.push(CommentSpan {
                line: at.start_line,
                start: at.start,
                end: at.end,
            }),
            Event::Scalar(value, style, ..) => {
                let line = if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
                    let header = self.block_header_line(at);
                    self.in_scalar
                        .add(header + 1, self.block_content_end(header, at, &value) + 1);
                    if value.ends_with('\n')
                        && let Some(flag) = self.absorbs_blank.get_mut(at.end_line)
                    {
                        *flag = true;
                    }
                    header
                } else {
                    self.in_scalar.add(at.start_line + 1, at.end_line);
                    self.open_at_end.add(at.start_line, at.end_line);
                    at.start_line
                };
                self.node(line, NodeValue::Scalar(value));
            }
            Event::Alias(_) | Event::UnresolvedAlias(_) => {
                self.node(at.start_line, NodeValue::Other);
            }
            Event::MappingStart(style, ..) => self.open(at, style, true),
            Event::SequenceStart(style, ..) => self.open(at, style, false),
            Event::MappingEnd | Event::SequenceEnd => {
                if let Some(frame) = self.frames.pop()
                    && let Some(start) = frame.flow_start
                {
                    self.open_at_end.add(start, at.end_line);
                }
            }
            _ => {}
        }
    }

    fn open(&mut self, at: &Position, style: StructureStyle, mapping: bool) {
        let owner = self.node(at.start_line, NodeValue::Other);
        let flow_start = (style == StructureStyle::Flow).then_some(at.start_line);
        let outer_flow_start = self
            .frames
            .last()
            .and_then(|f| f.outer_flow_start)
            .or(flow_start);
        let flow_anchor = match self.frames.last() {
            Some(parent) if parent.outer_flow_start.is_some() => parent.flow_anchor,
            _ => owner,
        };
        let container = if mapping {
            Container::Mapping {
                awaiting_key: true,
                key: None,
                keys_seen: 0,
            }
        } else {
            let integrations = owner.is_some_and(|o| {
                let node = &self.nodes[o];
                node.parent.is_none() && node.segment == Segment::Key("integrations".into())
            });
            Container::Sequence {
                next: 0,
                integrations,
            }
        };
        self.frames.push(Frame {
            container,
            owner,
            flow_start,
            outer_flow_start,
            flow_anchor,
        });
    }

    /// Records a node event. Returns the tracked node that owns a collection opened by it.
    fn node(&mut self, line: usize, value: NodeValue<'a>) -> Option<usize> {
        let index = self.nodes.len();
        let frame = self.frames.last_mut()?;
        let segment = match &mut frame.container {
            Container::Mapping {
                awaiting_key,
                key,
                keys_seen,
            } => {
                if !*awaiting_key {
                    // A value: the key before it is the node.
                    *awaiting_key = true;
                    return *key;
                }
                *awaiting_key = false;
                *keys_seen += 1;
                *key = Some(index);
                match value {
                    NodeValue::Scalar(text) => Segment::Key(text),
                    NodeValue::Other => Segment::ComplexKey(*keys_seen),
                }
            }
            Container::Sequence { next, integrations } => {
                let position = *next;
                *next += 1;
                match value {
                    _ if *integrations => Segment::Integration(position),
                    NodeValue::Scalar(text) => Segment::Item(text),
                    NodeValue::Other => Segment::Index(position),
                }
            }
        };
        let in_flow = frame.outer_flow_start.is_some();
        self.nodes.push(Node {
            line,
            place_line: frame.outer_flow_start.unwrap_or(line),
            anchor: if in_flow {
                frame.flow_anchor
            } else {
                Some(index)
            },
            parent: frame.owner,
            segment,
        });
        Some(index)
    }

    fn is_blank(&self, line: usize) -> bool {
        self.lines
            .get(line.wrapping_sub(1))
            .is_none_or(|l| self.text[l.start..l.end].trim_matches(is_space).is_empty())
    }

    /// The line of a block scalar's `|`/`>` header: the span starts at the content, and
    /// only blank lines lie between the header and the content.
    fn block_header_line(&self, at: &Position) -> usize {
        let before_start_on_its_line = self
            .lines
            .get(at.start_line.wrapping_sub(1))
            .and_then(|l| self.text.get(l.start..at.start.max(l.start)));
        if before_start_on_its_line.is_some_and(|t| !t.trim_matches(is_space).is_empty()) {
            return at.start_line;
        }
        let mut line = at.start_line.min(self.lines.len() + 1).saturating_sub(1);
        while line > 1 && self.is_blank(line) {
            line -= 1;
        }
        line.max(1)
    }

    /// The last line of a block scalar's text. Its span runs on to the next token, over
    /// blank lines that are its content only when it keeps its line ends (`|+`); those
    /// are counted by the line ends its value ends with, beyond the last line's own.
    fn block_content_end(&self, header: usize, at: &Position, value: &str) -> usize {
        let mut last = at.end_line.min(self.lines.len() + 1).saturating_sub(1);
        while last > header && self.is_blank(last) {
            last -= 1;
        }
        let line_ends = value.len() - value.trim_end_matches('\n').len();
        last + line_ends.saturating_sub(1)
    }

    fn finish(mut self) -> Outline<'a> {
        self.comments.sort_by_key(|c| c.start);
        Outline {
            text: self.text,
            lines: self.lines,
            nodes: self.nodes,
            comments: self.comments,
            in_scalar: self.in_scalar.finish(),
            open_at_end: self.open_at_end.finish(),
            absorbs_blank: self.absorbs_blank,
        }
    }
}
