//! Text from a file, a keyring, the environment or argv may be hostile, and a terminal
//! obeys what it is sent: an ESC starts a sequence that can clear the screen, retitle
//! the window or fake a line. Everything such text reaches is made safe here.
//!
//! [`escape`] is for a value shown on its own (backslashes doubled, so an escape cannot
//! be faked); [`escape_controls`] is for whole messages, already made of safe program
//! text and values (backslashes kept, newlines and tabs kept); [`EscapingWriter`] applies
//! [`escape_controls`] to everything written through it: one choke point per stream.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

/// `text` with control characters and bidirectional overrides written as escapes
/// (`\x1b`, `\u{202e}`), and backslashes doubled so an escape cannot be faked.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            // A value stays on its line.
            '\n' | '\t' => push_code(&mut out, c),
            c => push_escaped(&mut out, c),
        }
    }
    out
}

/// `text` with every control character except newline and tab, and every bidirectional
/// override, written as an escape; borrowed when there is nothing to escape.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

/// Whether `c` must not reach a terminal as it is (newline and tab may).
pub fn needs_escape(c: char) -> bool {
    c != '\n' && c != '\t' && (c.is_control() || is_bidi_control(c))
}

fn push_escaped(out: &mut String, c: char) {
    if needs_escape(c) {
        push_code(out, c);
    } else {
        out.push(c);
    }
}

fn push_code(out: &mut String, c: char) {
    if u32::from(c) < 0x100 {
        let _ = write!(out, "\\x{:02x}", u32::from(c));
    } else {
        let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
    }
}

/// Characters that reorder the text around them on screen (Trojan Source).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A writer that passes text through [`escape_controls`]; bytes that are not UTF-8 go
/// out as `\xNN`. A character split across two writes is held until it is whole.
pub struct EscapingWriter<W: Write> {
    inner: W,
    /// The start of a UTF-8 character whose other bytes have not been written yet.
    partial: Vec<u8>,
}

impl<W: Write> EscapingWriter<W> {
    pub fn new(inner: W) -> Self {
        EscapingWriter {
            inner,
            partial: Vec::new(),
        }
    }

    /// Writes `bytes`, escaped; a trailing incomplete character is kept unless `last`.
    fn pass(&mut self, bytes: &[u8], last: bool) -> io::Result<()> {
        let mut rest = bytes;
        let mut out = String::with_capacity(rest.len());
        loop {
            match std::str::from_utf8(rest) {
                Ok(text) => {
                    out.push_str(&escape_controls(text));
                    break;
                }
                Err(e) => {
                    let (good, bad) = rest.split_at(e.valid_up_to());
                    // The prefix was just checked: this cannot fail.
                    out.push_str(&escape_controls(std::str::from_utf8(good).unwrap_or("")));
                    match e.error_len() {
                        Some(n) => {
                            for byte in &bad[..n] {
                                let _ = write!(out, "\\x{byte:02x}");
                            }
                            rest = &bad[n..];
                        }
                        None if !last => {
                            self.partial = bad.to_vec();
                            break;
                        }
                        None => {
                            for byte in bad {
                                let _ = write!(out, "\\x{byte:02x}");
                            }
                            break;
                        }
                    }
                }
            }
        }
        self.inner.write_all(out.as_bytes())
    }
}

impl<W: Write> Write for EscapingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut bytes = std::mem::take(&mut self.partial);
        bytes.extend_from_slice(buf);
        self.pass(&bytes, false)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write> Drop for EscapingWriter<W> {
    fn drop(&mut self) {
        if !self.partial.is_empty() {
            let bytes = std::mem::take(&mut self.partial);
            let _ = self.pass(&bytes, true);
            let _ = self.inner.flush();
        }
    }
}

#[cfg(test)]
mod tests;
