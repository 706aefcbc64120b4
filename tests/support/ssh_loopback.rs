//! A real SSH session on loopback, in tmux, for tests that drive the wizard the way
//! operators reach it: an `sshd` of the test's own on 127.0.0.1 (throwaway keys, key
//! auth only, host key pinned), an `ssh -tt` client running in a tmux pane, and the
//! remote processes watched from /proc.
//!
//! Include it with `#[path = "support/ssh_loopback.rs"] mod ssh_loopback;`.
//!
//! ```ignore
//! let Some(sshd) = Sshd::start().unwrap() else { return }; // tools missing: skipped
//! let pane = sshd.run(&Session::new("exec /path/wfm-wizard").lang("C").env("NO_COLOR", "1"));
//! pane.wait_for("Choose the contact-center platform");
//! pane.type_text("east");
//! pane.keys(&["Enter"]);
//! let remote = sshd.remote_processes();          // record while connected
//! pane.signal_client("KILL");                    // the link drops
//! wait_until(Duration::from_secs(2), || remote.iter().all(|p| !p.alive()));
//! let bytes = pane.raw();                        // every byte the pane received
//! ```
//!
//! Same design as the reference harness (`ssh-tui-harness.sh`): sshd runs with `-D`
//! and its own config, host key and client key; processes are stopped only by the
//! recorded PID (remote ones by PID and kernel start time, since after a disconnect
//! they are no longer below sshd); `pipe-pane` starts in the same tmux command as the
//! session so no early byte is missed; the pane runs `bash -c 'ssh ...; echo $? >file'`
//! because tmux 3.3a sometimes leaves an exited pane process unreaped. Nothing sleeps
//! for a fixed time: waits poll a condition with a deadline.
#![allow(dead_code)] // each test target uses its own part of this module

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

// over_ssh.rs, the one target that uses this module, has the skip helper there.
use crate::private_secret_service::skip;

/// How long any one wait may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(20);

const SSHD: &str = "/usr/sbin/sshd";
/// Client-side variables the session may send; sshd accepts exactly these.
const ACCEPTED_ENV: &str = "LANG LC_* NO_COLOR COLORTERM";

/// The test's own sshd on 127.0.0.1. Dropping it stops every process below it, then it.
pub struct Sshd {
    port: u16,
    user: String,
    child: Child,
    /// Every remote process [`Sshd::remote_processes`] ever reported: after a
    /// disconnect one may live on, orphaned and no longer below sshd.
    seen: std::sync::Mutex<Vec<RemoteProcess>>,
    dir: tempfile::TempDir,
}

/// What one pane runs and with which terminal settings.
#[derive(Clone, Debug)]
pub struct Session {
    /// The remote command line, as sshd hands it to the login shell.
    pub command: String,
    pub term: String,
    pub lang: String,
    pub cols: u16,
    pub rows: u16,
    /// Client-side variables sent with `SendEnv` (names must match [`ACCEPTED_ENV`]).
    pub env: Vec<(String, String)>,
}

impl Session {
    /// 80x24, `TERM=xterm-256color`, `LANG=C.UTF-8`, nothing else sent.
    pub fn new(command: &str) -> Self {
        Session {
            command: command.to_owned(),
            term: "xterm-256color".into(),
            lang: "C.UTF-8".into(),
            cols: 80,
            rows: 24,
            env: Vec::new(),
        }
    }

    pub fn term(mut self, term: &str) -> Self {
        term.clone_into(&mut self.term);
        self
    }

    pub fn lang(mut self, lang: &str) -> Self {
        lang.clone_into(&mut self.lang);
        self
    }

    pub fn size(mut self, cols: u16, rows: u16) -> Self {
        (self.cols, self.rows) = (cols, rows);
        self
    }

    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// A process below sshd, recorded while the session was up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteProcess {
    pub pid: u32,
    /// Kernel start time (clock ticks since boot): guards against PID reuse.
    pub start_time: u64,
    pub command: String,
}

impl RemoteProcess {
    /// Still running (a zombie counts as gone: it has exited).
    pub fn alive(&self) -> bool {
        stat(self.pid).is_some_and(|s| s.start_time == self.start_time && s.state != 'Z')
    }
}

