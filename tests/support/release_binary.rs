//! The release binary (the one operators get), built once per test process, and a way
//! to run it to completion within a deadline. The same approach as `e2e_pty.rs`: the
//! test asks cargo for the release build itself, so `cargo test` stays the only command.
//!
//! Include it with `#[path = "support/release_binary.rs"] mod release_binary;`.
#![allow(dead_code)] // each test target uses its own part of this module

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How long a command run to completion may take.
pub const DEADLINE: Duration = Duration::from_secs(20);

pub fn release_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let _ = writeln!(
            std::io::stderr(),
            "making sure the release binary is built (a first build takes minutes)"
        );
        let started = Instant::now();
        let mut build = Command::new(&cargo);
        // Cargo gives this test process the package's own CARGO_PKG_*/CARGO_MANIFEST_*
        // variables; ring's build script reruns when those differ from a plain shell's,
        // and with it every crate above ring, so a nested build would redo the release
        // build each time a developer alternates with `cargo build --release`.
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy();
            if [
                "CARGO_PKG_",
                "CARGO_MANIFEST_",
                "CARGO_CRATE_",
                "CARGO_BIN_",
            ]
            .iter()
            .any(|prefix| name.starts_with(prefix))
                || ["CARGO_PRIMARY_PACKAGE", "CARGO_TARGET_TMPDIR", "OUT_DIR"].contains(&&*name)
            {
                build.env_remove(&*name);
            }
        }
        let out = build
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
        eprintln!("release build took {} ms", started.elapsed().as_millis());
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

/// Runs `command` to completion with its output captured, failing the test (and
/// killing it) after [`DEADLINE`].
pub fn output_within(mut command: Command) -> Output {
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let pid = child.id();
    let (report, result) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = report.send(child.wait_with_output());
    });
    match result.recv_timeout(DEADLINE) {
        Ok(Ok(output)) => output,
        Ok(Err(e)) => panic!("waiting for {command:?}: {e}"),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("{command:?} did not finish within {} s", DEADLINE.as_secs());
        }
    }
}

pub fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            std::fs::metadata(dir.join(tool))
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    })
}

/// The namespace a saved config records (its keyring entries start with it).
pub fn saved_namespace(config: &Path) -> String {
    let text = std::fs::read_to_string(config).expect("read the config");
    let document = wfm_wizard::config::parse_document(&text).expect("parse the config");
    document
        .namespace
        .expect("a saved config records its namespace")
}

/// What stays beside a saved config `integrations.yaml`: the file, its history
/// (backups and the audit trail) and the edit lock (a lock file is never removed:
/// removing one races with a process about to take it).
pub const LEFT_AFTER_SAVE: [&str; 3] = [
    "integrations.yaml",
    "integrations.yaml.history",
    "integrations.yaml.lock",
];

/// The release wizard as a pseudo-terminal test starts it: the kernel keyring (no
/// daemon needed), systemd credentials off (this machine's host key is never made),
/// `config` as the file, a colour UTF-8 terminal, and none of the caller's variables
/// that would change what it shows (SSH, tmux, another store, a bus).
pub fn keyutils_wizard(config: &Path) -> portable_pty::CommandBuilder {
    wizard_with_store("keyutils", config)
}

/// [`keyutils_wizard`] with `store` (`secret-service` wants the caller's bus, set
/// with `env` after this).
pub fn wizard_with_store(store: &str, config: &Path) -> portable_pty::CommandBuilder {
    let mut command = portable_pty::CommandBuilder::new(release_binary());
    command.env(
        "WFM_WIZARD_SYSTEMD_CREDS",
        "/nonexistent/systemd-creds-is-off-in-tests",
    );
    command.args(["--secret-store", store]);
    command.env("WFM_WIZARD_CONFIG", config);
    command.env("TERM", "xterm-256color");
    command.env("LANG", "C.UTF-8");
    for name in [
        "NO_COLOR",
        "WFM_WIZARD_SECRET_STORE",
        "SSH_CONNECTION",
        "TMUX",
        "STY",
        "DBUS_SESSION_BUS_ADDRESS",
    ] {
        command.env_remove(name);
    }
    if let Some(dir) = config.parent() {
        command.cwd(dir);
    }
    command
}
