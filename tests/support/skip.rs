//! The one way a test says it did not run: a loud `SKIPPED: <test>: <why>` that shows
//! under cargo's default harness, or a failure where the real tools are required.
//!
//! libtest captures what `eprintln!` prints and shows it only for a failing test, so a
//! skipped test would pass in 0.00 s without a word. [`skip`] writes to the stderr
//! handle itself, which libtest does not capture.
//!
//! Include it from a test target with `#[path = "support/skip.rs"] mod skip;` (the
//! library's unit tests reach it through `test_support::skip`).
#![allow(dead_code)] // each test target uses its own part of this module

use std::io::Write;

/// Set to `1` (as CI does) to make every skip a failure.
pub const REQUIRE_ENV: &str = "WFM_WIZARD_REQUIRE_REAL_STORES";

/// Whether a skip must fail instead ([`REQUIRE_ENV`] is `1`).
pub fn required() -> bool {
    std::env::var(REQUIRE_ENV).as_deref() == Ok("1")
}

/// Reports that the running test did not run because of `why` (say what is missing
/// and how to get it). Under [`REQUIRE_ENV`]`=1` it panics instead, failing the test.
pub fn skip(why: &str) {
    let test = test_name();
    assert!(
        !required(),
        "{test}: {why} ({REQUIRE_ENV}=1 requires this test to run)"
    );
    let bar = "!".repeat(78);
    let _ = writeln!(
        std::io::stderr().lock(),
        "\n{bar}\nSKIPPED: {test}: {why}\n(this test did not run; set {REQUIRE_ENV}=1 to make that a failure)\n{bar}"
    );
}

/// libtest runs each test on a thread named after it; a harness-less target runs on
/// `main`.
fn test_name() -> String {
    match std::thread::current().name() {
        Some(name) if name != "main" => name.to_owned(),
        _ => std::env::args()
            .next()
            .and_then(|exe| {
                let file = std::path::Path::new(&exe).file_name()?.to_string_lossy();
                // cargo names the executable `<target>-<hash>`.
                let target = file.rsplit_once('-').map_or(&*file, |(name, _)| name);
                Some(target.to_owned())
            })
            .unwrap_or_else(|| "this test".to_owned()),
    }
}
