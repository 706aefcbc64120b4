//! Plain mode: the same wizard asked line by line, for screen readers, serial consoles,
//! `TERM=dumb` and any terminal the full-screen wizard does not suit. No cursor
//! addressing, no alternate screen, no colour; secrets are read without echo.
//!
//! It is another front end over the same engine: it reads the `Wizard` to decide what
//! to ask (`prompt`), turns each answer into the `Msg`s a key press would send, and runs
//! every `Effect` through the same `EffectRunner` as the full-screen loop.
//!
//! Input comes from a terminal only (see `io::line_terminal`): where nothing can turn
//! echo off, a typed secret would show on the operator's screen.

pub mod answer;
mod ascii;
mod connection;
pub mod prompt;
mod text;

pub use ascii::AsciiLines;

use std::collections::VecDeque;
use std::sync::mpsc::Receiver;

pub use crate::line_io::LineIo;
use crate::wizard::{Effect, EffectRunner, Msg, Outcome, Wizard};
use prompt::Kind;

/// Why plain mode was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    Flag,
    Accessible,
    DumbTerminal,
}

/// Plain mode when `--plain` is given, `ACCESSIBLE` is set to anything but an empty
/// value, 0, false or no (the convention of charmbracelet/huh), or `TERM` is `dumb`.
pub fn reason(flag: bool, accessible: Option<&str>, term: Option<&str>) -> Option<Reason> {
    let off = |v: &str| matches!(v.trim().to_lowercase().as_str(), "" | "0" | "false" | "no");
    if flag {
        Some(Reason::Flag)
    } else if accessible.is_some_and(|v| !off(v)) {
        Some(Reason::Accessible)
    } else if term == Some("dumb") {
        Some(Reason::DumbTerminal)
    } else {
        None
    }
}

impl Reason {
    /// Says what chose plain mode, so an operator who did not ask for it knows why.
    pub fn describe(self) -> &'static str {
        match self {
            Reason::Flag => "--plain",
            Reason::Accessible => "ACCESSIBLE is set",
            Reason::DumbTerminal => "TERM=dumb",
        }
    }
}

/// [`reason`] for this process: the flag and its environment.
pub fn requested(flag: bool) -> Option<Reason> {
    let var = |name| std::env::var(name).ok();
    reason(flag, var("ACCESSIBLE").as_deref(), var("TERM").as_deref())
}

/// Runs the wizard until it has an outcome. Effects the runner starts elsewhere answer
/// on `replies`; each answer's effects finish before the next question.
pub fn run<R: EffectRunner>(
    wizard: &mut Wizard,
    why: Reason,
    io: &mut dyn LineIo,
    runner: &mut R,
    replies: &Receiver<Msg>,
) -> Outcome {
    io.say(&format!(
        "wfm-wizard  {}  (plain mode: {})",
        wizard.config_path(),
        why.describe()
    ));
    io.say(prompt::GUIDE);
    let mut session = Session {
        runner,
        replies,
        queue: VecDeque::new(),
        outstanding: 0,
        tests_outstanding: 0,
        last_wait: None,
        shown_notice: None,
        shown_intro: Vec::new(),
    };
    for effect in wizard.start() {
        session.start(effect, io);
    }
    loop {
        if !session.settle(wizard, io) {
            return Outcome::Cancelled;
        }
        if let Some(outcome) = wizard.outcome().cloned() {
            return outcome;
        }
        let question = prompt::question(wizard);
        match question.kind {
            Kind::Show(action) => {
                for line in &question.intro {
                    io.say(line);
                }
                session.queue.push_back(Msg::Act(action));
                continue;
            }
            Kind::Wait => {
                // Every effect has answered, yet the wizard waits: nothing will come.
                io.say("The wizard is waiting for work that is not running; quitting.");
                return Outcome::Cancelled;
            }
            _ => {}
        }
        if question.intro != session.shown_intro {
            for line in &question.intro {
                io.say(line);
            }
            session.shown_intro.clone_from(&question.intro);
        }
        for line in &question.before {
            io.say(line);
        }
        let answer = if question.secret() {
            io.ask_secret(&question.prompt)
        } else {
            io.ask(&question.prompt)
        };
        match answer::interpret(wizard, &question, answer) {
            Err(why) => io.say(&why),
            Ok(response) => {
                session.queue.extend(response.msgs);
                for line in &response.say {
                    io.say(line);
                }
                if let Some((draft, focus)) = response.check {
                    if !session.settle(wizard, io) {
                        return Outcome::Cancelled;
                    }
                    let (lines, next) = answer::after_field(wizard, draft, focus);
                    for line in &lines {
                        io.say(line);
                    }
                    session.queue.extend(next);
                    // The cooked terminal's hangup ends plain mode at once: keep each
                    // answer in the draft as it is given.
                    if !session.settle(wizard, io) {
                        return Outcome::Cancelled;
                    }
                    for effect in wizard.update(Msg::Checkpoint) {
                        session.start(effect, io);
                    }
                }
            }
        }
    }
}

