//! The operator's terminal as plain mode uses it: lines in cooked mode, where the
//! terminal itself echoes and edits (Backspace as DEL or Ctrl-H, whatever `stty erase`
//! says), and secrets with echo off.
//!
//! A secret is read with echo, canonical mode and signals off, byte by byte: no echo,
//! no 4095-byte line limit to cut a long paste, and Ctrl-C arrives as a byte we turn
//! into "quit" instead of a signal that would kill the program with echo still off.
//! The terminal's settings are put back when the read ends, however it ends (a guard
//! restores them on drop, unwinding included), and again when plain mode ends.
//!
//! A signal that ends the program (SIGTERM, SIGHUP, SIGINT) wakes a read through an
//! [`Interrupter`]: the read answers [`Answer::Stopped`], so plain mode keeps its draft
//! and exits like the full-screen wizard, instead of dying with echo off.

use std::fs::File;
use std::io::{IsTerminal, PipeReader, PipeWriter, Read, Write};

use secrecy::SecretString;
use zeroize::Zeroizing;

use crate::line_io::{Answer, LineIo};
use crate::wizard::Interrupt;

/// Cooked mode cuts a line at this many bytes (Linux `N_TTY_BUF_SIZE` - 1).
const CANONICAL_LIMIT: usize = 4095;

const NOT_A_TERMINAL: &str = "plain mode reads answers from a terminal, so that secrets can be \
    typed without echo, and standard input is not one: over SSH use `ssh -t`. For scripts, \
    `wfm-wizard validate` checks a file (an `apply --answers FILE` subcommand that writes \
    one without a terminal is planned).";

pub struct LineTerminal {
    input: File,
    /// Escaped: plain mode sends no escape sequence at all, whatever a file holds.
    output: crate::safe_text::EscapingWriter<std::io::Stdout>,
    /// Readable once an [`Interrupter`] has been used: a read stops waiting for keys.
    wake: Option<PipeReader>,
    #[cfg(unix)]
    saved: rustix::termios::Termios,
}

impl LineTerminal {
    /// Standard input as plain mode's terminal; refuses (with what to do) when it is not one.
    pub fn open() -> Result<LineTerminal, String> {
        let stdin = std::io::stdin();
        if !stdin.is_terminal() {
            return Err(NOT_A_TERMINAL.into());
        }
        open_terminal(&stdin)
    }

    /// A handle that stops whatever read is waiting, now or later, from another thread
    /// (a signal watcher).
    pub fn interrupter(&mut self) -> std::io::Result<Interrupter> {
        let (reader, writer) = std::io::pipe()?;
        self.wake = Some(reader);
        Ok(Interrupter(writer))
    }

