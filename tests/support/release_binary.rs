//! The release binary (what operators get), built once per test process.
//!
//! Include it with `#[path = "support/release_binary.rs"] mod release_binary;`.
//! Same approach as `tests/e2e_pty.rs`: cargo builds the test profile for tests, so
//! the test asks cargo for the release binary itself; the `cargo test` that runs this
//! has released its build lock by then.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

pub fn release_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
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
