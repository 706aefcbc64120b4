//! Carries an operator's comments and blank lines from the old file text into a newly
//! rendered one, by node path (`integrations[2].settings.client_id`), so a save keeps
//! them. Pure: text in, text out, plus the comments that had nowhere to go.
//!
//! - A comment line or blank line belongs to the next node that starts after it; a
//!   comment after a value (`group: east  # do not rename`) belongs to the last node
//!   that starts on its line; what follows the last node stays at the end.
//! - The old file's leading comment block replaces the new text's header.
//! - Integrations are matched through `successor`; a node that no longer exists loses
//!   its comments to `Carried::lost`.
//!
//! Line ends come out as the new text has them (the old text's `\r\n` is not kept).

mod outline;

use std::collections::HashMap;

use outline::{CommentSpan, Outline, Segment, is_space};

/// The new text with the old text's comments in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Carried {
    pub text: String,
    /// Comments whose node is gone (a deleted integration, a removed setting), in old
    /// text order. Review lists them before writing.
    pub lost: Vec<LostComment>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LostComment {
    /// 1-based, in the old text.
    pub line: usize,
    /// The comment, `#` included, trimmed.
    pub text: String,
}

/// Carries the comments and blank lines of `old_text` into `new_text`.
/// `successor[i]` is the index in the new document of old integration `i` (`None`: it
/// was deleted). Both texts should parse as documents; when one cannot be read, the
/// result is `new_text` and every comment of the old text is reported lost.
pub fn carry_comments(old_text: &str, new_text: &str, successor: &[Option<usize>]) -> Carried {
    let Ok(old) = Outline::read(old_text) else {
        return Carried {
            text: new_text.to_owned(),
            lost: comment_looking_lines(old_text),
        };
    };
    let layout = Layout::of(&old);
    let Ok(new) = Outline::read(new_text) else {
        return Carried {
            text: new_text.to_owned(),
            lost: layout.all_comments(),
        };
    };
    let placed = Placed::of(&layout, &old, &new, successor);
    let text = render(&new, &layout, &placed);
    Carried {
        text,
        lost: placed.lost,
    }
}

/// A line the old text carries: blank, or a whole-line comment (`text` trimmed).
#[derive(Clone, Copy)]
enum Item<'a> {
    Blank,
    Comment { line: usize, text: &'a str },
}

struct Trailing<'a> {
    node: usize,
    line: usize,
    /// The whitespace between the value and the comment, kept as written.
    gap: &'a str,
    text: &'a str,
}

/// The old text's comments and blank lines, each attached to an old node.
struct Layout<'a> {
    header: Vec<Item<'a>>,
    /// Lines to go before a node, by old node index, in text order.
    before: Vec<(usize, Vec<Item<'a>>)>,
    trailing: Vec<Trailing<'a>>,
    end: Vec<Item<'a>>,
}

impl<'a> Layout<'a> {
    fn of(old: &Outline<'a>) -> Self {
        let mut layout = Layout {
            header: Vec::new(),
            before: Vec::new(),
            trailing: Vec::new(),
            end: Vec::new(),
        };
        // (line, node a comment there belongs to), in document order.
        let anchors: Vec<(usize, usize)> = old
            .nodes
            .iter()
            .filter_map(|n| Some((n.line, n.anchor?)))
            .collect();
        let mut comments = old.comments.iter().peekable();
        // `next`: the first anchor that starts after the current line.
        let mut next = 0;
        for line in 1..=old.line_count() {
            while anchors.get(next).is_some_and(|&(at, _)| at <= line) {
                next += 1;
            }
            let mut comment: Option<&CommentSpan> = None;
            while let Some(c) = comments.next_if(|c| c.line <= line) {
                comment = Some(c);
            }
            let item = if let Some(comment) = comment {
                let text = old.comment_text(comment);
                let on_this_line = next
                    .checked_sub(1)
                    .map(|a| anchors[a])
                    .filter(|&(at, _)| at == line)
                    .map(|(_, node)| node);
                match on_this_line {
                    Some(node) if !old.starts_its_line(comment) => {
                        layout.trailing.push(Trailing {
                            node,
                            line,
                            gap: old.gap_before(comment),
                            text,
                        });
                        continue;
                    }
                    // A whole-line comment, or one after something that is not a node
                    // (`- # note`): either way it goes before the next node.
                    _ => Item::Comment { line, text },
                }
            } else if old.is_blank(line) && !Outline::flag(&old.in_scalar, line) {
                Item::Blank
            } else {
                continue;
            };
            layout.attach(item, next, &anchors);
        }
        layout
    }

