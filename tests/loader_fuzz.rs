//! The loader under random hostile input (see `tests/support/loader_fuzz.rs`): a few
//! thousand cases on every `cargo test`; `cargo bench --bench wire -- fuzz` runs the
//! long mode. `WFM_FUZZ_SEED` replays a run; `WFM_FUZZ_CASES` changes its length.

#[path = "support/loader_fuzz.rs"]
mod loader_fuzz;

fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

#[test]
fn the_loader_refuses_or_accepts_every_mutation_without_panic_delay_or_echo() {
    let seed = env_number("WFM_FUZZ_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    let cases = env_number("WFM_FUZZ_CASES").map_or(3_000, |n| n as usize);
    match loader_fuzz::run(cases, seed) {
        Ok(n) => eprintln!("loader fuzz: {n} inputs, seed {seed:#x}"),
        Err(why) => panic!("{why}\nreplay with WFM_FUZZ_SEED={seed:#x}"),
    }
}

#[test]
fn the_property_fails_on_an_echo_or_an_escape() {
    let echo = format!("unknown field `{}`", loader_fuzz::MARKERS[2]);
    assert!(loader_fuzz::check_messages(&[echo]).is_err());
    assert!(loader_fuzz::check_messages(&["bad \u{1b}[2J".into()]).is_err());
    assert!(
        loader_fuzz::check_messages(&["`integrations[0].group` holds a control character".into()])
            .is_ok()
    );
}
