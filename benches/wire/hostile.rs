//! Hostile YAML through the release binary (issue 15): the 342-byte billion-laughs
//! file under `validate`, wall time and peak RSS, beside `--version` (the cost of
//! starting the process at all). Peak RSS comes from GNU time (Debian package `time`),
//! when installed.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ROUNDS: usize = 9;
const GNU_TIME: &str = "/usr/bin/time";

/// The classic file: 9 anchors, 72 aliases, 387 million `lol`s once expanded.
pub fn billion_laughs() -> String {
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (level, previous) in ('b'..='i').zip('a'..='h') {
        let aliases = vec![format!("*{previous}"); 9].join(",");
        let _ = writeln!(bomb, "{level}: &{level} [{aliases}]");
    }
    bomb
}

/// Median wall time and the largest peak RSS (KiB, when GNU time is there) of `args`.
fn run(binary: &Path, args: &[&str], expected_exit: i32) -> (Duration, Option<u64>) {
    let gnu_time = Path::new(GNU_TIME).is_file();
    let mut times = Vec::new();
    let mut peak = None;
    for _ in 0..ROUNDS {
        let mut command = if gnu_time {
            let mut c = Command::new(GNU_TIME);
            c.args(["-f", "peak-rss-kib=%M"]).arg(binary);
            c
        } else {
            Command::new(binary)
        };
        command
            .args(args)
            .env(
                "WFM_WIZARD_SYSTEMD_CREDS",
                "/nonexistent/systemd-creds-is-off-in-tests",
            )
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .stdin(Stdio::null());
        let started = Instant::now();
        let out = command.output().expect("run the release binary");
        times.push(started.elapsed());
        assert_eq!(out.status.code(), Some(expected_exit), "{args:?}: {out:?}");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(!said.contains("lol"), "a value was echoed: {said}");
        let kib = said
            .lines()
            .find_map(|l| l.strip_prefix("peak-rss-kib="))
            .and_then(|n| n.trim().parse::<u64>().ok());
        peak = peak.max(kib);
    }
    times.sort();
    (times[times.len() / 2], peak)
}

pub fn measure(binary: &Path) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("integrations.yaml");
    let bomb = billion_laughs();
    std::fs::write(&path, &bomb).expect("write the file");
    let config = path.to_str().expect("a UTF-8 path");
    println!("\n## Hostile YAML (release binary, median of {ROUNDS})\n");
    println!("| run | wall | peak RSS |");
    println!("|---|---|---|");
    let rss = |kib: Option<u64>| {
        kib.map_or("(install `time`)".to_owned(), |k| {
            format!("{:.2} MiB", super::float(k) / 1024.0)
        })
    };
    let (time, peak) = run(binary, &["--version"], 0);
    println!("| `wfm-wizard --version` | {:.1?} | {} |", time, rss(peak));
    let (time, peak) = run(binary, &["--config", config, "validate"], 3);
    println!(
        "| `validate` of the billion-laughs file ({} B), refused, exit 3 | {:.1?} | {} |",
        bomb.len(),
        time,
        rss(peak)
    );
}

/// A full load of `n` integrations through the release binary: `export` reads, parses
/// and checks the file, then writes its answers (no secret store is touched). Wall
/// time and peak RSS, beside `--version`.
pub fn load(binary: &Path, n: usize) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("integrations.yaml");
    let text = super::scale::document(n);
    std::fs::write(&path, &text).expect("write the file");
    let config = path.to_str().expect("a UTF-8 path");
    let (time, peak) = run(binary, &["--config", config, "export"], 0);
    let (start, start_peak) = run(binary, &["--version"], 0);
    println!(
        "full load, release binary: `export` of {n} integrations ({} B) {time:.1?}, peak RSS {}; \
         `--version` {start:.1?}, peak RSS {} (median of {ROUNDS})",
        text.len(),
        peak.map_or("?".to_owned(), |k| format!(
            "{:.2} MiB",
            super::float(k) / 1024.0
        )),
        start_peak.map_or("?".to_owned(), |k| format!(
            "{:.2} MiB",
            super::float(k) / 1024.0
        )),
    );
}
