//! Process signals, read on a watcher thread and fed to the loop as events.
//!
//! Why a thread and not a flag: after a hangup crossterm 0.29 spins on `read() == 0`
//! and never returns to a loop that would look at a flag (crossterm #793). Here the
//! signal itself wakes the loop through the same channel as the keys, and a watchdog
//! ends the process if the loop does not within [`FORCED_EXIT_AFTER`].
//!
//! Files: every write the effect runner starts holds a [`WriteGuard`]. Before exiting
//! on a signal, [`wait_for_writes`] waits (bounded) for those to finish, so an atomic
//! write is either renamed into place or not started, and leaves no temporary file.

use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// What a signal asks of the program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// SIGHUP: the terminal is gone (the SSH link dropped).
    HangUp,
    /// SIGTERM (15), SIGINT (2) or SIGQUIT (3): restore the terminal and exit `128 + n`.
    Terminate(u8),
    /// SIGTSTP from outside: stop like Ctrl-Z does.
    Suspend,
    /// SIGCONT: the program runs again; the screen must be drawn anew.
    Continue,
}

impl Signal {
    /// The exit status for ending because of this signal: `128 + n`.
    pub fn exit_status(self) -> u8 {
        match self {
            Signal::HangUp => 128 + 1,
            Signal::Terminate(n) => 128 + n,
            Signal::Suspend | Signal::Continue => 0,
        }
    }
}

/// How long the loop gets to end the process itself after SIGHUP/SIGTERM/SIGINT
/// (it writes the draft and waits for a save in flight) before the watchdog exits.
pub const FORCED_EXIT_AFTER: Duration = Duration::from_millis(900);

/// How long an exit waits for writes in flight (a save, a draft) to finish.
pub const WRITE_GRACE: Duration = Duration::from_millis(700);

/// Starts the watcher thread: each signal goes to `deliver`. Ending signals also arm
/// a watchdog that exits with `128 + n` if the program is still running later.
#[cfg(unix)]
pub fn install(deliver: impl Fn(Signal) + Send + 'static) -> std::io::Result<()> {
    use signal_hook::consts::{SIGCONT, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP};
    watch(
        &[SIGHUP, SIGTERM, SIGINT, SIGQUIT, SIGTSTP, SIGCONT],
        deliver,
    )
}

/// [`install`] for the signals that end the program only (plain mode: its cooked
/// terminal stops and continues the program by itself, as any line program's does).
#[cfg(unix)]
pub fn install_ending(deliver: impl Fn(Signal) + Send + 'static) -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    watch(&[SIGHUP, SIGTERM, SIGINT, SIGQUIT], deliver)
}

#[cfg(unix)]
fn watch(numbers: &[i32], deliver: impl Fn(Signal) + Send + 'static) -> std::io::Result<()> {
    use signal_hook::consts::{SIGCONT, SIGHUP, SIGTSTP};
    let mut signals = signal_hook::iterator::Signals::new(numbers)?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for number in signals.forever() {
                let signal = match number {
                    SIGHUP => Signal::HangUp,
                    SIGTSTP => Signal::Suspend,
                    SIGCONT => Signal::Continue,
                    other => Signal::Terminate(u8::try_from(other).unwrap_or(15)),
                };
                deliver(signal);
                if matches!(signal, Signal::HangUp | Signal::Terminate(_)) {
                    std::thread::spawn(move || watchdog(signal));
                }
            }
        })?;
    Ok(())
}

#[cfg(not(unix))]
pub fn install(_deliver: impl Fn(Signal) + Send + 'static) -> std::io::Result<()> {
    Ok(())
}

#[cfg(not(unix))]
pub fn install_ending(_deliver: impl Fn(Signal) + Send + 'static) -> std::io::Result<()> {
    Ok(())
}

