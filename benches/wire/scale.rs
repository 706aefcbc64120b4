//! The cost of scale, in process: load, validate and render a configuration with N
//! integrations. Part of `cargo bench --bench wire`; kept in its own module.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use wfm_wizard::catalog::Catalog;
use wfm_wizard::commands;
use wfm_wizard::keymap;
use wfm_wizard::ui::{self, Theme};
use wfm_wizard::wizard::{Step, Wizard};

/// A valid file with `n` integrations, half historical and half user-import, each with
/// its own group.
pub fn document(n: usize) -> String {
    let mut out = String::from(
        "version: 2\nnamespace: '000000000000'\nrevision: 1\nconfirmed:\n- ringcentral-v1/user-import/set-employee-defaults\nintegrations:\n",
    );
    for i in 0..n {
        let operation = if i % 2 == 0 {
            "historical"
        } else {
            "user-import"
        };
        let user = format!("000000000000/ringcentral-v1/{operation}/g{i}");
        let _ = write!(
            out,
            "- platform: ringcentral-v1\n  operation: {operation}\n  group: g{i}\n  enabled: true\n  settings:\n    client_id: AbCdEfGhIjKlMnOpQrStUv\n    client_secret:\n      keyring: {{store: keyutils, service: wfm-wizard, user: {user}/client_secret}}\n    jwt:\n      keyring: {{store: keyutils, service: wfm-wizard, user: {user}/jwt}}\n    sub_account_id: \"15910001\"\n"
        );
    }
    out
}

