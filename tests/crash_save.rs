//! kill -9 during a save, over both real stores (docs/crash-safety.md).
//!
//! Each trial: the config holds one integration saved without interruption; the
//! release binary, in plain mode in a real pseudo-terminal, changes both secrets and
//! the sub account ID to values unique to the trial, reaches Review, and is sent
//! SIGKILL at a random instant after the save key (uniform over 0..1.5x the duration
//! of an uninterrupted save measured in the same run). Then `wfm-wizard validate`
//! starts (after the redesign any command's start recovers), and the file, read with
//! `parse_document`, and the store, read with `secret-tool` / `keyctl`, must agree:
//! the old file with the old secrets or the new file with the new ones, and nothing
//! left behind (see `verdict.rs`).
//!
//! `WFM_WIZARD_CRASH_TRIALS=N`: trials per store (30 by default; the long mode of the
//! docs runs 250). `WFM_WIZARD_CRASH_SEED` and `WFM_WIZARD_CRASH_WINDOW_US` replay the
//! kill instants of a run (both are printed).
#![cfg(target_os = "linux")]

#[path = "crash_save/outside_store.rs"]
mod outside_store;
#[path = "support/private_secret_service.rs"]
mod private_secret_service;
#[path = "support/pty_session.rs"]
mod pty_session;
#[path = "support/release_binary.rs"]
mod release_binary;
#[path = "crash_save/verdict.rs"]
mod verdict;
#[path = "crash_save/wizard_run.rs"]
mod wizard_run;

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use outside_store::OutsideStore;
use verdict::{Leftover, Outcome, Verdict, Version, judge};
use wizard_run::Values;

const TRIALS_ENV: &str = "WFM_WIZARD_CRASH_TRIALS";
const SEED_ENV: &str = "WFM_WIZARD_CRASH_SEED";
const WINDOW_ENV: &str = "WFM_WIZARD_CRASH_WINDOW_US";
/// Trials per store in `cargo test`.
const DEFAULT_TRIALS: u64 = 30;
/// Uninterrupted saves timed before the trials; the median sets the window.
const CALIBRATION_SAVES: usize = 3;
/// The kill comes uniformly between zero and `WINDOW_FACTOR / WINDOW_DIVISOR` times the
/// uninterrupted save.
const WINDOW_FACTOR: u32 = 3;
const WINDOW_DIVISOR: u32 = 2;
/// Bad trials described in the failure message (all are counted).
const DETAILS_SHOWN: usize = 12;

/// The two stores' runs one after the other: a calibration measured while the other
/// store's trials load the machine would not fit the trials.
static ONE_STORE_AT_A_TIME: Mutex<()> = Mutex::new(());

#[test]
fn kill_9_during_a_save_leaves_the_secret_service_and_the_file_consistent() {
    let _one = ONE_STORE_AT_A_TIME
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let Some(service) = private_secret_service::start_or_skip() else {
        return;
    };
    Run::new(OutsideStore::SecretService(service)).trials();
}

#[test]
fn kill_9_during_a_save_leaves_the_kernel_keyring_and_the_file_consistent() {
    let _one = ONE_STORE_AT_A_TIME
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    match private_secret_service::tools_present(&["keyctl"]) {
        Ok(true) => {}
        Ok(false) => return, // skipped, and said so loudly
        Err(e) => panic!("{e}"),
    }
    Run::new(OutsideStore::Keyutils {
        group: unique_group(),
    })
    .trials();
}

/// One store's trials. Dropping it removes this run's entries from the store.
struct Run {
    store: OutsideStore,
    group: String,
    config: PathBuf,
    nonce: u64,
    /// Saves so far: each gets unique values.
    serial: u64,
    /// What the config and its secrets hold now.
    current: Values,
    // Last, so it is removed after the store is cleared.
    dir: tempfile::TempDir,
}

impl Run {
    fn new(store: OutsideStore) -> Self {
        let group = match &store {
            OutsideStore::Keyutils { group } => group.clone(),
            OutsideStore::SecretService(_) => unique_group(),
        };
        let dir = tempfile::Builder::new()
            .prefix("wfm-crash-")
            .tempdir()
            .expect("temporary directory");
        let nonce = seed_from_clock();
        let mut run = Run {
            config: dir.path().join("integrations.yaml"),
            store,
            group,
            nonce,
            serial: 0,
            current: Values::unique(nonce, 0),
            dir,
        };
        run.start_afresh();
        run
    }