struct Session<'a, R> {
    runner: &'a mut R,
    replies: &'a Receiver<Msg>,
    queue: VecDeque<Msg>,
    /// Effects started elsewhere whose answer has not arrived.
    outstanding: usize,
    /// Connection tests started elsewhere that have not ended (a signal stops the
    /// wait for them: see `settle`).
    tests_outstanding: usize,
    /// The last second of a wait said, so a countdown is said once.
    last_wait: Option<u64>,
    shown_notice: Option<String>,
    shown_intro: Vec<String>,
}

impl<R: EffectRunner> Session<'_, R> {
    fn start(&mut self, effect: Effect, io: &mut dyn LineIo) {
        if let Some(note) = prompt::effect_note(&effect) {
            io.say(note);
        }
        let counted = match &effect {
            Effect::TestConnection { .. } => Some(&mut self.tests_outstanding),
            Effect::CancelTest { .. } => None,
            _ => Some(&mut self.outstanding),
        };
        match (self.runner.run(effect), counted) {
            (Some(msg), _) => self.queue.push_back(msg),
            (None, Some(count)) => *count += 1,
            (None, None) => {}
        }
    }

    /// Feeds queued messages to the wizard and waits for every running effect, then
    /// shows a new notice. `false` when an effect's answer can no longer arrive.
    fn settle(&mut self, wizard: &mut Wizard, io: &mut dyn LineIo) -> bool {
        loop {
            while let Some(msg) = self.queue.pop_front() {
                let done = match &msg {
                    Msg::TestDone { id, .. } => Some(*id),
                    _ => None,
                };
                for effect in wizard.update(msg) {
                    self.start(effect, io);
                }
                if let Some(id) = done {
                    for line in connection::report_lines(wizard, id) {
                        io.say(&line);
                    }
                }
            }
            // A signal during a test ends the session without waiting for the test.
            let tests = if wizard.outcome().is_some() {
                0
            } else {
                self.tests_outstanding
            };
            if self.outstanding == 0 && tests == 0 {
                break;
            }
            match self.replies.recv() {
                Ok(Msg::TestProgress { id, progress }) => {
                    if let Some(line) = connection::progress_line(&progress, &mut self.last_wait) {
                        io.say(&line);
                    }
                    self.queue.push_back(Msg::TestProgress { id, progress });
                }
                Ok(msg @ Msg::TestDone { .. }) => {
                    self.tests_outstanding = self.tests_outstanding.saturating_sub(1);
                    self.queue.push_back(msg);
                }
                // From the signal watcher, not an effect's answer.
                Ok(msg @ Msg::Interrupted(_)) => self.queue.push_back(msg),
                Ok(msg) => {
                    self.outstanding = self.outstanding.saturating_sub(1);
                    self.queue.push_back(msg);
                }
                Err(_) => return false,
            }
        }
        let notice = prompt::notice_line(wizard);
        if notice != self.shown_notice {
            if let Some(line) = &notice {
                io.say(line);
            }
            self.shown_notice = notice;
        }
        true
    }
}

#[cfg(test)]
mod tests;