    /// Attaches an item to `anchors[next]`: the first anchor is the header's, none the end's.
    fn attach(&mut self, item: Item<'a>, next: usize, anchors: &[(usize, usize)]) {
        let Some(&(_, node)) = anchors.get(next) else {
            self.end.push(item);
            return;
        };
        if next == 0 {
            self.header.push(item);
        } else if let Some((_, items)) = self.before.last_mut().filter(|(n, _)| *n == node) {
            items.push(item);
        } else {
            self.before.push((node, vec![item]));
        }
    }

    fn all_comments(&self) -> Vec<LostComment> {
        let blocks = self.before.iter().flat_map(|(_, items)| items);
        let mut lost: Vec<LostComment> = self
            .header
            .iter()
            .chain(blocks)
            .chain(&self.end)
            .filter_map(lost_comment)
            .chain(self.trailing.iter().map(|t| LostComment {
                line: t.line,
                text: t.text.to_owned(),
            }))
            .collect();
        lost.sort_by_key(|l| l.line);
        lost
    }
}

fn lost_comment(item: &Item) -> Option<LostComment> {
    match *item {
        Item::Blank => None,
        Item::Comment { line, text } => Some(LostComment {
            line,
            text: text.to_owned(),
        }),
    }
}

/// Without the parser, the best guess at what was lost: every line that looks like a comment.
fn comment_looking_lines(text: &str) -> Vec<LostComment> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let line = line.trim_matches(|c: char| is_space(c) || c == '\r');
            line.starts_with('#').then(|| LostComment {
                line: i + 1,
                text: line.to_owned(),
            })
        })
        .collect()
}

/// Where each carried line goes in the new text, by new line number.
struct Placed<'a> {
    before: HashMap<usize, Vec<Item<'a>>>,
    trailing: HashMap<usize, Vec<&'a Trailing<'a>>>,
    lost: Vec<LostComment>,
}

impl<'a> Placed<'a> {
    fn of(
        layout: &'a Layout<'a>,
        old: &Outline<'a>,
        new: &Outline<'_>,
        successor: &[Option<usize>],
    ) -> Self {
        let index: HashMap<(Option<usize>, &Segment), usize> = new
            .nodes
            .iter()
            .enumerate()
            .rev() // the first of two equal paths wins
            .map(|(i, node)| ((node.parent, &node.segment), i))
            .collect();
        let new_line = |old_node: usize| {
            successor_node(old, &index, successor, old_node).map(|n| new.nodes[n].place_line)
        };
        let mut placed = Placed {
            before: HashMap::new(),
            trailing: HashMap::new(),
            lost: Vec::new(),
        };
        for (node, items) in &layout.before {
            match new_line(*node) {
                Some(line) => placed.before.entry(line).or_default().extend(items),
                None => placed.lost.extend(items.iter().filter_map(lost_comment)),
            }
        }
        for trailing in &layout.trailing {
            match new_line(trailing.node) {
                Some(line) => placed.trailing.entry(line).or_default().push(trailing),
                None => placed.lost.push(LostComment {
                    line: trailing.line,
                    text: trailing.text.to_owned(),
                }),
            }
        }
        placed.lost.sort_by_key(|l| l.line);
        placed
    }
}

/// The new node at the old node's path, integrations mapped through `successor`.
fn successor_node(
    old: &Outline,
    index: &HashMap<(Option<usize>, &Segment), usize>,
    successor: &[Option<usize>],
    old_node: usize,
) -> Option<usize> {
    let mut chain = vec![old_node];
    while let Some(parent) = old.nodes[chain[chain.len() - 1]].parent {
        chain.push(parent);
    }
    let mut new_parent = None;
    for &node in chain.iter().rev() {
        let segment = match &old.nodes[node].segment {
            Segment::Integration(i) => Segment::Integration(successor.get(*i).copied()??),
            other => other.clone(),
        };
        new_parent = Some(*index.get(&(new_parent, &segment))?);
    }
    new_parent
}

