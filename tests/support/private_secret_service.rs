//! A private, unlocked Secret Service for tests: its own `dbus-daemon` session bus and
//! a `gnome-keyring-daemon` on it, both in a fresh temporary directory, both killed on
//! drop. Nothing touches the user's keyring, `$HOME` or any real bus.
//!
//! Include it from a test target with
//! `#[path = "support/private_secret_service.rs"] mod private_secret_service;`.
//!
//! ```ignore
//! let Some(secrets) = PrivateSecretService::start()? else { return Ok(()) }; // skipped loudly
//! std::process::Command::new(bin).envs(secrets.envs()).status()?;
//! ```
//!
//! Missing tools make [`PrivateSecretService::start`] print a loud `SKIPPED:` message
//! and return `Ok(None)`, unless `WFM_WIZARD_REQUIRE_REAL_STORES=1` is set: then they
//! are an `Err`, so CI cannot pass without really testing the stores.
//!
//! The zbus store reads `DBUS_SESSION_BUS_ADDRESS` from the process environment,
//! which a test cannot change (`set_var` is unsafe in edition 2024 and the crate
//! forbids unsafe code): give [`PrivateSecretService::envs`] to a child process.
#![allow(dead_code)] // each test target uses its own part of this module

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "skip.rs"]
pub mod skip;
pub use skip::REQUIRE_ENV;

/// How long the daemons get to come up.
const STARTUP_DEADLINE: Duration = Duration::from_secs(10);

/// Unlocks (and on first start creates) the throw-away login keyring.
const KEYRING_PASSWORD: &str = "wfm-wizard-test-keyring-not-a-secret";

/// A running private session bus with an unlocked gnome-keyring on it.
pub struct PrivateSecretService {
    bus_address: String,
    data_home: PathBuf,
    runtime_dir: PathBuf,
    keyring: Child,
    bus: Child,
    // Last, so it is removed after the daemons are gone.
    dir: tempfile::TempDir,
}

impl PrivateSecretService {
    /// Starts the bus and an unlocked keyring and waits until `org.freedesktop.secrets`
    /// is owned. `Ok(None)`: tools missing, skipped (already reported on stderr).
    pub fn start() -> Result<Option<Self>, String> {
        Self::start_in(KeyringState::Unlocked)
    }

    /// As [`PrivateSecretService::start`], with the keyring in `state`.
    pub fn start_in(state: KeyringState) -> Result<Option<Self>, String> {
        let mut tools = vec!["dbus-daemon", "gnome-keyring-daemon"];
        if find_tool("gdbus").is_none() {
            tools.push("dbus-send"); // the fallback way to wait for the name
        }
        if !tools_present(&tools)? {
            return Ok(None);
        }

        let dir = tempfile::Builder::new()
            .prefix("wfm-secret-service-")
            .tempdir()
            .map_err(|e| format!("cannot make a temporary directory: {e}"))?;
        let data_home = dir.path().join("data");
        let runtime_dir = dir.path().join("run");
        for d in [dir.path(), &data_home, &runtime_dir] {
            std::fs::create_dir_all(d)
                .map_err(|e| format!("cannot create {}: {e}", d.display()))?;
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| format!("cannot chmod {}: {e}", d.display()))?;
        }

        let (bus, bus_address) = start_bus(dir.path(), &runtime_dir)?;
        let mut started = PartStarted {
            bus: Some(bus),
            keyring: None,
        };

        // Locked: a first, unlocked start creates the login keyring on disk; the daemon
        // that stays is started again without the password.
        let first_unlocked = state != KeyringState::NoLoginKeyring;
        started.keyring = Some(spawn_keyring(
            dir.path(),
            &bus_address,
            &data_home,
            &runtime_dir,
            first_unlocked,
        )?);
        started.wait_ready(dir.path(), &bus_address)?;
        if state == KeyringState::Locked {
            let login = data_home.join("keyrings").join("login.keyring");
            if !wait_until(STARTUP_DEADLINE, || login.exists()) {
                return Err(format!("no {} after an unlocked start", login.display()));
            }
            if let Some(first) = started.keyring.as_mut() {
                stop(first);
            }
            started.keyring = Some(spawn_keyring(
                dir.path(),
                &bus_address,
                &data_home,
                &runtime_dir,
                false,
            )?);
            started.wait_ready(dir.path(), &bus_address)?;
        }
        if state == KeyringState::Stopped {
            let pid = started.keyring.as_ref().map(Child::id).unwrap_or_default();
            signal(pid, "STOP")?;
        }

