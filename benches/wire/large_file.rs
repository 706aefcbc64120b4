//! Issue 15 items 1 and 2 at 10,000 integrations: the first frame and the time until
//! the wizard answers keys, through the release binary in a pseudo-terminal beside
//! whiptail's first frame in the same run; the CPU each Review key costs (utime+stime
//! of the process over many keys); peak RSS at the first frame and on Review; and, in
//! process, the wall time of every key through the real loop. Part of
//! `cargo bench --bench wire`; `-- large` runs only this, `-- large-in-process` only
//! its in-process part. With `WFM_WIZARD_BENCH_BEFORE=<binary>` an older build is
//! measured beside this one.

// Figures for a table: a few digits of a count are all that is shown.
#![allow(clippy::cast_precision_loss)]

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use portable_pty::CommandBuilder;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use wfm_wizard::app::{self, AppEvent, EventSource};

use crate::terminal::{cpu_ticks, proc_status};
use wfm_wizard::catalog::Catalog;
use wfm_wizard::io::effects::InlineRunner;
use wfm_wizard::io::memory_store::MemoryStores;
use wfm_wizard::secret::StoreKind;
use wfm_wizard::ui::Theme;
use wfm_wizard::wizard::{Effect, EffectRunner, Msg, Wizard};

use crate::pty_session::PtySession;
use crate::{scale, terminal};

const N: usize = 10_000;
const DOWN: &str = "\x1b[B";
const UP: &str = "\x1b[A";
const PAGE_DOWN: &str = "\x1b[6~";
const END: &str = "\x1b[F";
const ENTER: &str = "\r";
/// What the loaded wizard's first screen says.
const INTERACTIVE: &str = "Choose the contact-center platform";
/// The notice the background check of 20,000 keyutils references ends with.
const CHECKED: &str = "are gone from their store";

pub fn measure(binary: &Path) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let text = scale::document(N);
    std::fs::write(&config, &text).expect("write the file");
    println!(
        "\n### At 10,000 integrations ({:.2} MB), release binary in a pseudo-terminal, 80x24\n",
        text.len() as f64 / 1e6
    );
    println!(
        "| program | first frame | interactive | CPU per Review key: Down · PgDn · End · into Review | peak RSS: first frame · Review |"
    );
    println!("|---|---|---|---|---|");
    let mut programs: Vec<(String, PathBuf)> = Vec::new();
    if let Some(before) = std::env::var_os("WFM_WIZARD_BENCH_BEFORE") {
        programs.push(("wfm-wizard (before)".into(), PathBuf::from(before)));
    }
    programs.push(("wfm-wizard".into(), binary.to_owned()));
    for (name, binary) in &programs {
        let command = || super::wizard_command(binary, &config);
        let first = terminal::first_frame_time(&command, "Ctrl-C quit", &["\x03"], 5);
        let interactive = terminal::first_frame_time(&command, INTERACTIVE, &["\x03"], 5);
        let review = review_keys(command());
        println!(
            "| {name} | {:.1} ms | {:.0} ms | {} · {} · {} · {} | {:.1} MiB · {:.1} MiB |",
            ms(first),
            ms(interactive),
            review.down,
            review.page_down,
            review.end,
            review.into_review,
            review.rss_first_kib as f64 / 1024.0,
            review.rss_review_kib as f64 / 1024.0,
        );
    }
    if let Some(whiptail) = super::on_path("whiptail") {
        let esc: &[&str] = &["\x1b"];
        let time =
            terminal::first_frame_time(&|| super::whiptail_command(&whiptail), "<Cancel>", esc, 7);
        println!(
            "| whiptail --inputbox (no file) | {:.1} ms | | | |",
            ms(time)
        );
    } else {
        println!("\n(whiptail is not installed: `apt-get install whiptail` to compare)");
    }
    in_process();
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// CPU per key, as "x.x ms" over the keys of a kind.
struct ReviewFigures {
    down: String,
    page_down: String,
    end: String,
    into_review: String,
    rss_first_kib: u64,
    rss_review_kib: u64,
}

/// The wizard to Review, then many Review keys; CPU (utime+stime, 10 ms ticks) per key.
fn review_keys(command: CommandBuilder) -> ReviewFigures {
    let mut session = PtySession::spawn(command);
    let pid = session.pid();
    session.wait_for("Ctrl-C quit");
    let rss_first_kib = proc_status(pid, "VmHWM:");
    session.wait_for(INTERACTIVE);
    // The background check of the stored references: its CPU is not a key's.
    session.wait_for(CHECKED);
    settle(&session);
    session.send(ENTER); // the Historical list
    session.wait_for("Continue to");
    session.send(END);
    settle(&session);
    session.send(ENTER); // the User import list
    session.wait_for("Continue to Review");
    session.send(END);
    settle(&session);
    let into_review = per_key(pid, 1, || {
        session.send(ENTER);
        session.wait_for("Review: this is what");
        settle(&session);
    });
    let mut keys = |key: &str, n: usize| {
        per_key(pid, n, || {
            for _ in 0..n {
                session.send(key);
                settle(&session);
            }
        })
    };
    let down = keys(DOWN, 20);
    let page_down = keys(PAGE_DOWN, 20);
    let end = per_key(pid, 20, || {
        for _ in 0..10 {
            session.send(END);
            settle(&session);
            session.send(UP);
            settle(&session);
        }
    });
    let rss_review_kib = proc_status(pid, "VmHWM:");
    session.send("\x03");
    session.wait_exit();
    ReviewFigures {
        down,
        page_down,
        end: format!("{end} (End+Up)"),
        into_review,
        rss_first_kib,
        rss_review_kib,
    }
}

