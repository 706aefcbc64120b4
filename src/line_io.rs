//! A line terminal as plain mode sees it: say a line, ask for one (echoed or not), and
//! what came back. Here, between the two, so that plain mode (which asks) and
//! `io::line_terminal` (the real terminal) need not import each other.

use secrecy::SecretString;

use crate::wizard::Interrupt;

/// Where plain mode reads answers and writes lines.
pub trait LineIo {
    /// Writes one line.
    fn say(&mut self, line: &str);
    /// Writes `prompt` and reads one line, echoed as the terminal does.
    fn ask(&mut self, prompt: &str) -> Answer;
    /// Writes `prompt` and reads one line without echo.
    fn ask_secret(&mut self, prompt: &str) -> Answer;
}

/// What the operator typed in answer to a question.
#[derive(Debug)]
pub enum Answer {
    Text(String),
    /// Typed without echo.
    Secret(SecretString),
    /// Input that could not be taken as typed (why, and that nothing changed).
    Unreadable(String),
    /// Ctrl-C while reading a secret (elsewhere the cooked terminal sends SIGINT).
    Interrupted,
    /// End of input (Ctrl-D, or the terminal went away).
    End,
    /// A signal ends the program while it waited for this answer.
    Stopped(Interrupt),
}
