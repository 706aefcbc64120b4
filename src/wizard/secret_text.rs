//! An editable secret: zeroized on drop and whenever its buffer grows.

use secrecy::{ExposeSecret, ExposeSecretMut, SecretBox, SecretString};

pub struct SecretText {
    buffer: SecretBox<String>,
    /// The caret, in characters from the start (0..=`char_count`).
    caret: usize,
}

impl Default for SecretText {
    fn default() -> Self {
        Self::with_capacity(256)
    }
}

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretText([REDACTED], {} chars)", self.char_count())
    }
}

impl SecretText {
    fn with_capacity(capacity: usize) -> Self {
        SecretText {
            buffer: SecretBox::new(Box::new(String::with_capacity(capacity))),
            caret: 0,
        }
    }

    /// Makes room for `more` bytes. When the buffer must grow, the old one is
    /// zeroized rather than left behind by a reallocation.
    fn reserve(&mut self, more: usize) {
        let current = self.buffer.expose_secret();
        let needed = current.len() + more;
        if needed > current.capacity() {
            let mut grown = Self::with_capacity(needed.next_power_of_two());
            grown.buffer.expose_secret_mut().push_str(current);
            grown.caret = self.caret;
            *self = grown; // the old SecretBox zeroizes its buffer on drop
        }
    }

    /// Appends text and puts the caret at the end.
    pub fn push_str(&mut self, text: &str) {
        self.reserve(text.len());
        self.buffer.expose_secret_mut().push_str(text);
        self.caret = self.char_count();
    }

    pub fn push(&mut self, c: char) {
        let mut utf8 = [0u8; 4];
        self.push_str(c.encode_utf8(&mut utf8));
    }

    /// Inserts text at the caret and moves the caret past it. Within the capacity the
    /// bytes move in place; beyond it the buffer grows as in [`Self::push_str`].
    pub fn insert_str(&mut self, text: &str) {
        self.reserve(text.len());
        let at = self.byte_at(self.caret);
        self.buffer.expose_secret_mut().insert_str(at, text);
        self.caret += text.chars().count();
    }

    pub fn insert(&mut self, c: char) {
        let mut utf8 = [0u8; 4];
        self.insert_str(c.encode_utf8(&mut utf8));
    }

    pub fn pop(&mut self) {
        self.buffer.expose_secret_mut().pop();
        self.caret = self.caret.min(self.char_count());
    }

    /// Removes the characters `from..to` (character positions; the caret follows).
    /// The bytes after them move left in place: the spare capacity they leave is
    /// zeroized with the rest of the buffer on drop.
    fn remove(&mut self, from: usize, to: usize) -> bool {
        if from >= to {
            return false;
        }
        let (start, end) = (self.byte_at(from), self.byte_at(to));
        self.buffer
            .expose_secret_mut()
            .replace_range(start..end, "");
        if self.caret >= to {
            self.caret -= to - from;
        } else if self.caret > from {
            self.caret = from;
        }
        true
    }

    /// Backspace: the character before the caret. Whether anything changed.
    pub fn delete_before(&mut self) -> bool {
        self.caret > 0 && self.remove(self.caret - 1, self.caret)
    }

    /// Delete: the character after the caret.
    pub fn delete_after(&mut self) -> bool {
        self.remove(self.caret, (self.caret + 1).min(self.char_count()))
    }

    /// Everything before the caret (Ctrl-W, and Ctrl-U's "from start").
    pub fn delete_to_start(&mut self) -> bool {
        self.remove(0, self.caret)
    }

    /// Everything after the caret (Ctrl-K).
    pub fn delete_to_end(&mut self) -> bool {
        self.remove(self.caret, self.char_count())
    }

    pub fn clear(&mut self) {
        zeroize::Zeroize::zeroize(self.buffer.expose_secret_mut());
        self.caret = 0;
    }

    /// The caret, in characters from the start.
    pub fn caret(&self) -> usize {
        self.caret
    }

    /// Moves the caret to `to` (clamped to the value). Whether it moved.
    pub fn move_caret(&mut self, to: usize) -> bool {
        let to = to.min(self.char_count());
        let moved = to != self.caret;
        self.caret = to;
        moved
    }

    fn byte_at(&self, chars: usize) -> usize {
        let text = self.buffer.expose_secret();
        text.char_indices()
            .nth(chars)
            .map_or(text.len(), |(i, _)| i)
    }

    pub fn is_empty(&self) -> bool {
        self.buffer.expose_secret().is_empty()
    }

    pub fn char_count(&self) -> usize {
        self.buffer.expose_secret().chars().count()
    }

    /// The value, for validation, reveal and storing. Callers must not copy it into
    /// plain strings that outlive the call.
    pub fn expose(&self) -> &str {
        self.buffer.expose_secret()
    }

    pub fn to_secret(&self) -> SecretString {
        SecretString::from(self.expose().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_paste_is_kept_whole_across_growth() {
        let mut text = SecretText::default();
        let jwt = "a".repeat(1000) + "." + &"b".repeat(999);
        text.push_str(&jwt[..10]);
        text.push_str(&jwt[10..]);
        assert_eq!(text.expose(), jwt);
        assert_eq!(text.char_count(), 2000);
        text.pop();
        assert_eq!(text.char_count(), 1999);
        text.clear();
        assert!(text.is_empty());
    }

    #[test]
    fn the_caret_edits_anywhere_and_follows_the_edit() {
        let mut text = SecretText::default();
        text.push_str("hunter2");
        assert_eq!(text.caret(), 7);
        assert!(text.move_caret(3));
        text.insert('X');
        assert_eq!((text.expose(), text.caret()), ("hunXter2", 4));
        assert!(text.delete_before());
        assert_eq!((text.expose(), text.caret()), ("hunter2", 3));
        assert!(text.delete_after());
        assert_eq!((text.expose(), text.caret()), ("huner2", 3));
        text.move_caret(0);
        assert!(!text.delete_before(), "nothing before the start");
        text.move_caret(usize::MAX);
        assert_eq!(text.caret(), 6, "clamped to the end");
        assert!(!text.delete_after(), "nothing after the end");
        text.move_caret(2);
        assert!(text.delete_to_end());
        assert_eq!((text.expose(), text.caret()), ("hu", 2));
        text.move_caret(1);
        text.insert_str("öÖ");
        assert_eq!((text.expose(), text.caret()), ("höÖu", 3));
        assert!(text.delete_before());
        assert_eq!((text.expose(), text.caret()), ("höu", 2));
        assert!(text.delete_to_start());
        assert_eq!((text.expose(), text.caret()), ("u", 0));
    }

    #[test]
    fn an_insert_past_the_capacity_keeps_the_value_and_the_caret() {
        let mut text = SecretText::default();
        text.push_str(&"a".repeat(250));
        text.move_caret(10);
        text.insert_str(&"b".repeat(20));
        assert_eq!(text.caret(), 30);
        assert_eq!(text.char_count(), 270);
        assert!(text.expose()[10..30].bytes().all(|b| b == b'b'));
    }

    #[test]
    fn debug_never_shows_the_value() {
        let mut text = SecretText::default();
        text.push_str("hunter2");
        assert_eq!(format!("{text:?}"), "SecretText([REDACTED], 7 chars)");
    }
}
