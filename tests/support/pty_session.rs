//! A program running in a real pseudo-terminal, its screen emulated with vt100, for
//! tests that drive the wizard the way an operator does.
//!
//! Include it from a test target with
//! `#[path = "support/pty_session.rs"] mod pty_session;`.
//!
//! Nothing here sleeps for a fixed time: a reader thread feeds everything the program
//! writes into a vt100 parser behind a mutex and wakes waiters through a condition
//! variable; [`PtySession::wait_for`] blocks until the screen shows a text, or fails
//! the test after [`DEADLINE`] printing the screen. Dropping a session whose program
//! is still running kills it, so a failing test leaves no process behind.
#![allow(dead_code)] // each test target uses its own part of this module

use std::io::{Read, Write};
use std::process::Command;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use portable_pty::{ChildKiller, CommandBuilder, ExitStatus, MasterPty, PtySize};

/// The terminal size every session gets.
pub const ROWS: u16 = 24;
pub const COLS: u16 = 80;

/// How long any one wait (for a text, for the exit) may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(20);

pub const ENTER: &str = "\r";
pub const CTRL_S: &str = "\x13";
/// What a program writes to turn bracketed paste on and off.
pub const BRACKETED_PASTE_ON: &str = "\x1b[?2004h";
pub const BRACKETED_PASTE_OFF: &str = "\x1b[?2004l";
/// What a program writes to leave the alternate screen.
pub const ALTERNATE_SCREEN_OFF: &str = "\x1b[?1049l";

/// Everything the program wrote so far, raw and as a screen.
pub struct Output {
    parser: vt100::Parser,
    raw: Vec<u8>,
    /// The terminal reported end of file: the program and everything it started are gone.
    closed: bool,
}

impl Output {
    pub fn screen(&self) -> &vt100::Screen {
        self.parser.screen()
    }

    /// The screen's text, one line per row, trailing blanks dropped.
    pub fn text(&self) -> String {
        self.parser.screen().contents()
    }

    /// Every byte the program wrote, escape sequences included.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// Whether the screen shows `text`, ignoring how white space is laid out: runs of
    /// blanks and line breaks count as one space, so a sentence wrapped over two rows
    /// (or a label and its value in two columns) still matches.
    pub fn shows(&self, text: &str) -> bool {
        squeeze(&self.text()).contains(&squeeze(text))
    }

    /// Whether the program (and everything it started) has closed the terminal.
    pub fn closed(&self) -> bool {
        self.closed
    }

    /// The screen framed for a failure message, full width so alignment shows.
    pub fn framed(&self) -> String {
        let border = "-".repeat(usize::from(COLS));
        let rows: Vec<String> = self
            .parser
            .screen()
            .rows(0, COLS)
            .map(|row| format!("|{row:<width$}|", width = usize::from(COLS)))
            .collect();
        format!("+{border}+\n{}\n+{border}+", rows.join("\n"))
    }
}

fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