        let (Some(bus), Some(keyring)) = (started.bus.take(), started.keyring.take()) else {
            unreachable!("both daemons were started above");
        };
        Ok(Some(PrivateSecretService {
            bus_address,
            data_home,
            runtime_dir,
            keyring,
            bus,
            dir,
        }))
    }

    /// `DBUS_SESSION_BUS_ADDRESS`, `XDG_DATA_HOME` and `XDG_RUNTIME_DIR` for a child
    /// process that should use this Secret Service (`$XDG_RUNTIME_DIR/bus` is the bus
    /// socket too, so a child without the address still finds it).
    pub fn envs(&self) -> Vec<(String, String)> {
        vec![
            (
                "DBUS_SESSION_BUS_ADDRESS".to_owned(),
                self.bus_address.clone(),
            ),
            (
                "XDG_DATA_HOME".to_owned(),
                self.data_home.display().to_string(),
            ),
            (
                "XDG_RUNTIME_DIR".to_owned(),
                self.runtime_dir.display().to_string(),
            ),
        ]
    }
}

impl PrivateSecretService {
    /// The process id of `gnome-keyring-daemon`.
    pub fn keyring_pid(&self) -> u32 {
        self.keyring.id()
    }
}

/// The states a provider can be in that the wizard must explain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyringState {
    /// Started with `--unlock`: the login keyring exists and is open.
    Unlocked,
    /// The login keyring exists but the daemon was started without `--unlock`.
    Locked,
    /// Started without `--unlock` in an empty data directory: no login keyring at all.
    NoLoginKeyring,
    /// Unlocked, then stopped with SIGSTOP: on the bus, never answering.
    Stopped,
}

/// Sends `SIG<name>` to `pid` with kill(1) (the crate forbids unsafe code).
pub fn signal(pid: u32, name: &str) -> Result<(), String> {
    let status = Command::new("kill")
        .args([format!("-{name}"), pid.to_string()])
        .status()
        .map_err(|e| format!("cannot run kill: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("kill -{name} {pid} failed: {status}"))
    }
}

fn spawn_keyring(
    dir: &Path,
    bus_address: &str,
    data_home: &Path,
    runtime_dir: &Path,
    unlock: bool,
) -> Result<Child, String> {
    let mut command = Command::new("gnome-keyring-daemon");
    command.args(["--foreground", "--components=secrets"]);
    if unlock {
        command.arg("--unlock").stdin(Stdio::piped());
    } else {
        command.stdin(Stdio::null());
    }
    let mut keyring = command
        .env("DBUS_SESSION_BUS_ADDRESS", bus_address)
        .env("XDG_DATA_HOME", data_home)
        .env("XDG_RUNTIME_DIR", runtime_dir)
        .stdout(log_file(dir, "gnome-keyring.log")?)
        .stderr(log_file(dir, "gnome-keyring.log")?)
        .spawn()
        .map_err(|e| format!("cannot start gnome-keyring-daemon: {e}"))?;
    // The daemon reads the password up to end of file: write it and close stdin.
    if let Some(mut stdin) = keyring.stdin.take()
        && let Err(e) = stdin.write_all(KEYRING_PASSWORD.as_bytes())
    {
        stop(&mut keyring);
        return Err(format!(
            "cannot give gnome-keyring-daemon its password: {e}"
        ));
    }
    Ok(keyring)
}

/// Polls `done` until it holds or `limit` passes.
pub fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20)); // poll interval
    }
}

impl Drop for PrivateSecretService {
    fn drop(&mut self) {
        stop(&mut self.keyring);
        stop(&mut self.bus);
    }
}

/// Checks that each tool is on `PATH`. All there: `Ok(true)`. Some missing: a loud
/// `SKIPPED:` on stderr and `Ok(false)`, or `Err` when [`REQUIRE_ENV`] is `1`.
pub fn tools_present(tools: &[&str]) -> Result<bool, String> {
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|tool| find_tool(tool).is_none())
        .collect();
    if missing.is_empty() {
        return Ok(true);
    }
    let what = format!(
        "{} not installed; install gnome-keyring dbus-daemon libsecret-tools keyutils",
        missing.join(", ")
    );
    if skip::required() {
        return Err(format!(
            "{what} ({REQUIRE_ENV}=1 requires the real secret stores)"
        ));
    }
    skip::skip(&what);
    Ok(false)
}

