//! Small text helpers for the views.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Word-wraps `text` to `width` columns; words longer than a line are split.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut len = 0;
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let mut word: Vec<char> = word.chars().collect();
            while !word.is_empty() {
                let needed = if len == 0 {
                    word.len()
                } else {
                    len + 1 + word.len()
                };
                if needed <= width {
                    if len > 0 {
                        line.push(' ');
                    }
                    line.extend(word.iter());
                    len = needed;
                    word.clear();
                } else if len > 0 {
                    lines.push(std::mem::take(&mut line));
                    len = 0;
                } else {
                    let rest = word.split_off(width);
                    lines.push(word.iter().collect());
                    word = rest;
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// How many lines [`wrap`] makes of `text` at `width`, counted without building them:
/// Review measures 20,000 problem lines at 10,000 integrations.
pub fn wrap_count(text: &str, width: usize) -> usize {
    let width = width.max(1);
    // No more characters than bytes: a text that fits in bytes fits in characters.
    if text.len() <= width && !text.contains('\n') {
        return 1;
    }
    let mut lines = 0;
    for paragraph in text.split('\n') {
        let mut len = 0;
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let mut word_len = word.chars().count();
            while word_len > 0 {
                let needed = if len == 0 {
                    word_len
                } else {
                    len + 1 + word_len
                };
                if needed <= width {
                    len = needed;
                    word_len = 0;
                } else if len > 0 {
                    lines += 1;
                    len = 0;
                } else {
                    lines += 1;
                    word_len -= width;
                }
            }
        }
        lines += 1;
    }
    lines
}

/// `text` wrapped to `width`, each line indented by `indent` spaces and styled.
pub fn wrapped_lines(text: &str, width: usize, indent: usize, style: Style) -> Vec<Line<'static>> {
    wrap(text, width.saturating_sub(indent))
        .into_iter()
        .map(|l| Line::from(vec![Span::raw(" ".repeat(indent)), Span::styled(l, style)]))
        .collect()
}

/// Keeps the last `width` characters of `text` (for long values).
#[cfg(test)]
pub fn tail(text: &str, width: usize) -> String {
    let count = text.chars().count();
    text.chars().skip(count.saturating_sub(width)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_and_splits_long_words() {
        assert_eq!(wrap("aaa bbb ccc", 7), ["aaa bbb", "ccc"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("a\nb", 10), ["a", "b"]);
        assert_eq!(wrap("", 10), [""]);
    }

    #[test]
    fn wrap_count_is_the_number_of_lines_wrap_makes() {
        let texts = [
            "",
            " ",
            "a",
            "aaa bbb ccc",
            "abcdefghij",
            "a\nb",
            "  two  spaces  between  ",
            "Historical settings (g1): Client secret: MISSING: gone from keyutils, type it again",
            "a verylongwordthatdoesnotfit and then some more words\n\nafter a blank line",
            "Öst — naïve wörds with ünïcode that wrap at several widths",
        ];
        for text in texts {
            for width in 0..40 {
                assert_eq!(
                    wrap_count(text, width),
                    wrap(text, width).len(),
                    "{text:?} at {width}"
                );
            }
        }
    }

    #[test]
    fn tail_keeps_the_end() {
        assert_eq!(tail("abcdef", 3), "def");
        assert_eq!(tail("ab", 3), "ab");
    }
}
