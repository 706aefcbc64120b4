//! `cargo bench --bench wire`: the figures in docs/performance.md.
//!
//! Drives the release binary in a pseudo-terminal at 80x24 through a scripted session
//! (and `whiptail --inputbox` the same way, when installed), then measures the cost of
//! scale in process. Byte counts are exact; timings are medians on a noisy machine.

mod bulk;
mod hostile;
mod large_file;
#[path = "../../tests/support/loader_fuzz.rs"]
mod loader_fuzz;
#[path = "../../tests/support/private_secret_service.rs"]
mod private_secret_service;
#[path = "../../tests/support/pty_session.rs"]
mod pty_session;
// The nested release build without cargo's per-package variables, which would make
// ring's build script (and all above it) rerun on every bench run.
#[path = "../../tests/support/release_binary.rs"]
mod release_binary;
mod scale;
mod terminal;

use std::path::{Path, PathBuf};

use portable_pty::CommandBuilder;
use release_binary::release_binary;
use terminal::{Figures, Step};

const TAB: &str = "\t";
const BACK_TAB: &str = "\x1b[Z";
const DOWN: &str = "\x1b[B";
const UP: &str = "\x1b[A";
const ENTER: &str = "\r";

fn on_path(tool: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(tool))
        .find(|p| p.is_file())
}

fn wizard_command(binary: &Path, config: &Path) -> CommandBuilder {
    let mut command = CommandBuilder::new(binary);
    // The kernel keyring needs no daemon; its probe adds and removes one key.
    command.args(["--secret-store", "keyutils"]);
    command.env("WFM_WIZARD_CONFIG", config);
    command.env("TERM", "xterm-256color");
    command.env("LANG", "C.UTF-8");
    for name in ["NO_COLOR", "LC_ALL", "LC_CTYPE", "WFM_WIZARD_ASCII"] {
        command.env_remove(name);
    }
    command.cwd(config.parent().expect("a directory"));
    command
}

fn wizard_script() -> Vec<Step> {
    let mut script = vec![
        Step::Resize("resize, first screen", 100, 30),
        Step::Resize("resize, first screen", 80, 24),
        Step::Key("other", ENTER),
    ];
    for key in [DOWN, UP, DOWN, UP] {
        script.push(Step::Key("list move", key));
    }
    script.push(Step::Key("other", ENTER));
    // The kernel keyring is acknowledged at the store gate before the first form.
    script.push(Step::Key("other", ENTER));
    for c in ["e", "a", "s", "t"] {
        script.push(Step::Key("char", c));
    }
    script.push(Step::Key("focus", TAB));
    script.push(Step::Key("focus", TAB));
    for c in [
        "A", "b", "C", "d", "E", "f", "G", "h", "I", "j", "K", "l", "M", "n", "O", "p", "Q", "r",
        "S", "t", "U", "v",
    ] {
        script.push(Step::Key("char", c));
    }
    script.push(Step::Key("focus", TAB));
    for c in ["s", "3", "c", "r", "3", "t", "p", "w"] {
        script.push(Step::Key("secret char", c));
    }
    script.push(Step::Key("focus", BACK_TAB));
    script.push(Step::Key("focus", TAB));
    script.push(Step::Resize("resize", 100, 30));
    script.push(Step::Resize("resize", 80, 24));
    script
}

fn whiptail_command(whiptail: &Path) -> CommandBuilder {
    let mut command = CommandBuilder::new(whiptail);
    command.args([
        "--title",
        "Setup",
        "--inputbox",
        "Hostname of the server",
        "10",
        "60",
    ]);
    command.env("TERM", "xterm-256color");
    command.env("LANG", "C.UTF-8");
    command
}

fn whiptail_script() -> Vec<Step> {
    let mut script: Vec<Step> = "server01.example.com"
        .split("")
        .filter(|s| !s.is_empty())
        .map(|c| Step::Key("char", Box::leak(c.to_owned().into_boxed_str())))
        .collect();
    script.extend([
        Step::Key("focus", TAB),
        Step::Key("focus", TAB),
        Step::Key("focus", TAB),
        Step::Resize("resize", 100, 30),
        Step::Resize("resize", 80, 24),
    ]);
    script
}

/// For figures far below 2^32, as all of these are.
fn float(value: u64) -> f64 {
    f64::from(u32::try_from(value).unwrap_or(u32::MAX))
}