/// The tool's path on `PATH`, if it is there and executable.
fn find_tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| {
            std::fs::metadata(candidate)
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// Starts `dbus-daemon` listening on `<runtime_dir>/bus`; returns it and its address.
fn start_bus(dir: &Path, runtime_dir: &Path) -> Result<(Child, String), String> {
    let mut bus = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--print-address"])
        .arg(format!(
            "--address=unix:path={}",
            runtime_dir.join("bus").display()
        ))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log_file(dir, "dbus.log")?)
        .spawn()
        .map_err(|e| format!("cannot start dbus-daemon: {e}"))?;
    // The first line on stdout is the address, printed once it listens. Read it on a
    // helper thread so a daemon that neither prints nor exits cannot hang the test.
    let stdout = bus.stdout.take().expect("stdout is piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line).map(|_| line);
        let _ = tx.send(read);
    });
    match rx.recv_timeout(STARTUP_DEADLINE) {
        Ok(Ok(line)) if !line.trim().is_empty() => Ok((bus, line.trim().to_owned())),
        outcome => {
            stop(&mut bus);
            Err(format!(
                "dbus-daemon printed no address ({outcome:?})\n--- dbus.log ---\n{}",
                read_log(dir, "dbus.log")
            ))
        }
    }
}

/// Waits until `org.freedesktop.secrets` has an owner on the bus, without activating it.
fn wait_for_secrets_name(bus_address: &str) -> Result<(), String> {
    if find_tool("gdbus").is_some() {
        let out = Command::new("gdbus")
            .args(["wait", "--session", "--timeout"])
            .arg(STARTUP_DEADLINE.as_secs().to_string())
            .arg("org.freedesktop.secrets")
            .env("DBUS_SESSION_BUS_ADDRESS", bus_address)
            .output()
            .map_err(|e| format!("cannot run gdbus: {e}"))?;
        return if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "org.freedesktop.secrets did not appear on the private bus within {} s ({}; {})",
                STARTUP_DEADLINE.as_secs(),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        };
    }
    // Without gdbus: ask the bus, a bounded number of times, until the name is owned.
    let deadline = Instant::now() + STARTUP_DEADLINE;
    loop {
        let out = Command::new("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.secrets",
            ])
            .env("DBUS_SESSION_BUS_ADDRESS", bus_address)
            .output()
            .map_err(|e| format!("cannot run dbus-send: {e}"))?;
        if String::from_utf8_lossy(&out.stdout).contains("boolean true") {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "org.freedesktop.secrets did not appear on the private bus within {} s",
                STARTUP_DEADLINE.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(20)); // poll interval, not a wait for readiness
    }
}

fn log_file(dir: &Path, name: &str) -> Result<std::fs::File, String> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(name))
        .map_err(|e| format!("cannot open {name}: {e}"))
}

fn read_log(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_default()
}

fn stop(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Stops whatever was started when `start` returns early with an error.
struct PartStarted {
    bus: Option<Child>,
    keyring: Option<Child>,
}

impl PartStarted {
    /// Waits for `org.freedesktop.secrets`; on failure the error carries both logs.
    fn wait_ready(&mut self, dir: &Path, bus_address: &str) -> Result<(), String> {
        wait_for_secrets_name(bus_address).map_err(|e| {
            let exited = self
                .keyring
                .as_mut()
                .and_then(|k| k.try_wait().ok().flatten())
                .map(|status| format!(" gnome-keyring-daemon exited: {status}."))
                .unwrap_or_default();
            format!(
                "{e}.{exited}\n--- gnome-keyring.log ---\n{}\n--- dbus.log ---\n{}",
                read_log(dir, "gnome-keyring.log"),
                read_log(dir, "dbus.log")
            )
        })
    }
}

impl Drop for PartStarted {
    fn drop(&mut self) {
        for child in [self.keyring.as_mut(), self.bus.as_mut()]
            .into_iter()
            .flatten()
        {
            stop(child);
        }
    }
}

/// The private Secret Service a test needs, or `None` after [`tools_present`]'s loud
/// skip (a failure under [`REQUIRE_ENV`]); a failure when it cannot start.
pub fn start_or_skip() -> Option<PrivateSecretService> {
    tools_present(&["dbus-daemon", "gnome-keyring-daemon", "secret-tool"])
        .and_then(|present| {
            if present {
                PrivateSecretService::start()
            } else {
                Ok(None)
            }
        })
        .unwrap_or_else(|e| panic!("cannot start a private Secret Service: {e}"))
}
