//! The process's standard output and error for messages. Messages quote paths, keyring
//! entry names and values from files and the environment, any of which may carry an
//! escape sequence: everything written here goes through [`EscapingWriter`], so no
//! control character reaches the terminal (or a log) as it is.
//!
//! Not for a secret's value (`secret get` writes those bytes to its pipe untouched), nor
//! for the full-screen wizard's own terminal control sequences.

use crate::safe_text::EscapingWriter;

/// Standard output, for messages.
pub fn stdout() -> EscapingWriter<std::io::Stdout> {
    EscapingWriter::new(std::io::stdout())
}

/// Standard error, for messages.
pub fn stderr() -> EscapingWriter<std::io::Stderr> {
    EscapingWriter::new(std::io::stderr())
}