struct Shared {
    output: Mutex<Output>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Output> {
        self.output.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One program in one pseudo-terminal of [`ROWS`] x [`COLS`].
pub struct PtySession {
    shared: Arc<Shared>,
    writer: Box<dyn Write + Send>,
    killer: Box<dyn ChildKiller + Send + Sync>,
    pid: Option<u32>,
    exit: Receiver<std::io::Result<ExitStatus>>,
    status: Option<ExitStatus>,
    // Kept open for the program's lifetime; closing it hangs the terminal up.
    master: Box<dyn MasterPty + Send>,
}

impl PtySession {
    /// Opens a pseudo-terminal and starts `command` in it as the session leader, with
    /// the terminal as its controlling terminal and its stdin, stdout and stderr.
    pub fn spawn(command: CommandBuilder) -> Self {
        let pair = portable_pty::native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pseudo-terminal");
        let child = pair
            .slave
            .spawn_command(command)
            .expect("start the program in the pseudo-terminal");
        // Our copy of the slave side goes, so reads see end of file once the program exits.
        drop(pair.slave);
        let reader = pair
            .master
            .try_clone_reader()
            .expect("read the pseudo-terminal");
        let writer = pair
            .master
            .take_writer()
            .expect("write to the pseudo-terminal");

        let shared = Arc::new(Shared {
            output: Mutex::new(Output {
                parser: vt100::Parser::new(ROWS, COLS, 0),
                raw: Vec::new(),
                closed: false,
            }),
            changed: Condvar::new(),
        });
        let pump = Arc::clone(&shared);
        std::thread::spawn(move || pump_output(reader, &pump));

        let killer = child.clone_killer();
        let pid = child.process_id();
        let (report, exit) = channel();
        std::thread::spawn(move || {
            let mut child = child;
            let _ = report.send(child.wait());
        });

        PtySession {
            shared,
            writer,
            killer,
            pid,
            exit,
            status: None,
            master: pair.master,
        }
    }

    /// The program's process id, to signal it.
    pub fn pid(&self) -> u32 {
        self.pid.expect("the program has a process id")
    }

    /// Like [`Self::wait_exit`], but fails the test unless the program exits within
    /// `bound` (for exits the issue bounds, e.g. after a hangup).
    #[track_caller]
    pub fn wait_exit_within(&mut self, bound: Duration) -> ExitStatus {
        match self.exit.recv_timeout(bound) {
            Ok(Ok(status)) => {
                self.status = Some(status);
                self.wait_exit()
            }
            Ok(Err(e)) => panic!("cannot wait for the program: {e}"),
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => panic!(
                "the program did not exit within {} ms. The screen:\n{}",
                bound.as_millis(),
                self.output().framed()
            ),
        }
    }

    /// Resizes the terminal, as dragging the window does: the program gets SIGWINCH and
    /// the emulated screen takes the new size.
    #[track_caller]
    pub fn resize(&mut self, rows: u16, cols: u16) {
        self.shared.lock().parser.screen_mut().set_size(rows, cols);
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap_or_else(|e| panic!("cannot resize the terminal: {e}"));
    }

    /// The terminal's current settings (raw or cooked), as the program left them.
    /// Read through the terminal's own end (opened without becoming our controlling
    /// terminal): the settings belong to the terminal, not to either end.
    pub fn termios(&self) -> Option<rustix::termios::Termios> {
        use std::os::unix::fs::OpenOptionsExt;
        let terminal = std::fs::File::options()
            .read(true)
            .write(true)
            .custom_flags(rustix::fs::OFlags::NOCTTY.bits().cast_signed())
            .open(self.master.tty_name()?)
            .ok()?;
        rustix::termios::tcgetattr(&terminal).ok()
    }

    /// What the program wrote so far. Do not hold it while waiting.
    pub fn output(&self) -> MutexGuard<'_, Output> {
        self.shared.lock()
    }

    /// Types `keys` as the terminal would send them.
    #[track_caller]
    pub fn send(&mut self, keys: &str) {
        self.writer
            .write_all(keys.as_bytes())
            .and_then(|()| self.writer.flush())
            .unwrap_or_else(|e| panic!("cannot type into the terminal: {e}"));
    }

    /// Pastes `text` the way a terminal does once the program asked for bracketed
    /// paste; fails the test if it never did.
    #[track_caller]
    pub fn paste(&mut self, text: &str) {
        {
            let output = self.output();
            assert!(
                contains(output.raw(), BRACKETED_PASTE_ON.as_bytes()),
                "the program never turned bracketed paste on ({BRACKETED_PASTE_ON:?}); \
                 a terminal would deliver this paste as keystrokes. The screen:\n{}",
                output.framed()
            );
        }
        self.send(&format!("\x1b[200~{text}\x1b[201~"));
    }

    /// Blocks until the screen shows `text` (see [`Output::shows`]); fails the test
    /// after [`DEADLINE`], or as soon as the program closes the terminal, printing the
    /// screen.
    #[track_caller]
    pub fn wait_for(&self, text: &str) {
        self.wait_until(&format!("the screen to show {text:?}"), |output| {
            output.shows(text)
        });
    }

    /// Blocks until `done` holds for the output, with the same failure as [`Self::wait_for`].
    #[track_caller]
    pub fn wait_until(&self, what: &str, mut done: impl FnMut(&Output) -> bool) {
        let deadline = Instant::now() + DEADLINE;
        let mut output = self.shared.lock();
        loop {
            if done(&output) {
                return;
            }
            let now = Instant::now();
            if output.closed || now >= deadline {
                let why = if output.closed {
                    "the program closed the terminal first".to_owned()
                } else {
                    format!("gave up after {} s", DEADLINE.as_secs())
                };
                let screen = output.framed();
                drop(output);
                panic!("waiting for {what}: {why}. The screen:\n{screen}");
            }
            output = self
                .shared
                .changed
                .wait_timeout(output, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Waits for the program to exit and for the terminal to deliver its last output;
    /// fails the test after [`DEADLINE`] for either.
    #[track_caller]
    pub fn wait_exit(&mut self) -> ExitStatus {
        let status = match self.status.clone() {
            Some(status) => status,
            None => match self.exit.recv_timeout(DEADLINE) {
                Ok(Ok(status)) => status,
                Ok(Err(e)) => panic!("cannot wait for the program: {e}"),
                Err(RecvTimeoutError::Timeout) => panic!(
                    "the program did not exit within {} s. The screen:\n{}",
                    DEADLINE.as_secs(),
                    self.output().framed()
                ),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the thread waiting for the program ended without a status")
                }
            },
        };
        self.status = Some(status.clone());
        self.wait_until("the terminal to close after the program exited", |o| {
            o.closed
        });
        status
    }
}

impl Drop for PtySession {
    /// A program still running (the test failed half-way) is hung up on, then killed.
    fn drop(&mut self) {
        if self.status.is_some() || self.exit.try_recv().is_ok() {
            return;
        }
        let _ = self.killer.kill(); // SIGHUP, as when a terminal window closes
        if let Err(RecvTimeoutError::Timeout) = self.exit.recv_timeout(Duration::from_secs(5))
            && let Some(pid) = self.pid
        {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            let _ = self.exit.recv_timeout(Duration::from_secs(5));
        }
    }
}

/// The reader thread: terminal output into the parser until end of file.
fn pump_output(mut reader: Box<dyn Read + Send>, shared: &Shared) {
    let mut buffer = [0_u8; 8192];
    loop {
        let read = match reader.read(&mut buffer) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            // Linux reports a hung-up pseudo-terminal as EIO: end of file.
            Err(_) => 0,
        };
        let mut output = shared.lock();
        if read == 0 {
            output.closed = true;
            shared.changed.notify_all();
            return;
        }
        output.parser.process(&buffer[..read]);
        output.raw.extend_from_slice(&buffer[..read]);
        shared.changed.notify_all();
    }
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle).is_some()
}

/// Where `needle` first occurs in `haystack`.
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Where a line-by-line session has been read up to: each wait looks only at output
/// after the last thing found, so a prompt asked twice is waited for twice.
#[derive(Default)]
pub struct Seen {
    offset: usize,
}

impl Seen {
    #[track_caller]
    pub fn wait(&mut self, wizard: &PtySession, text: &str) {
        let mut end = 0;
        let from = self.offset;
        wizard.wait_until(&format!("{text:?} after byte {from}"), |output| match find(
            &output.raw()[from.min(output.raw().len())..],
            text.as_bytes(),
        ) {
            Some(at) => {
                end = from + at + text.len();
                true
            }
            None => false,
        });
        self.offset = end;
    }

    #[track_caller]
    pub fn answer(&mut self, wizard: &mut PtySession, prompt: &str, keys: &str) {
        self.wait(wizard, prompt);
        wizard.send(keys);
    }
}

/// Polls `done` until it holds, failing the test after [`DEADLINE`]: for conditions
/// outside the terminal (a file appears, a process state changes).
#[track_caller]
pub fn wait_for_condition(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + DEADLINE;
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "gave up waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}