    fn next_values(&mut self) -> Values {
        self.serial += 1;
        Values::unique(self.nonce, self.serial)
    }

    /// No file, no entries, then one save without interruption.
    fn start_afresh(&mut self) {
        for entry in std::fs::read_dir(self.dir.path()).expect("list the directory") {
            let path = entry.expect("a directory entry").path();
            let removed = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            removed.unwrap_or_else(|e| panic!("cannot remove {}: {e}", path.display()));
        }
        self.store.clear();
        let values = self.next_values();
        wizard_run::first_save(&self.config, &self.store, &self.group, &values);
        self.current = values;
        // Serial 0 is never saved: the first save is judged as the "old" version.
        let (_, verdict) = self.judge(&Values::unique(self.nonce, 0));
        self.assert_clean(&verdict, Version::Old, "a first save without interruption");
    }

    /// Starts `validate` (its exit code is returned), then judges what is there.
    fn judge(&self, new: &Values) -> (Option<i32>, Verdict) {
        let validate = wizard_run::validate(&self.config, &self.store);
        let verdict = judge(&self.config, &self.store, &self.group, &self.current, new);
        (validate, verdict)
    }

    /// Checks the checker: a save nobody interrupted must be judged clean.
    fn assert_clean(&self, verdict: &Verdict, version: Version, what: &str) {
        let outcome = match &verdict.outcome {
            Outcome::Consistent(found) if *found == version => {
                return self.no_leftovers(verdict, what);
            }
            Outcome::Consistent(found) => format!("the {found} version"),
            Outcome::Inconsistent { why, .. } => why.clone(),
        };
        panic!(
            "{what} ({}) left {outcome}, not the {version} version",
            self.store.kind()
        );
    }

    fn no_leftovers(&self, verdict: &Verdict, what: &str) {
        let left: Vec<String> = verdict.leftovers.iter().map(ToString::to_string).collect();
        assert!(
            left.is_empty() && verdict.unreferenced.is_empty(),
            "{what} ({}) left {left:?}, unreferenced entries {:?}",
            self.store.kind(),
            verdict.unreferenced
        );
    }

    /// Uninterrupted edits, timed from the save key to the program's exit: the median.
    fn calibrate(&mut self) -> Duration {
        let mut took = Vec::new();
        for _ in 0..CALIBRATION_SAVES {
            let next = self.next_values();
            let on_review = wizard_run::edit_to_review(&self.config, &self.store, &next);
            took.push(on_review.save_uninterrupted());
            let (_, verdict) = self.judge(&next);
            self.assert_clean(&verdict, Version::New, "an edit saved without interruption");
            self.current = next;
        }
        took.sort();
        took[took.len() / 2]
    }

    fn trials(mut self) {
        let trials = env_number(TRIALS_ENV).unwrap_or(DEFAULT_TRIALS);
        let save = self.calibrate();
        let window_us = env_number(WINDOW_ENV).unwrap_or_else(|| {
            let us = u64::try_from(save.as_micros()).unwrap_or(u64::MAX);
            us * u64::from(WINDOW_FACTOR) / u64::from(WINDOW_DIVISOR)
        });
        let seed = env_number(SEED_ENV).unwrap_or_else(seed_from_clock);
        let mut random = SplitMix(seed);
        let mut tally = Tally::default();
        for trial in 1..=trials {
            let next = self.next_values();
            let delay = Duration::from_micros(random.below(window_us));
            let on_review = wizard_run::edit_to_review(&self.config, &self.store, &next);
            let end = on_review.save_and_kill_after(delay);
            let (validate, verdict) = self.judge(&next);
            let clean = tally.count(trial, delay, end.finished, validate, &verdict);
            if let Outcome::Consistent(Version::New) = verdict.outcome {
                self.current = next;
            }
            let draft_left = std::fs::exists(draft_path(&self.config)).unwrap_or(true);
            if !clean || draft_left || !verdict.unreferenced.is_empty() {
                // A stale draft would turn the next start into a resume offer.
                self.start_afresh();
            }
        }
        let summary = format!(
            "crash_save {}: {trials} trials, seed {seed:#x}, kill within 0..{window_us} us of the \
             save key (an uninterrupted save took {} us; replay with {SEED_ENV}={seed:#x} \
             {WINDOW_ENV}={window_us}): {}",
            self.store.kind(),
            save.as_micros(),
            tally.figures()
        );
        eprintln!("{summary}");
        assert!(
            tally.inconsistent == 0 && tally.with_leftovers == 0 && tally.with_unreferenced == 0,
            "{summary}\n{}",
            tally.details.join("\n")
        );
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        self.store.clear();
    }
}