/// CPU the process spent while `keys` sent `n` keys, per key.
fn per_key(pid: u32, n: usize, keys: impl FnOnce()) -> String {
    let before = cpu_ticks(pid);
    keys();
    let ticks = cpu_ticks(pid) - before;
    // Ticks are 10 ms (USER_HZ 100).
    format!("{:.1} ms", ticks as f64 * 10.0 / n as f64)
}

/// Waits until 100 ms pass without output and without CPU: a key that costs more
/// than a frame is quiet on the wire while it computes.
fn settle(session: &PtySession) {
    let pid = session.pid();
    let mut last = (session.output().raw().len(), cpu_ticks(pid));
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let now = (session.output().raw().len(), cpu_ticks(pid));
        if now == last {
            return;
        }
        last = now;
    }
}

/// Keys for the loop, timing how long each took (from its delivery to the next ask).
struct Timed {
    keys: VecDeque<(&'static str, KeyEvent)>,
    current: Option<(&'static str, Instant)>,
    taken: Vec<(&'static str, Duration)>,
}

impl EventSource for Timed {
    fn next_event(&mut self) -> Option<AppEvent> {
        if let Some((kind, since)) = self.current.take() {
            self.taken.push((kind, since.elapsed()));
        }
        let (kind, key) = self.keys.pop_front()?;
        self.current = Some((kind, Instant::now()));
        Some(AppEvent::Input(Event::Key(key)))
    }
}

/// Runs effects inline, but never a connection test (the keypress is measured, not
/// the network); with `secrets_present`, finds every stored secret present (the
/// background check is not run): Review then has no "gone" problem per secret.
struct Offline {
    inline: InlineRunner,
    secrets_present: bool,
}

impl EffectRunner for Offline {
    fn run(&mut self, effect: Effect) -> Option<Msg> {
        match effect {
            Effect::TestConnection { .. } => None,
            Effect::CheckStoredSecrets(_) if self.secrets_present => None,
            effect => self.inline.run(effect),
        }
    }
}

/// Wall time of each key through `app::run` (update, draw, scroll measurement) into a
/// test backend, the file already loaded: the worst and the median per kind; with
/// every stored secret gone from the store (as in the pseudo-terminal, where the
/// kernel keyring has none of them: 20,000 problems on Review), then present.
pub fn in_process() {
    for present in [false, true] {
        in_process_with(present);
    }
}

fn in_process_with(secrets_present: bool) {
    let text = scale::document(N);
    let catalog = Catalog::builtin();
    let document = wfm_wizard::config::parse_document(&text).expect("parsed");
    let mut wizard = Wizard::new(Arc::clone(&catalog), Some(&document), "/tmp/x.yaml", 0);
    let keys = in_process_keys();
    let mut timed = Timed {
        keys: keys.into(),
        current: None,
        taken: Vec::new(),
    };
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    let dir = tempfile::tempdir().expect("temporary directory");
    let inline = InlineRunner {
        stores: Arc::new(MemoryStores::new(StoreKind::Keyutils)),
        path: dir.path().join("integrations.yaml"),
    };
    let theme = Theme::default();
    let mut runner = Offline {
        inline,
        secrets_present,
    };
    let _ = app::run(&mut terminal, &mut wizard, &mut timed, &mut runner, theme);
    println!(
        "\nIn process, wall time per key through the loop (update + draw + scroll measure), \
         stored secrets {}:\n",
        if secrets_present {
            "present"
        } else {
            "all gone"
        }
    );
    println!("| key | keys | median | worst |");
    println!("|---|---|---|---|");
    let mut kinds: Vec<&str> = Vec::new();
    for (kind, _) in &timed.taken {
        if !kinds.contains(kind) {
            kinds.push(kind);
        }
    }
    for kind in kinds {
        let mut of: Vec<Duration> = timed
            .taken
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, d)| *d)
            .collect();
        of.sort();
        println!(
            "| {kind} | {} | {:.2} ms | {:.2} ms |",
            of.len(),
            ms(of[of.len() / 2]),
            ms(*of.last().expect("one"))
        );
    }
}

/// The keys of the in-process run, each with the kind it is reported under: to Review
/// and around it, then one integration edited and one deleted, Review after each.
fn in_process_keys() -> Vec<(&'static str, KeyEvent)> {
    let mut keys: Vec<(&'static str, KeyCode)> = vec![
        ("to the list", KeyCode::Enter),
        ("list move", KeyCode::End),
        ("list move", KeyCode::Up),
        ("list move", KeyCode::Down),
        ("to the next list", KeyCode::Enter),
        ("list move", KeyCode::End),
        ("into Review", KeyCode::Enter),
    ];
    keys.extend([("Review Down", KeyCode::Down); 30]);
    keys.extend([("Review PgDn", KeyCode::PageDown); 30]);
    for _ in 0..10 {
        keys.push(("Review End", KeyCode::End));
        keys.push(("Review Up", KeyCode::Up));
    }
    keys.push(("help open", KeyCode::F(1)));
    keys.extend([("help scroll", KeyCode::Down); 5]);
    keys.push(("help close", KeyCode::Esc));
    let mut keys: Vec<(&'static str, KeyEvent)> = keys
        .into_iter()
        .map(|(kind, code)| (kind, code.into()))
        .collect();
    // Test all from Review: the first test starts (its effect is dropped).
    keys.push((
        "Review Ctrl-T",
        KeyEvent::new(KeyCode::Char('t'), KeyModifiers::CONTROL),
    ));
    keys.push(("back to the list", KeyCode::Esc.into()));
    // One integration edited among 10,000, then Review again: only it is worked out.
    let mut edit: Vec<(&'static str, KeyCode)> = vec![
        ("list move", KeyCode::Up),
        ("list move", KeyCode::Up),
        ("open a form: the store gate", KeyCode::Enter),
        ("open a form", KeyCode::Enter),
    ];
    edit.extend([("form: typed char", KeyCode::Char('x')); 5]);
    edit.extend([("form: Tab", KeyCode::Tab); 2]);
    edit.extend([
        ("form: back to the list", KeyCode::Esc),
        ("list move", KeyCode::End),
        ("into Review after an edit", KeyCode::Enter),
        ("back to the list", KeyCode::Esc),
        ("list move", KeyCode::Up),
        ("list move", KeyCode::Up),
        ("delete: d", KeyCode::Char('d')),
        ("delete: y", KeyCode::Char('y')),
        ("list move", KeyCode::End),
        ("into Review after a delete", KeyCode::Enter),
    ]);
    keys.extend(edit.into_iter().map(|(kind, code)| (kind, code.into())));
    keys
}

/// Where entering Review's time goes at 10,000 integrations (stored secrets all gone):
/// each part Review's measurement does, timed on its own, best of a few runs.
pub fn review_parts() {
    let text = scale::document(N);
    let catalog = Catalog::builtin();
    let document = wfm_wizard::config::parse_document(&text).expect("parsed");
    let mut wizard = Wizard::new(Arc::clone(&catalog), Some(&document), "/tmp/x.yaml", 0);
    let keys = [
        KeyCode::Enter,
        KeyCode::End,
        KeyCode::Enter,
        KeyCode::End,
        KeyCode::Enter,
    ];
    let mut timed = Timed {
        keys: keys.iter().map(|&k| ("key", k.into())).collect(),
        current: None,
        taken: Vec::new(),
    };
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut runner = InlineRunner {
        stores: Arc::new(MemoryStores::new(StoreKind::Keyutils)),
        path: dir.path().join("integrations.yaml"),
    };
    let theme = Theme::default();
    let _ = app::run(&mut terminal, &mut wizard, &mut timed, &mut runner, theme);
    let best = |f: &mut dyn FnMut()| {
        (0..5)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .min()
            .expect("runs")
    };
    let area = ratatui::layout::Rect::new(0, 0, 80, 24);
    let mut parts: Vec<(&str, Duration)> = Vec::new();
    parts.push((
        "Review measured from scratch, as after the file lands (all of it)",
        best(&mut || {
            std::hint::black_box(wfm_wizard::ui::review_scroll_limit(&wizard, area, theme));
        }),
    ));
    parts.push((
        "problems, kept (no integration changed since)",
        best(&mut || {
            std::hint::black_box(wizard.problems());
        }),
    ));
    parts.push((
        "pending changes, kept (no integration changed since)",
        best(&mut || {
            std::hint::black_box(wizard.pending_changes());
        }),
    ));
    parts.push((
        "save plan of every integration (Ctrl-S only)",
        best(&mut || {
            std::hint::black_box(wizard.save_plan(StoreKind::Keyutils));
        }),
    ));
    println!(
        "\nWhere entering Review goes at 10,000 integrations (best of 5, in process; \
         {} problems):\n",
        wizard.problems().len()
    );
    println!("| part | time |");
    println!("|---|---|");
    for (part, time) in parts {
        println!("| {part} | {:.2} ms |", ms(time));
    }
}
