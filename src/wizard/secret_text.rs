//! An editable secret: zeroized on drop and whenever its buffer grows.

use secrecy::{ExposeSecret, ExposeSecretMut, SecretBox, SecretString};

pub struct SecretText {
    buffer: SecretBox<String>,
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
        }
    }

    /// Appends text. When the buffer must grow, the old one is zeroized rather than
    /// left behind by a reallocation.
    pub fn push_str(&mut self, text: &str) {
        let current = self.buffer.expose_secret();
        let needed = current.len() + text.len();
        if needed > current.capacity() {
            let mut grown = Self::with_capacity(needed.next_power_of_two());
            grown.buffer.expose_secret_mut().push_str(current);
            *self = grown; // the old SecretBox zeroizes its buffer on drop
        }
        self.buffer.expose_secret_mut().push_str(text);
    }

    pub fn push(&mut self, c: char) {
        let mut utf8 = [0u8; 4];
        self.push_str(c.encode_utf8(&mut utf8));
    }

    pub fn pop(&mut self) {
        self.buffer.expose_secret_mut().pop();
    }

    pub fn clear(&mut self) {
        zeroize::Zeroize::zeroize(self.buffer.expose_secret_mut());
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
    fn debug_never_shows_the_value() {
        let mut text = SecretText::default();
        text.push_str("hunter2");
        assert_eq!(format!("{text:?}"), "SecretText([REDACTED], 7 chars)");
    }
}
