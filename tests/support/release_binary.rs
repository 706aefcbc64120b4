//! The release binary, the one operators get (LTO, stripped, no debug assertions), built
//! once per test process: `cargo test` builds the test profile's binary only, so the
//! test asks cargo for the release one itself. The outer `cargo test` has released its
//! build lock by then, so this build does not wait for it.
//!
//! Include it from a test target with
//! `#[path = "support/release_binary.rs"] mod release_binary;`.
#![allow(dead_code)] // each test target uses its own part of this module

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

pub fn release_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        // Straight to stderr, so whoever waits knows why (the harness captures `eprintln!`).
        let _ = writeln!(
            std::io::stderr(),
            "making sure the release binary is built (a first build takes minutes)"
        );
        let out = Command::new(&cargo)
            .args(["build", "--release", "--bin", "wfm-wizard", "--quiet"])
            .current_dir(manifest_dir)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", cargo.display()));
        assert!(
            out.status.success(),
            "cargo build --release failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let target_dir = std::env::var_os("CARGO_TARGET_DIR")
            .map_or_else(|| manifest_dir.join("target"), |dir| manifest_dir.join(dir));
        let binary = target_dir.join("release").join("wfm-wizard");
        assert!(
            binary.is_file(),
            "no release binary at {}",
            binary.display()
        );
        binary
    })
}

/// Whether `tool` is an executable on `PATH`.
pub fn on_path(tool: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            std::fs::metadata(dir.join(tool))
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    })
}