/// Outcomes counted over a store's trials.
#[derive(Default)]
struct Tally {
    old: u64,
    new: u64,
    inconsistent: u64,
    /// Inconsistent trials of the kind: the old file naming a new value.
    old_file_new_secret: u64,
    /// Inconsistent trials that `validate` passed (exit 0).
    validate_ok_on_inconsistent: u64,
    with_leftovers: u64,
    /// Trials that left a file beside the config (a temporary copy, a journal).
    with_files: u64,
    /// Trials that left a draft entry no draft names.
    with_draft_entries: u64,
    with_unreferenced: u64,
    finished_first: u64,
    details: Vec<String>,
}

impl Tally {
    /// Counts one trial; whether it was clean (consistent, nothing left behind).
    fn count(
        &mut self,
        trial: u64,
        delay: Duration,
        finished: bool,
        validate: Option<i32>,
        verdict: &Verdict,
    ) -> bool {
        self.finished_first += u64::from(finished);
        let mut bad = Vec::new();
        match &verdict.outcome {
            Outcome::Consistent(Version::Old) => self.old += 1,
            Outcome::Consistent(Version::New) => self.new += 1,
            Outcome::Inconsistent {
                why,
                old_file_new_secret,
            } => {
                self.inconsistent += 1;
                self.old_file_new_secret += u64::from(*old_file_new_secret);
                self.validate_ok_on_inconsistent += u64::from(validate == Some(0));
                bad.push(format!(
                    "INCONSISTENT ({why}; validate exited {validate:?})"
                ));
            }
        }
        if !verdict.leftovers.is_empty() {
            self.with_leftovers += 1;
            let any = |file: bool| {
                verdict
                    .leftovers
                    .iter()
                    .any(|l| matches!(l, Leftover::File(_)) == file)
            };
            self.with_files += u64::from(any(true));
            self.with_draft_entries += u64::from(any(false));
            bad.extend(verdict.leftovers.iter().map(|l| format!("LEFT {l}")));
        }
        self.with_unreferenced += u64::from(!verdict.unreferenced.is_empty());
        // A parked old value (or any entry of the test's group the file does not name)
        // would keep a secret nobody refers to.
        bad.extend(
            verdict
                .unreferenced
                .iter()
                .map(|u| format!("UNREFERENCED {u}")),
        );
        let clean = bad.is_empty();
        if !clean && self.details.len() < DETAILS_SHOWN {
            self.details.push(format!(
                "trial {trial}: killed {} us after the save key{}: {}",
                delay.as_micros(),
                if finished { " (it had finished)" } else { "" },
                bad.join("; ")
            ));
        }
        clean
    }

    fn figures(&self) -> String {
        format!(
            "old {}, new {}, inconsistent {} (the old file naming a new secret {}, passed by \
             validate {}), with leftovers {} (a file beside the config {}, \
             an orphan draft entry {}); unreferenced entries in {} trials; the save had \
             finished before the kill in {}",
            self.old,
            self.new,
            self.inconsistent,
            self.old_file_new_secret,
            self.validate_ok_on_inconsistent,
            self.with_leftovers,
            self.with_files,
            self.with_draft_entries,
            self.with_unreferenced,
            self.finished_first
        )
    }
}

/// splitmix64: a small, well-mixed generator, so a seed replays a run.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` (0 when `bound` is 0).
    fn below(&mut self, bound: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(bound)) >> 64) as u64
    }
}

/// A Group no other run (of this or another test process) uses, so this run's kernel
/// keys are told apart from everyone else's.
fn unique_group() -> String {
    format!(
        "crash-{}-{:x}",
        std::process::id(),
        seed_from_clock() & 0xffff_ffff
    )
}

fn seed_from_clock() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    (nanos as u64) ^ (u64::from(std::process::id()) << 32)
}

/// A whole number from the environment, decimal or `0x` hexadecimal.
fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let text = text.trim();
    let parsed = match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    Some(parsed.unwrap_or_else(|e| panic!("{name}={text:?} is not a whole number: {e}")))
}

fn draft_path(config: &std::path::Path) -> PathBuf {
    let mut path = config.as_os_str().to_owned();
    path.push(".draft");
    PathBuf::from(path)
}