impl Sshd {
    /// Starts sshd on a free loopback port and waits until a key login works.
    /// `Ok(None)`: sshd, ssh, ssh-keygen or tmux is missing (said loudly on stderr;
    /// an error instead under [`skip::REQUIRE_ENV`]`=1`).
    pub fn start() -> Result<Option<Sshd>, String> {
        if !tools_present()? {
            return Ok(None);
        }
        let dir = tempfile::Builder::new()
            .prefix("wfm-sshd-")
            .tempdir()
            .map_err(|e| format!("cannot make a temporary directory: {e}"))?;
        for key in ["host", "client"] {
            run(Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-f"])
                .arg(dir.path().join(key)))?;
        }
        std::fs::copy(
            dir.path().join("client.pub"),
            dir.path().join("authorized_keys"),
        )
        .map_err(|e| format!("cannot write authorized_keys: {e}"))?;
        let user = String::from_utf8_lossy(&run(Command::new("id").arg("-un"))?)
            .trim()
            .to_owned();
        let mut last_error = String::new();
        // A free port can be taken between finding it and sshd binding it: try again.
        for _ in 0..3 {
            let port = free_port()?;
            std::fs::write(
                dir.path().join("sshd_config"),
                config(dir.path(), port, &user),
            )
            .map_err(|e| format!("cannot write sshd_config: {e}"))?;
            let known = std::fs::read_to_string(dir.path().join("host.pub"))
                .map_err(|e| format!("cannot read the host key: {e}"))?;
            let key: Vec<&str> = known.split_whitespace().take(2).collect();
            std::fs::write(
                dir.path().join("known_hosts"),
                format!("[127.0.0.1]:{port} {}\n", key.join(" ")),
            )
            .map_err(|e| format!("cannot write known_hosts: {e}"))?;
            run(Command::new(SSHD)
                .arg("-t")
                .arg("-f")
                .arg(dir.path().join("sshd_config")))?;
            let mut child = Command::new(SSHD)
                .arg("-D")
                .arg("-f")
                .arg(dir.path().join("sshd_config"))
                .arg("-E")
                .arg(dir.path().join("sshd.log"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| format!("cannot start {SSHD}: {e}"))?;
            match wait_ready(&mut child, dir.path(), port, &user) {
                Ok(()) => {
                    return Ok(Some(Sshd {
                        port,
                        user,
                        child,
                        seen: std::sync::Mutex::default(),
                        dir,
                    }));
                }
                Err(e) => {
                    last_error = e;
                    let _ = child.kill();
                    let _ = child.wait();
                }
            }
        }
        Err(last_error)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The ssh client's arguments up to (not including) `-tt user@host command`.
    pub fn ssh_args(&self) -> Vec<String> {
        ssh_args(self.dir.path(), self.port)
    }

    /// `user@127.0.0.1`.
    pub fn destination(&self) -> String {
        format!("{}@127.0.0.1", self.user)
    }

    /// Runs `session` over ssh in a new tmux server of its own, pane output piped to a file.
    pub fn run(&self, session: &Session) -> Pane {
        Pane::start(self, session)
    }

    /// Every process below sshd that is not sshd itself: the remote shell and program.
    pub fn remote_processes(&self) -> Vec<RemoteProcess> {
        let sshd = std::fs::canonicalize(SSHD).unwrap_or_else(|_| PathBuf::from(SSHD));
        let found: Vec<RemoteProcess> = descendants(self.child.id())
            .into_iter()
            .filter(|pid| {
                std::fs::read_link(format!("/proc/{pid}/exe"))
                    .ok()
                    .as_deref()
                    != Some(sshd.as_path())
            })
            .filter_map(|pid| {
                let s = stat(pid)?;
                let command = std::fs::read(format!("/proc/{pid}/cmdline"))
                    .map(|b| {
                        String::from_utf8_lossy(&b)
                            .replace('\0', " ")
                            .trim_end()
                            .to_owned()
                    })
                    .unwrap_or_default();
                Some(RemoteProcess {
                    pid,
                    start_time: s.start_time,
                    command,
                })
            })
            .collect();
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for p in &found {
            if !seen.contains(p) {
                seen.push(p.clone());
            }
        }
        found
    }

    /// sshd's log (authentication failures, disconnects), for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sshd.log")).unwrap_or_default()
    }

    /// Remote leftovers first (SIGTERM, then SIGKILL), then sshd, all by recorded PID.
    /// Remote processes still running, those below sshd and those seen before and
    /// orphaned since (by PID and start time, so a reused PID is left alone).
    fn stop(&mut self) {
        self.remote_processes();
        let leftovers: Vec<RemoteProcess> = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .filter(|p| p.alive())
            .cloned()
            .collect();
        if !leftovers.is_empty() {
            let _ = writeln!(
                std::io::stderr(),
                "ssh_loopback: stopping leftover remote processes: {leftovers:?}"
            );
        }
        for p in &leftovers {
            signal(p.pid, "TERM");
        }
        let _ = wait_until(Duration::from_secs(2), || {
            leftovers.iter().all(|p| !p.alive())
        });
        for p in leftovers.iter().filter(|p| p.alive()) {
            signal(p.pid, "KILL");
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.stop();
        }
    }
}

/// One tmux server with one pane running `ssh -tt`. Dropping it stops the server.
pub struct Pane {
    socket: PathBuf,
    target: String,
    server: Option<u32>,
    raw: PathBuf,
    exit_file: PathBuf,
    // Last: removed once tmux is gone.
    dir: tempfile::TempDir,
}

impl Pane {
    fn start(sshd: &Sshd, session: &Session) -> Pane {
        let dir = tempfile::Builder::new()
            .prefix("wfm-tmux-")
            .tempdir()
            .expect("temporary directory");
        let socket = dir.path().join("tmux.sock");
        let raw = dir.path().join("pane-raw.bin");
        let exit_file = dir.path().join("client-exit.txt");
        let conf = dir.path().join("tmux.conf");
        std::fs::write(
            &conf,
            "set -g remain-on-exit on\nset -g history-limit 2000\nset -g default-shell /bin/bash\nset -g exit-empty on\n",
        )
        .expect("write tmux.conf");
        let mut ssh: Vec<String> = vec!["ssh".into()];
        ssh.extend(sshd.ssh_args());
        for (name, _) in &session.env {
            ssh.push("-o".into());
            ssh.push(format!("SendEnv={name}"));
        }
        ssh.extend([
            "-o".into(),
            "SendEnv=LANG".into(),
            "-tt".into(),
            sshd.destination(),
            session.command.clone(),
        ]);
        let client: Vec<String> = ssh.iter().map(|a| quote(a)).collect();
        let script = format!(
            "{}; echo client_exit=$? >{}",
            client.join(" "),
            quote(&exit_file.display().to_string())
        );
        // The client starts from a clean locale and colour environment: only what the
        // session names reaches it (and, through SendEnv, the server).
        let mut pane = vec!["exec".to_owned(), "env".into()];
        for name in [
            "LC_ALL",
            "LC_CTYPE",
            "LC_MESSAGES",
            "LANGUAGE",
            "NO_COLOR",
            "COLORTERM",
            "TMUX",
            "STY",
        ] {
            pane.push("-u".into());
            pane.push(name.into());
        }
        pane.push(quote(&format!("TERM={}", session.term)));
        pane.push(quote(&format!("LANG={}", session.lang)));
        for (name, value) in &session.env {
            pane.push(quote(&format!("{name}={value}")));
        }
        pane.extend(["/bin/bash".into(), "-c".into(), quote(&script)]);
        let target = "wizard:0.0".to_owned();
        let status = tmux(&socket)
            .arg("-f")
            .arg(&conf)
            .args([
                "new-session",
                "-d",
                "-s",
                "wizard",
                "-x",
                &session.cols.to_string(),
                "-y",
                &session.rows.to_string(),
            ])
            .arg(pane.join(" "))
            .args([";", "pipe-pane", "-O", "-t", &target])
            .arg(format!("cat >{}", quote(&raw.display().to_string())))
            .status()
            .expect("run tmux");
        assert!(status.success(), "tmux new-session failed: {status}");
        let server = tmux(&socket)
            .args(["display", "-p", "#{pid}"])
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok());
        Pane {
            socket,
            target,
            server,
            raw,
            exit_file,
            dir,
        }
    }