fn render(new: &Outline, layout: &Layout, placed: &Placed) -> String {
    let eol = new
        .lines
        .first()
        .map_or("\n", |l| &new.text[l.end..l.break_end]);
    let eol = if eol.is_empty() { "\n" } else { eol };
    let mut out = String::with_capacity(new.text.len() + new.text.len() / 8);
    let replace_header = layout
        .header
        .iter()
        .any(|item| matches!(item, Item::Comment { .. }));
    let first_node_line = new.nodes.first().map_or(usize::MAX, |n| n.place_line);
    if replace_header {
        write_lines(&mut out, &layout.header, "", false, eol);
    }
    let count = new.line_count();
    let mut needs_break = false;
    for (i, line) in new.lines.iter().enumerate() {
        let number = i + 1;
        let body = &new.text[line.start..line.end];
        if replace_header && number < first_node_line && is_layout_line(new, number) {
            continue;
        }
        let mut before: Vec<Item> = placed.before.get(&number).cloned().unwrap_or_default();
        let trailing = placed.trailing.get(&number).map_or(&[][..], Vec::as_slice);
        let (appended, rest) = match trailing.split_first() {
            Some((first, rest)) if !Outline::flag(&new.open_at_end, number) => (Some(first), rest),
            _ => (None, trailing),
        };
        // A comment that cannot follow the line's text goes above it.
        before.extend(rest.iter().map(|t| Item::Comment {
            line: t.line,
            text: t.text,
        }));
        let indent = &body[..body.len() - body.trim_start_matches(is_space).len()];
        write_lines(
            &mut out,
            &before,
            indent,
            Outline::flag(&new.absorbs_blank, number),
            eol,
        );
        out.push_str(body);
        if let Some(comment) = appended {
            out.push_str(comment.gap);
            out.push_str(comment.text);
        }
        let line_break = &new.text[line.end..line.break_end];
        needs_break = line_break.is_empty();
        out.push_str(if needs_break && number < count {
            eol
        } else {
            line_break
        });
    }
    if !layout.end.is_empty() {
        if needs_break {
            out.push_str(eol);
        }
        let absorbs = Outline::flag(&new.absorbs_blank, count + 1)
            || (needs_break && Outline::flag(&new.absorbs_blank, count));
        write_lines(&mut out, &layout.end, "", absorbs, eol);
    }
    out
}

/// Blank, or a whole-line comment.
fn is_layout_line(outline: &Outline, line: usize) -> bool {
    if Outline::flag(&outline.in_scalar, line) {
        return false;
    }
    outline.is_blank(line)
        || outline
            .comments
            .binary_search_by_key(&line, |c| c.line)
            .is_ok_and(|i| outline.starts_its_line(&outline.comments[i]))
}

/// Writes carried lines, comments at `indent`. Where a block scalar ends (`absorbs_blank`),
/// a blank line would become part of its value, so blank lines go after the first comment
/// (which ends the scalar) or are left out.
fn write_lines(out: &mut String, items: &[Item], indent: &str, absorbs_blank: bool, eol: &str) {
    let first_comment = items
        .iter()
        .position(|item| matches!(item, Item::Comment { .. }));
    let (held, rest) = match first_comment {
        Some(at) if absorbs_blank => (&items[..at], &items[at..]),
        None if absorbs_blank => return,
        _ => (&[][..], items),
    };
    for (i, item) in rest.iter().enumerate() {
        match item {
            Item::Blank => out.push_str(eol),
            Item::Comment { text, .. } => {
                out.push_str(indent);
                out.push_str(text);
                out.push_str(eol);
            }
        }
        if i == 0 {
            for _ in held {
                out.push_str(eol);
            }
        }
    }
}

#[cfg(test)]
mod tests;
