//! A program in a real pseudo-terminal, measured as tuiprobe does: time to the first
//! frame, bytes per key, per resize and while idle, CPU and wakeups while idle, peak
//! RSS. Benchmarks may wait for quiet (50 ms without output); tests never do.

use std::path::Path;
use std::time::{Duration, Instant};

use portable_pty::CommandBuilder;

use crate::pty_session::PtySession;

/// How long without output counts as "the program answered".
const SETTLE: Duration = Duration::from_millis(50);
pub const IDLE: Duration = Duration::from_secs(5);

/// One key (or resize) of a script, and what kind of key it is.
pub enum Step {
    Key(&'static str, &'static str),
    Resize(&'static str, u16, u16),
}

#[derive(Debug, Default)]
pub struct Figures {
    pub first_frame_bytes: usize,
    pub idle_bytes: usize,
    pub idle_cpu_ticks: u64,
    pub idle_wakeups: u64,
    pub peak_rss_kib: u64,
    /// (kind, bytes) per step.
    pub steps: Vec<(&'static str, usize)>,
}

impl Figures {
    pub fn median(&self, kind: &str) -> Option<usize> {
        let mut of: Vec<usize> = self
            .steps
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, b)| *b)
            .collect();
        of.sort_unstable();
        of.get(of.len() / 2).copied()
    }

    pub fn all(&self, kind: &str) -> Vec<usize> {
        self.steps
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, b)| *b)
            .collect()
    }
}

fn settle(session: &PtySession) -> usize {
    let mut last = session.output().raw().len();
    loop {
        std::thread::sleep(SETTLE);
        let now = session.output().raw().len();
        if now == last {
            return now;
        }
        last = now;
    }
}

pub fn proc_status(pid: u32, field: &str) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// utime + stime of the process, in clock ticks.
pub fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    // Fields after the name: state is [0]; utime and stime are the 14th and 15th of stat.
    fields
        .get(11)
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0)
        + fields
            .get(12)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
}

/// Voluntary and involuntary context switches, summed over the threads.
fn wakeups(pid: u32) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .flatten()
        .map(|task| {
            let text = std::fs::read_to_string(task.path().join("status")).unwrap_or_default();
            text.lines()
                .filter_map(|l| {
                    l.strip_prefix("voluntary_ctxt_switches:")
                        .or_else(|| l.strip_prefix("nonvoluntary_ctxt_switches:"))
                })
                .filter_map(|v| v.trim().parse::<u64>().ok())
                .sum::<u64>()
        })
        .sum()
}

/// Runs `command` through `script`, measuring as it goes, then sends `exit`.
pub fn measure(
    command: CommandBuilder,
    ready: &str,
    script: &[Step],
    exit: &[&str],
    idle: bool,
) -> Figures {
    let mut session = PtySession::spawn(command);
    session.wait_for(ready);
    let mut figures = Figures::default();
    let pid = session.pid();
    let mut at = settle(&session);
    figures.first_frame_bytes = at;
    if idle {
        let (cpu, woke) = (cpu_ticks(pid), wakeups(pid));
        std::thread::sleep(IDLE);
        figures.idle_cpu_ticks = cpu_ticks(pid) - cpu;
        figures.idle_wakeups = wakeups(pid) - woke;
        let now = session.output().raw().len();
        figures.idle_bytes = now - at;
        at = now;
    }
    for step in script {
        let kind = match step {
            Step::Key(kind, keys) => {
                session.send(keys);
                *kind
            }
            Step::Resize(kind, cols, rows) => {
                session.resize(*rows, *cols);
                *kind
            }
        };
        let now = settle(&session);
        figures.steps.push((kind, now - at));
        at = now;
    }
    figures.peak_rss_kib = proc_status(pid, "VmHWM:");
    for keys in exit {
        session.send(keys);
    }
    session.wait_exit();
    figures
}

/// The median time to the first frame over `rounds` launches.
pub fn first_frame_time(
    make: &dyn Fn() -> CommandBuilder,
    ready: &str,
    exit: &[&str],
    rounds: usize,
) -> Duration {
    let mut times: Vec<Duration> = (0..rounds)
        .map(|_| {
            let started = Instant::now();
            let mut session = PtySession::spawn(make());
            session.wait_for(ready);
            let time = started.elapsed();
            settle(&session);
            for keys in exit {
                session.send(keys);
            }
            session.wait_exit();
            time
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

pub fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}