    /// The screen as text (tmux's view), history included once the pane is dead.
    pub fn screen(&self) -> String {
        let mut command = tmux(&self.socket);
        command.args(["capture-pane", "-p", "-t", &self.target]);
        if self.format("#{pane_dead}") == "1" {
            command.args(["-S", "-"]);
        }
        command
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    }

    /// Every byte the pane received, escape sequences included.
    pub fn raw(&self) -> Vec<u8> {
        std::fs::read(&self.raw).unwrap_or_default()
    }

    /// A tmux format for the pane, e.g. `#{alternate_on}` or `#{cursor_flag}`.
    pub fn format(&self, format: &str) -> String {
        tmux(&self.socket)
            .args(["display", "-p", "-t", &self.target, format])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    }

    /// Types `text` literally.
    pub fn type_text(&self, text: &str) {
        let status = tmux(&self.socket)
            .args(["send-keys", "-t", &self.target, "-l", "--", text])
            .status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "tmux send-keys -l failed"
        );
    }

    /// Presses keys by tmux name (`Enter`, `Escape`, `C-c`, `F1`, ...).
    pub fn keys(&self, keys: &[&str]) {
        let status = tmux(&self.socket)
            .args(["send-keys", "-t", &self.target])
            .args(keys)
            .status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "tmux send-keys {keys:?} failed"
        );
    }

    /// Blocks until the screen shows `text` (white space squeezed, as in `pty_session`);
    /// fails the test after [`DEADLINE`] with the screen.
    #[track_caller]
    pub fn wait_for(&self, text: &str) {
        let want = squeeze(text);
        assert!(
            wait_until(DEADLINE, || squeeze(&self.screen()).contains(&want)).is_ok(),
            "waiting for the screen to show {text:?}; the screen:\n{}",
            self.screen()
        );
    }

    /// The ssh client's PID (the child of the pane's bash), while it runs.
    pub fn client_pid(&self) -> Option<u32> {
        let bash: u32 = self.format("#{pane_pid}").parse().ok()?;
        children(bash).into_iter().next()
    }

    /// Sends `signal` (`KILL`, `HUP`, `STOP`, ...) to the ssh client, as when the
    /// operator's laptop or terminal goes away.
    #[track_caller]
    pub fn signal_client(&self, signal: &str) {
        let pid = self.client_pid().expect("the ssh client is running");
        assert!(self::signal(pid, signal), "kill -{signal} {pid} failed");
    }

    /// Waits for the ssh client to exit and returns its status as the pane's bash saw it.
    #[track_caller]
    pub fn wait_client_exit(&self) -> i32 {
        let read = || {
            std::fs::read_to_string(&self.exit_file).ok().and_then(|t| {
                t.trim()
                    .strip_prefix("client_exit=")
                    .and_then(|n| n.parse().ok())
            })
        };
        assert!(
            wait_until(DEADLINE, || read().is_some()).is_ok(),
            "the ssh client did not exit; the screen:\n{}",
            self.screen()
        );
        read().unwrap_or(-1)
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = tmux(&self.socket).arg("kill-server").status();
        if let Some(pid) = self.server {
            let gone = || stat(pid).is_none_or(|s| s.state == 'Z');
            if wait_until(Duration::from_secs(2), gone).is_err() {
                signal(pid, "KILL");
            }
        }
    }
}