    fn read_byte(&mut self) -> std::io::Result<Input> {
        let mut byte = [0_u8];
        loop {
            if let Some(wake) = &mut self.wake
                && wait_for_input(&self.input, wake)?
            {
                return Ok(match wake.read(&mut byte) {
                    Ok(1) => Input::Stopped(Interrupter::decode(byte[0])),
                    _ => Input::Stopped(Interrupt::HangUp),
                });
            }
            match self.input.read(&mut byte) {
                Ok(0) => return Ok(Input::End),
                Ok(_) => return Ok(Input::Byte(byte[0])),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    fn write_prompt(&mut self, prompt: &str) {
        let _ = self.output.write_all(prompt.as_bytes());
        let _ = self.output.flush();
    }

    fn read_line(&mut self) -> Answer {
        let mut line = Vec::new();
        loop {
            match self.read_byte() {
                Ok(Input::Byte(b'\n')) => break,
                Ok(Input::Byte(byte)) => line.push(byte),
                Ok(Input::Stopped(how)) => return Answer::Stopped(how),
                Ok(Input::End) if line.is_empty() => return Answer::End,
                Ok(Input::End) => break,
                Err(_) => return Answer::End,
            }
        }
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        if line.len() >= CANONICAL_LIMIT {
            return Answer::Unreadable(format!(
                "That line reached the terminal's limit of {CANONICAL_LIMIT} bytes and may have \
                 been cut; nothing was changed."
            ));
        }
        match String::from_utf8(line) {
            Ok(text) => Answer::Text(text),
            Err(_) => Answer::Unreadable(not_utf8()),
        }
    }

    fn read_hidden(&mut self) -> Answer {
        let mut bytes = SecretBytes::default();
        loop {
            match self.read_byte() {
                Ok(Input::Byte(b'\r' | b'\n')) => break,
                Ok(Input::Byte(0x7f | 0x08)) => bytes.pop_char(),
                Ok(Input::Byte(0x15)) => bytes.clear(), // Ctrl-U
                Ok(Input::Byte(0x03)) => return Answer::Interrupted,
                Ok(Input::Byte(0x04)) if bytes.is_empty() => return Answer::End,
                Ok(Input::Byte(byte)) => bytes.push(byte),
                Ok(Input::Stopped(how)) => return Answer::Stopped(how),
                Ok(Input::End) | Err(_) => return Answer::End,
            }
        }
        match std::str::from_utf8(bytes.as_slice()) {
            Ok(text) => Answer::Secret(SecretString::from(text)),
            Err(_) => Answer::Unreadable(not_utf8()),
        }
    }
}

/// What a read of one byte found.
enum Input {
    Byte(u8),
    End,
    Stopped(Interrupt),
}

/// Stops plain mode's reads from another thread; see [`LineTerminal::interrupter`].
pub struct Interrupter(PipeWriter);

impl Interrupter {
    /// The read waiting (or the next one) answers [`Answer::Stopped`] with `how`.
    pub fn interrupt(&self, how: Interrupt) {
        let byte = match how {
            Interrupt::HangUp => 0,
            Interrupt::Signal(n) => n.max(1),
        };
        let _ = (&self.0).write_all(&[byte]);
    }

    fn decode(byte: u8) -> Interrupt {
        match byte {
            0 => Interrupt::HangUp,
            n => Interrupt::Signal(n),
        }
    }
}

fn not_utf8() -> String {
    "That answer is not valid UTF-8 (is the terminal set to UTF-8?); nothing was changed.".into()
}

impl LineIo for LineTerminal {
    fn say(&mut self, line: &str) {
        let _ = writeln!(self.output, "{line}");
        let _ = self.output.flush();
    }

    fn ask(&mut self, prompt: &str) -> Answer {
        self.write_prompt(prompt);
        let answer = self.read_line();
        if matches!(answer, Answer::End) {
            self.say(""); // Ctrl-D ends no line: what follows starts on its own
        }
        answer
    }

    fn ask_secret(&mut self, prompt: &str) -> Answer {
        // Echo goes off before the prompt shows, so nothing typed after it is echoed.
        let answer = match EchoOff::new(&self.input) {
            Ok(_guard) => {
                self.write_prompt(prompt);
                self.read_hidden()
            }
            Err(e) => Answer::Unreadable(format!(
                "Cannot turn the terminal's echo off ({e}), so the secret was not asked."
            )),
        };
        // Enter was not echoed either.
        self.say("");
        answer
    }
}

/// Bytes of a secret being typed: zeroized on drop and when the buffer must grow.
struct SecretBytes(Zeroizing<Vec<u8>>);

impl Default for SecretBytes {
    fn default() -> Self {
        SecretBytes(Zeroizing::new(Vec::with_capacity(4096)))
    }
}

impl SecretBytes {
    fn push(&mut self, byte: u8) {
        if self.0.len() == self.0.capacity() {
            let mut grown = Zeroizing::new(Vec::with_capacity(self.0.capacity() * 2));
            grown.extend_from_slice(&self.0);
            self.0 = grown; // the old buffer is zeroized as it drops
        }
        self.0.push(byte);
    }

    /// Removes the last character, all of its UTF-8 bytes.
    fn pop_char(&mut self) {
        while let Some(byte) = self.0.pop() {
            if byte & 0b1100_0000 != 0b1000_0000 {
                break;
            }
        }
    }

    fn clear(&mut self) {
        zeroize::Zeroize::zeroize(&mut *self.0);
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn as_slice(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(unix)]
mod unix {
    use std::fs::File;
    use std::io::PipeReader;
    use std::os::fd::AsFd;
    use std::sync::{Mutex, PoisonError};

    use rustix::termios::{
        LocalModes, OptionalActions, SpecialCodeIndex, Termios, tcgetattr, tcsetattr,
    };

    use super::LineTerminal;

    pub(super) fn open_terminal(stdin: &std::io::Stdin) -> Result<LineTerminal, String> {
        let fail = |e: std::io::Error| format!("cannot use the terminal: {e}");
        let input = File::from(stdin.as_fd().try_clone_to_owned().map_err(fail)?);
        let saved = tcgetattr(&input).map_err(|e| fail(e.into()))?;
        Ok(LineTerminal {
            input,
            output: crate::io::standard_streams::stdout(),
            wake: None,
            saved,
        })
    }

    /// Blocks until the terminal has input (or hung up) or `wake` has been written to;
    /// `true` for the latter.
    pub(super) fn wait_for_input(input: &File, wake: &PipeReader) -> std::io::Result<bool> {
        use rustix::event::{PollFd, PollFlags, poll};
        loop {
            let mut fds = [
                PollFd::new(input, PollFlags::IN),
                PollFd::new(wake, PollFlags::IN),
            ];
            match poll(&mut fds, None) {
                Ok(_) => return Ok(!fds[1].revents().is_empty()),
                Err(rustix::io::Errno::INTR) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    impl Drop for LineTerminal {
        fn drop(&mut self) {
            let _ = tcsetattr(&self.input, OptionalActions::Now, &self.saved);
        }
    }

    /// What the secret prompt that is up will put back, for [`restore_echo`].
    static ECHO_OFF: Mutex<Option<(File, Termios)>> = Mutex::new(None);

    /// Puts back the terminal settings a secret prompt turned off, if one is up. For
    /// code that ends the process while plain mode may be reading a secret, such as a
    /// signal-watcher thread (never from inside a signal handler: it takes a lock).
    pub fn restore_echo() {
        let up = ECHO_OFF
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some((terminal, saved)) = up {
            let _ = tcsetattr(&terminal, OptionalActions::Now, &saved);
        }
    }

    /// Echo, line editing and signals off until dropped.
    pub(super) struct EchoOff {
        terminal: File,
        saved: Termios,
    }

    impl EchoOff {
        pub(super) fn new(terminal: &File) -> std::io::Result<EchoOff> {
            let terminal = terminal.try_clone()?;
            let saved = tcgetattr(&terminal)?;
            let mut quiet = saved.clone();
            quiet.local_modes &= !(LocalModes::ECHO
                | LocalModes::ECHONL
                | LocalModes::ICANON
                | LocalModes::ISIG
                | LocalModes::IEXTEN);
            quiet.special_codes[SpecialCodeIndex::VMIN] = 1;
            quiet.special_codes[SpecialCodeIndex::VTIME] = 0;
            let remembered = terminal.try_clone()?;
            tcsetattr(&terminal, OptionalActions::Now, &quiet)?;
            *ECHO_OFF.lock().unwrap_or_else(PoisonError::into_inner) =
                Some((remembered, saved.clone()));
            Ok(EchoOff { terminal, saved })
        }
    }

    impl Drop for EchoOff {
        fn drop(&mut self) {
            let _ = tcsetattr(&self.terminal, OptionalActions::Now, &self.saved);
            ECHO_OFF
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use std::os::unix::fs::OpenOptionsExt;

        fn echo(terminal: &File) -> bool {
            tcgetattr(terminal)
                .expect("terminal settings")
                .local_modes
                .contains(LocalModes::ECHO)
        }

        #[test]
        fn echo_comes_back_when_the_guard_drops_or_when_asked_to_from_elsewhere() {
            let pty = portable_pty::native_pty_system()
                .openpty(portable_pty::PtySize::default())
                .expect("a pseudo-terminal");
            let terminal = File::options()
                .read(true)
                .write(true)
                .custom_flags(rustix::fs::OFlags::NOCTTY.bits().cast_signed())
                .open(pty.master.tty_name().expect("the terminal's name"))
                .expect("open the terminal");
            assert!(echo(&terminal), "a new terminal echoes");
            {
                let _guard = EchoOff::new(&terminal).expect("echo off");
                assert!(!echo(&terminal));
            }
            assert!(echo(&terminal), "dropping the guard puts echo back");
            let guard = EchoOff::new(&terminal).expect("echo off");
            assert!(!echo(&terminal));
            restore_echo();
            assert!(
                echo(&terminal),
                "restore_echo puts it back while the guard lives"
            );
            drop(guard);
            assert!(echo(&terminal));
        }
    }
}

#[cfg(unix)]
pub use unix::restore_echo;

/// Nothing to put back where plain mode does not run.
#[cfg(not(unix))]
pub fn restore_echo() {}
#[cfg(unix)]
use unix::{EchoOff, open_terminal, wait_for_input};

#[cfg(not(unix))]
fn open_terminal(_stdin: &std::io::Stdin) -> Result<LineTerminal, String> {
    Err("plain mode needs a Unix terminal to read secrets without echo.".into())
}

#[cfg(not(unix))]
fn wait_for_input(_input: &File, _wake: &PipeReader) -> std::io::Result<bool> {
    Ok(false)
}

#[cfg(not(unix))]
struct EchoOff;

#[cfg(not(unix))]
impl EchoOff {
    fn new(_terminal: &File) -> std::io::Result<EchoOff> {
        Err(std::io::Error::other("not a Unix terminal"))
    }
}

#[cfg(test)]
mod tests {
    use super::SecretBytes;

    #[test]
    fn backspace_removes_a_whole_character_and_growth_keeps_every_byte() {
        let mut bytes = SecretBytes::default();
        for b in "añ€".bytes() {
            bytes.push(b);
        }
        bytes.pop_char();
        assert_eq!(bytes.as_slice(), "añ".as_bytes());
        bytes.pop_char();
        assert_eq!(bytes.as_slice(), b"a");
        let long = "x".repeat(10_000);
        for b in long.bytes() {
            bytes.push(b);
        }
        assert_eq!(bytes.as_slice().len(), 10_001);
        bytes.clear();
        assert!(bytes.is_empty());
    }
}