/// Watches the terminal (standard input) for a hangup, on its own thread, blocking
/// in poll(2) with no events asked for: only a hangup or an error wakes it. This
/// catches a dropped link when SIGHUP never arrives because a parent ignores it
/// (`nohup`, `trap '' HUP; wfm-wizard; ...`): crossterm would then spin on reads of
/// nothing forever (crossterm #793).
#[cfg(unix)]
pub fn watch_terminal_hangup(deliver: impl Fn(Signal) + Send + 'static) -> std::io::Result<()> {
    use rustix::event::{PollFd, PollFlags, poll};
    std::thread::Builder::new()
        .name("hangup".into())
        .spawn(move || {
            let stdin = std::io::stdin();
            let mut fds = [PollFd::new(&stdin, PollFlags::empty())];
            loop {
                match poll(&mut fds, None) {
                    Ok(_) if fds[0].revents().intersects(PollFlags::HUP | PollFlags::ERR) => {
                        deliver(Signal::HangUp);
                        watchdog(Signal::HangUp);
                    }
                    // Not a terminal we can watch (closed, or an odd file): give up quietly.
                    Ok(_) if fds[0].revents().contains(PollFlags::NVAL) => return,
                    Ok(_) | Err(rustix::io::Errno::INTR) => {}
                    Err(_) => return,
                }
            }
        })?;
    Ok(())
}

#[cfg(not(unix))]
pub fn watch_terminal_hangup(_deliver: impl Fn(Signal) + Send + 'static) -> std::io::Result<()> {
    Ok(())
}

/// The loop did not end the process in time (stuck on a dead terminal): end it here,
/// still letting writes in flight finish first.
#[cfg_attr(not(unix), allow(dead_code))] // no signals are watched there
fn watchdog(signal: Signal) {
    std::thread::sleep(FORCED_EXIT_AFTER);
    wait_for_writes(Duration::from_millis(50));
    std::process::exit(i32::from(signal.exit_status()));
}

/// Stops the whole process until SIGCONT (the caller restored the terminal first).
#[cfg(unix)]
pub fn stop_self() -> std::io::Result<()> {
    // SIGSTOP, not SIGTSTP: SIGTSTP is caught above and would only come back as an event.
    signal_hook::low_level::raise(signal_hook::consts::SIGSTOP)
}

#[cfg(not(unix))]
pub fn stop_self() -> std::io::Result<()> {
    Ok(())
}

static WRITES: Mutex<usize> = Mutex::new(0);
static WRITES_DONE: Condvar = Condvar::new();

/// Held while a file or keyring write runs; an exit waits for it (bounded).
#[must_use = "the write counts as in flight only while the guard lives"]
pub struct WriteGuard(());

/// Marks a write as in flight until the guard is dropped.
pub fn begin_write() -> WriteGuard {
    *WRITES.lock().unwrap_or_else(PoisonError::into_inner) += 1;
    WriteGuard(())
}

impl Drop for WriteGuard {
    fn drop(&mut self) {
        let mut count = WRITES.lock().unwrap_or_else(PoisonError::into_inner);
        *count = count.saturating_sub(1);
        WRITES_DONE.notify_all();
    }
}

/// Waits until no write is in flight, at most `bound`; `true` when none is.
pub fn wait_for_writes(bound: Duration) -> bool {
    let deadline = Instant::now() + bound;
    let mut count = WRITES.lock().unwrap_or_else(PoisonError::into_inner);
    while *count > 0 {
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        count = WRITES_DONE
            .wait_timeout(count, deadline - now)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_statuses_are_128_plus_the_signal_number() {
        assert_eq!(Signal::HangUp.exit_status(), 129);
        assert_eq!(Signal::Terminate(2).exit_status(), 130);
        assert_eq!(Signal::Terminate(15).exit_status(), 143);
    }

    #[test]
    fn waiting_for_writes_ends_when_the_last_guard_goes_or_at_the_bound() {
        let guard = begin_write();
        assert!(!wait_for_writes(Duration::from_millis(20)), "one in flight");
        let (started, finished) = std::sync::mpsc::channel();
        let waiter = std::thread::spawn(move || {
            started.send(()).unwrap();
            wait_for_writes(Duration::from_secs(10))
        });
        finished.recv().unwrap();
        drop(guard);
        assert!(waiter.join().unwrap(), "the waiter sees the write finish");
    }
}