/// The ssh client's arguments for the sshd whose keys are in `dir`.
fn ssh_args(dir: &Path, port: u16) -> Vec<String> {
    let file = |name: &str| dir.join(name).display().to_string();
    let mut args: Vec<String> = vec![
        "-F".into(),
        "/dev/null".into(),
        "-p".into(),
        port.to_string(),
    ];
    for option in [
        "IdentitiesOnly=yes".to_owned(),
        "BatchMode=yes".to_owned(),
        "StrictHostKeyChecking=yes".to_owned(),
        format!("UserKnownHostsFile={}", file("known_hosts")),
        "LogLevel=ERROR".to_owned(),
    ] {
        args.push("-o".into());
        args.push(option);
    }
    args.push("-i".into());
    args.push(file("client"));
    args
}

/// Waits until a key login to the sshd just started works.
fn wait_ready(child: &mut Child, dir: &Path, port: u16, user: &str) -> Result<(), String> {
    let log = || std::fs::read_to_string(dir.join("sshd.log")).unwrap_or_default();
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("sshd exited at start ({status}):\n{}", log()));
        }
        let probe = Command::new("ssh")
            .args(ssh_args(dir, port))
            .arg("-T")
            .arg(format!("{user}@127.0.0.1"))
            .arg("true")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if probe.is_ok_and(|s| s.success()) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "sshd on port {port} does not accept the test key:\n{}",
                log()
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Polls `done` every 10 ms until it holds (`Ok`) or `bound` passes (`Err`).
pub fn wait_until(bound: Duration, mut done: impl FnMut() -> bool) -> Result<(), ()> {
    let deadline = Instant::now() + bound;
    loop {
        if done() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Wraps `text` in single quotes for `sh`.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

fn tmux(socket: &Path) -> Command {
    let mut command = Command::new("tmux");
    command
        .arg("-S")
        .arg(socket)
        .env_remove("TMUX")
        .stdin(Stdio::null());
    command
}

fn config(dir: &Path, port: u16, user: &str) -> String {
    let file = |name: &str| dir.join(name).display().to_string();
    format!(
        "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile {}\nAuthorizedKeysFile {}\n\
         AllowUsers {user}\nPermitRootLogin prohibit-password\nAuthenticationMethods publickey\n\
         PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n\
         AcceptEnv {ACCEPTED_ENV}\nPrintMotd no\nPrintLastLog no\n",
        file("host"),
        file("sshd.pid"),
        file("authorized_keys"),
    )
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("cannot find a free loopback port: {e}"))
}

fn run(command: &mut Command) -> Result<Vec<u8>, String> {
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(format!(
            "{command:?}: {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn signal(pid: u32, signal: &str) -> bool {
    Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

struct Stat {
    state: char,
    ppid: u32,
    start_time: u64,
}

fn stat(pid: u32) -> Option<Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    let fields: Vec<&str> = text.rsplit_once(')')?.1.split_whitespace().collect();
    Some(Stat {
        state: fields.first()?.chars().next()?,
        ppid: fields.get(1)?.parse().ok()?,
        start_time: fields.get(19)?.parse().ok()?,
    })
}

fn children(parent: u32) -> Vec<u32> {
    let mut out: Vec<u32> = std::fs::read_dir("/proc")
        .map(|dir| {
            dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .filter(|pid| stat(*pid).is_some_and(|s| s.ppid == parent))
                .collect()
        })
        .unwrap_or_default();
    out.sort_unstable();
    out
}

fn descendants(root: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let mut queue = vec![root];
    while let Some(pid) = queue.pop() {
        for child in children(pid) {
            out.push(child);
            queue.push(child);
        }
    }
    out
}

fn tools_present() -> Result<bool, String> {
    let mut missing: Vec<&str> = ["ssh", "ssh-keygen", "tmux"]
        .into_iter()
        .filter(|tool| !on_path(tool))
        .collect();
    if !Path::new(SSHD).is_file() {
        missing.push(SSHD);
    }
    // sshd refuses to start without its privilege-separation directory (compiled in).
    let privsep = std::fs::create_dir_all("/run/sshd").err();
    if missing.is_empty() && privsep.is_none() {
        return Ok(true);
    }
    let message = match privsep {
        Some(e) if missing.is_empty() => format!(
            "cannot create /run/sshd, which sshd needs ({e}); run the tests as root or create it"
        ),
        _ => format!(
            "missing {}; install openssh-server openssh-client tmux",
            missing.join(", ")
        ),
    };
    if skip::required() {
        return Err(message);
    }
    skip::skip(&format!("SSH tests did not run: {message}"));
    Ok(false)
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