fn cell(value: Option<usize>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

fn row(name: &str, f: &Figures, first_frame_ms: f64, binary: &str) {
    // The first screen's resizes compare with the first frame; whiptail has one screen.
    let mut resize = f.all("resize, first screen");
    if resize.is_empty() {
        resize = f.all("resize");
    }
    println!(
        "| {name} | {first_frame_ms:.1} ms / {} B | {} | {} | {} | {} | {} · {} | {:.2} % · {:.1}/s · {} B | {:.2} MiB | {binary} |",
        f.first_frame_bytes,
        cell(f.median("char")),
        cell(f.median("secret char")),
        cell(f.median("focus")),
        cell(f.median("list move")),
        cell(resize.first().copied()),
        cell(resize.get(1).copied()),
        // Clock ticks are 1/100 s: ticks per second of idle is a percentage of a core.
        float(f.idle_cpu_ticks) / terminal::IDLE.as_secs_f64(),
        float(f.idle_wakeups) / terminal::IDLE.as_secs_f64(),
        f.idle_bytes,
        float(f.peak_rss_kib) / 1024.0,
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // The bulk mode's own child: fill the private Secret Service it was given.
    if let Some(at) = args.iter().position(|a| a == "bulk-fill") {
        bulk::fill(args.get(at + 1).and_then(|n| n.parse().ok()).unwrap_or(0));
        return;
    }
    // The parse memory mode's own child: one parse, then its peak RSS.
    if let Some(at) = args.iter().position(|a| a == "parse-peak") {
        scale::parse_peak(
            args.get(at + 1).map_or("none", String::as_str),
            args.get(at + 2).map_or("", String::as_str),
        );
        return;
    }
    // `cargo bench --bench wire -- bulk`: validate over the Secret Service, one by one and in bulk.
    if args.iter().any(|a| a == "bulk") {
        bulk::measure(release_binary());
        return;
    }
    // `cargo bench --bench wire -- fuzz` runs only the loader's long fuzz mode.
    if std::env::args().any(|a| a == "fuzz") {
        fuzz();
        return;
    }
    // `cargo bench --bench wire -- parse`: a full load of 10,000 integrations.
    if args.iter().any(|a| a == "parse") {
        scale::parse(10_000, 7);
        scale::parse_memory(10_000);
        hostile::load(release_binary(), 10_000);
        return;
    }
    // `cargo bench --bench wire -- hostile`: the billion-laughs file, time and memory.
    if args.iter().any(|a| a == "hostile") {
        hostile::measure(release_binary());
        return;
    }
    // `cargo bench --bench wire -- large`: 10,000 integrations, first frame and keys.
    if args.iter().any(|a| a == "large-in-process") {
        large_file::review_parts();
        large_file::in_process();
        return;
    }
    if args.iter().any(|a| a == "large") {
        large_file::measure(release_binary());
        return;
    }
    // `cargo bench --bench wire -- scale` measures only the cost of scale.
    if !std::env::args().any(|a| a == "scale") {
        wire();
        hostile::measure(release_binary());
        large_file::measure(release_binary());
    }
    scale();
}

fn wire() {
    let binary = release_binary();
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let ctrl_c_y: &[&str] = &["\x03", "y"];

    println!("## Wire (80x24, xterm-256color, release binary in a pseudo-terminal)\n");
    println!(
        "| program | first frame: time / bytes | B per char | B per secret char | B per Tab | B per list move | resize 100x30 · 80x24, B | idle 5 s: CPU · wakeups · bytes | peak RSS | binary |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let time = terminal::first_frame_time(
        &|| wizard_command(binary, &config),
        "Ctrl-C quit",
        ctrl_c_y,
        7,
    );
    let wizard = terminal::measure(
        wizard_command(binary, &config),
        "Ctrl-C quit",
        &wizard_script(),
        ctrl_c_y,
        true,
    );
    let size = terminal::file_size(binary);
    row(
        "wfm-wizard",
        &wizard,
        time.as_secs_f64() * 1000.0,
        &format!("{:.2} MiB ({size} B)", float(size) / 1_048_576.0),
    );
    if let Some(whiptail) = on_path("whiptail") {
        let esc: &[&str] = &["\x1b"];
        let time = terminal::first_frame_time(&|| whiptail_command(&whiptail), "<Cancel>", esc, 7);
        let figures = terminal::measure(
            whiptail_command(&whiptail),
            "<Cancel>",
            &whiptail_script(),
            esc,
            true,
        );
        let size = terminal::file_size(&whiptail);
        row(
            "whiptail --inputbox",
            &figures,
            time.as_secs_f64() * 1000.0,
            &format!("{} KiB + libnewt, libslang", size / 1024),
        );
    } else {
        println!("\n(whiptail is not installed: `apt-get install whiptail` to compare)");
    }
    println!(
        "\nwfm-wizard per step: chars {:?}; secret chars {:?}; focus {:?}; list moves {:?}; \
         resizes on the first screen {:?}, in the form {:?}",
        wizard.all("char"),
        wizard.all("secret char"),
        wizard.all("focus"),
        wizard.all("list move"),
        wizard.all("resize, first screen"),
        wizard.all("resize")
    );
}

fn scale() {
    println!("\n## Scale (in process: read + parse + validate + Wizard::new, then frames)\n");
    println!("| integrations | file | load + validate | first frame | list frame | Review frame |");
    println!("|---|---|---|---|---|---|");
    for n in [10, 1_000, 10_000] {
        let f = scale::measure(n, 3);
        println!(
            "| {} | {:.1} KB | {:.1?} | {:.2?} | {:.2?} | {:.2?} |",
            f.n,
            float(f.file_bytes as u64) / 1000.0,
            f.load,
            f.first_frame,
            f.list_frame,
            f.review_frame
        );
    }
    println!();
    for n in [1_000, 10_000] {
        scale::breakdown(n);
    }
}

/// The loader property test of `cargo test` (`tests/loader_fuzz.rs`), long: 200,000
/// cases by default (`WFM_FUZZ_CASES`), seed from the clock unless `WFM_FUZZ_SEED`.
fn fuzz() {
    let number = |name: &str| {
        std::env::var(name)
            .ok()
            .and_then(|t| match t.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16).ok(),
                None => t.parse().ok(),
            })
    };
    let seed = number("WFM_FUZZ_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    let cases = number("WFM_FUZZ_CASES").map_or(200_000, |n| n as usize);
    let started = std::time::Instant::now();
    match loader_fuzz::run(cases, seed) {
        Ok(n) => println!(
            "## Loader fuzz\n\n{n} inputs from seed {seed:#x}: no panic, each refused or \
             loaded within 1 s, no value quoted; {:.1} s in all.",
            started.elapsed().as_secs_f64()
        ),
        Err(why) => panic!("{why}\nreplay with WFM_FUZZ_SEED={seed:#x}"),
    }
}