pub struct Figures {
    pub n: usize,
    pub file_bytes: usize,
    pub load: Duration,
    pub first_frame: Duration,
    pub list_frame: Duration,
    pub review_frame: Duration,
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn draw(terminal: &mut Terminal<TestBackend>, wizard: &Wizard) -> Duration {
    let started = Instant::now();
    terminal
        .draw(|frame| ui::draw(frame, wizard, Theme::default()))
        .expect("draw");
    started.elapsed()
}

fn key(wizard: &mut Wizard, code: crossterm::event::KeyCode) {
    let event = crossterm::event::Event::Key(code.into());
    if let Some(msg) = keymap::to_msg(wizard, event) {
        wizard.update(msg);
    }
}

/// Reads, parses and checks the file as the wizard does at start, then draws the first
/// frame, the operation's list and Review (a median of `rounds`).
pub fn breakdown(n: usize) {
    let text = document(n);
    let catalog = Catalog::builtin();
    let t = Instant::now();
    let _: serde::de::IgnoredAny = wfm_wizard::config::parse_yaml(&text).expect("YAML");
    let raw = t.elapsed();
    let t = Instant::now();
    let doc = wfm_wizard::config::parse_document(&text).expect("parse");
    let parse = t.elapsed();
    let t = Instant::now();
    let problems = wfm_wizard::validate::check_document(&doc, &catalog, 0);
    let check = t.elapsed();
    let t = Instant::now();
    let wizard = Wizard::new(catalog.clone(), Some(&doc), "/tmp/x.yaml", 0);
    let new = t.elapsed();
    let t = Instant::now();
    let _ = wizard.problems();
    let wizard_problems = t.elapsed();
    println!(
        "  {n}: YAML alone {raw:.2?}, parse {parse:.2?}, check {check:.2?} ({} problems), \
         Wizard::new {new:.2?}, Wizard::problems {wizard_problems:.2?}",
        problems.len()
    );
}

pub fn measure(n: usize, rounds: usize) -> Figures {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("integrations.yaml");
    let text = document(n);
    std::fs::write(&path, &text).expect("write the file");
    let catalog = Catalog::builtin();
    let (mut load, mut first, mut list, mut review) = (vec![], vec![], vec![], vec![]);
    for _ in 0..rounds {
        let started = Instant::now();
        let document = commands::load_document(&path, &catalog, commands::now())
            .unwrap_or_else(|e| panic!("{n} integrations refused: {e}"))
            .expect("a file");
        let mut wizard = Wizard::new(catalog.clone(), Some(&document), "/tmp/x.yaml", 0);
        load.push(started.elapsed());
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
        first.push(draw(&mut terminal, &wizard));
        key(&mut wizard, crossterm::event::KeyCode::Enter);
        list.push(draw(&mut terminal, &wizard));
        while matches!(wizard.step(), Step::Operation { .. }) {
            key(&mut wizard, crossterm::event::KeyCode::End); // Continue
            key(&mut wizard, crossterm::event::KeyCode::Enter);
        }
        review.push(draw(&mut terminal, &wizard));
    }
    Figures {
        n,
        file_bytes: text.len(),
        load: median(load),
        first_frame: median(first),
        list_frame: median(list),
        review_frame: median(review),
    }
}

/// A full load of an `n`-integration file, apart: the parse as shipped
/// (`config::parse_document`: one pass that checks and builds), the parse as it was
/// (`parse_document_in_two_passes`: the strict pass, then serde-saphyr), the strict
/// walk alone, and the load as the program does it (read, parse, check). Medians of
/// `rounds`.
pub fn parse(n: usize, rounds: usize) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("integrations.yaml");
    let text = document(n);
    std::fs::write(&path, &text).expect("write the file");
    let catalog = Catalog::builtin();
    let (mut one, mut two, mut walk, mut load) = (vec![], vec![], vec![], vec![]);
    let (mut events, mut hash, mut render) = (vec![], vec![], vec![]);
    for _ in 0..rounds {
        // What a cache keyed by content would pay before any look-up: SHA-256 of the text.
        let started = Instant::now();
        let _ = wfm_wizard::config::text_hash(&text);
        hash.push(started.elapsed());
        let started = Instant::now();
        let mut count = 0;
        let end = wfm_yaml_events::for_each_event(&text, &mut |_| {
            count += 1;
            true
        });
        events.push(started.elapsed());
        assert!(end == wfm_yaml_events::End::Finished && count > n);
        let started = Instant::now();
        let document = wfm_wizard::config::parse_document(&text).expect("parsed");
        one.push(started.elapsed());
        assert_eq!(document.integrations.len(), n);
        let started = Instant::now();
        let reference = wfm_wizard::config::parse_document_in_two_passes(&text).expect("parsed");
        two.push(started.elapsed());
        assert_eq!(reference, document, "one pass builds what two passes build");
        // What a fast path for the wizard's own output would pay to verify a file: its
        // rendering, to compare with the text.
        let started = Instant::now();
        let _ = wfm_wizard::config::render_document(&document).expect("rendered");
        render.push(started.elapsed());
        let started = Instant::now();
        wfm_wizard::config::strict::check_nodes(&text).expect("checked");
        walk.push(started.elapsed());
        let started = Instant::now();
        let _ = commands::load_document(&path, &catalog, commands::now()).expect("loaded");
        load.push(started.elapsed());
    }
    println!(
        "parse {n} integrations ({} B, median of {rounds}): parse_document (one pass) {:.1?}, \
         two passes (strict + serde-saphyr, as before) {:.1?}, strict walk alone {:.1?}, \
         the parser's events alone {:.1?}, load_document {:.1?}; SHA-256 of the text {:.1?}, \
         render_document {:.1?}",
        text.len(),
        median(one),
        median(two),
        median(walk),
        median(events),
        median(load),
        median(hash),
        median(render)
    );
}

/// The bench's own child for [`parse_memory`]: parses `path` one way and prints its
/// peak RSS (`VmHWM`, KiB).
pub fn parse_peak(how: &str, path: &str) {
    let text = std::fs::read_to_string(path).expect("read the file");
    let document = match how {
        "one" => Some(wfm_wizard::config::parse_document(&text).expect("parsed")),
        "two" => Some(wfm_wizard::config::parse_document_in_two_passes(&text).expect("parsed")),
        _ => None,
    };
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let peak = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .unwrap_or("?")
        .trim();
    println!("{peak} {}", document.map_or(0, |d| d.integrations.len()));
}

/// Peak RSS of one parse of an `n`-integration file, one pass and two, each in a fresh
/// process (this bench binary again), beside the same process reading the file only.
pub fn parse_memory(n: usize) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("integrations.yaml");
    std::fs::write(&path, document(n)).expect("write the file");
    let me = std::env::current_exe().expect("this benchmark");
    let peak = |how: &str| {
        let out = std::process::Command::new(&me)
            .args(["parse-peak", how])
            .arg(&path)
            .output()
            .expect("run the child");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    println!(
        "peak RSS, {n} integrations: read only {}; one pass {}; two passes {} (VmHWM, then integrations)",
        peak("none"),
        peak("one"),
        peak("two")
    );
}
