//! The real Linux secret stores, checked from the outside with their own tools
//! (`secret-tool`, `keyctl`). Linux only: elsewhere `main` says so and succeeds.
//!
//! `harness = false`, because the zbus store reads `DBUS_SESSION_BUS_ADDRESS` from the
//! process environment and a test cannot set it (`set_var` is unsafe in edition 2024;
//! the crate forbids unsafe code). So `main` starts a private Secret Service and runs
//! this same executable again with its environment and
//! `WFM_WIZARD_REAL_STORES_MODE=tests`; that child runs the tests one by one, prints
//! `test NAME ... ok|FAILED` and a last line `N passed, N failed`, and its exit status
//! becomes ours. Name filters on the command line
//! (`cargo test --test real_stores keyutils`) select tests by substring.

#[cfg(target_os = "linux")]
#[path = "support/private_secret_service.rs"]
mod private_secret_service;

#[cfg(target_os = "linux")]
fn main() -> std::process::ExitCode {
    linux::main()
}

#[cfg(not(target_os = "linux"))]
fn main() {
    println!("real_stores: the Secret Service and kernel keyring tests run on Linux only");
}

#[cfg(target_os = "linux")]
#[path = "real_stores/states.rs"]
mod states;

#[cfg(target_os = "linux")]
#[path = "real_stores/bulk.rs"]
mod bulk;

#[cfg(target_os = "linux")]
mod linux {
    use crate::{bulk, states};
    use std::panic::{AssertUnwindSafe, catch_unwind};
    use std::process::{Command, ExitCode};
    use std::sync::Arc;
    use std::sync::mpsc::{Receiver, Sender, channel};
    use std::time::{Duration, Instant};

    use secrecy::{ExposeSecret, SecretString};
    use wfm_wizard::io::secrets::{self, PROBE_USER, SecretStore, StoreChoice};
    use wfm_wizard::secret::StoreKind;

    use crate::private_secret_service::{PrivateSecretService, tools_present, wait_until};

    /// Which part of the test this process plays; unset in the process cargo starts.
    pub(crate) const MODE: &str = "WFM_WIZARD_REAL_STORES_MODE";
    /// The keyring service of this run, for the `auto-without-bus` child.
    pub(crate) const SERVICE: &str = "WFM_WIZARD_REAL_STORES_SERVICE";

    pub(crate) const JWT_USER: &str = "0123456789ab/ringcentral-v1/historical/default/jwt";
    pub(crate) const SECRET_USER: &str =
        "0123456789ab/ringcentral-v1/historical/default/client_secret";

    struct Test {
        name: &'static str,
        run: fn(&Ctx),
    }

    const TESTS: &[Test] = &[
        Test {
            name: "secret_service_round_trip_is_what_secret_tool_sees",
            run: secret_service_round_trip,
        },
        Test {
            name: "secret_service_reads_what_secret_tool_wrote",
            run: secret_service_reads_foreign_entries,
        },
        Test {
            name: "secret_service_missing_entry_is_none",
            run: secret_service_missing_entry,
        },
        Test {
            name: "secret_service_bulk_read_matches_one_by_one",
            run: bulk::bulk_read_matches_one_by_one,
        },
        Test {
            name: "auto_with_a_session_bus_picks_secret_service",
            run: auto_with_bus,
        },
        Test {
            name: "auto_without_a_session_bus_falls_back_to_keyutils",
            run: auto_without_bus,
        },
        Test {
            name: "keyutils_round_trip_is_what_keyctl_sees",
            run: keyutils_round_trip,
        },
        Test {
            name: "keyutils_missing_entry_is_none",
            run: keyutils_missing_entry,
        },
        Test {
            name: "keyutils_works_from_a_thread_without_a_session_keyring",
            run: keyutils_pristine_thread,
        },
        Test {
            name: "keyutils_rejects_an_empty_value_in_plain_words",
            run: keyutils_empty_value,
        },
        Test {
            name: "auto_with_a_locked_keyring_falls_back_and_says_how_to_unlock",
            run: states::locked,
        },
        Test {
            name: "auto_without_a_login_keyring_falls_back_and_says_so",
            run: states::no_login_keyring,
        },
        Test {
            name: "auto_with_a_stopped_provider_falls_back_after_the_deadline",
            run: states::stopped,
        },
        Test {
            name: "every_call_to_a_provider_that_stopped_answering_times_out",
            run: states::calls_after_stop,
        },
        Test {
            name: "status_finishes_and_says_so_when_the_provider_is_stopped",
            run: states::status_with_a_stopped_provider,
        },
        Test {
            name: "keyutils_works_across_keyctl_login_sessions",
            run: states::keyutils_across_login_sessions,
        },
        Test {
            name: "status_after_a_simulated_reboot_reports_missing_secrets",
            run: states::status_after_a_simulated_reboot,
        },
        Test {
            name: "prune_removes_only_orphans_and_keeps_draft_entries",
            run: states::prune_removes_only_orphans,
        },
        Test {
            name: "a_failed_file_write_puts_the_real_stores_back",
            run: states::rollback_when_the_file_cannot_be_written,
        },
        Test {
            name: "a_failing_second_write_leaves_nothing_in_the_kernel_keyring",
            run: states::rollback_when_the_second_write_fails,
        },
        // Last: every test above must have cleaned up after itself.
        Test {
            name: "no_kernel_keys_are_left_behind",
            run: no_kernel_keys_left,
        },
    ];

    pub(crate) fn main() -> ExitCode {
        let args: Vec<String> = std::env::args().skip(1).collect();
        match std::env::var(MODE).as_deref() {
            Ok("tests") => run_tests(&args),
            Ok("auto-without-bus" | "report-auto") => report_auto(),
            Ok("calls-after-stop") => states::report_calls_after_stop(),
            Ok("keyutils-set") => states::report_keyutils(false),
            Ok("keyutils-get-delete") => states::report_keyutils(true),
            _ => start_and_rerun(&args),
        }
    }

    /// The process cargo started: start the private Secret Service, run the tests in a
    /// child that has its environment, stop the daemons, pass on the child's status.
    fn start_and_rerun(args: &[String]) -> ExitCode {
        if args.iter().any(|a| a == "--list") {
            for test in TESTS {
                println!("{}: test", test.name);
            }
            return ExitCode::SUCCESS;
        }
        if selected(args).next().is_none() {
            println!("0 passed, 0 failed");
            return ExitCode::SUCCESS;
        }
        let secret_service = match tools_present(&[
            "dbus-daemon",
            "gnome-keyring-daemon",
            "secret-tool",
            "keyctl",
        ])
        .and_then(|present| {
            if present {
                PrivateSecretService::start()
            } else {
                Ok(None)
            }
        }) {
            Ok(Some(started)) => started,
            Ok(None) => return report_skipped(args), // the reason is already on stderr
            Err(message) => {
                eprintln!("error: cannot test the real secret stores: {message}");
                return ExitCode::FAILURE;
            }
        };
        let status = std::env::current_exe().and_then(|exe| {
            Command::new(exe)
                .args(args)
                .envs(secret_service.envs())
                .env(MODE, "tests")
                // As root, `auto` would choose systemd credentials (this machine's key).
                .env(
                    "WFM_WIZARD_SYSTEMD_CREDS",
                    "/nonexistent/systemd-creds-is-off-in-tests",
                )
                .status()
        });
        drop(secret_service);
        match status {
            Ok(status) if status.success() => ExitCode::SUCCESS,
            Ok(status) => {
                eprintln!("real_stores: test process ended with {status}");
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("error: cannot re-run the test executable: {e}");
                ExitCode::FAILURE
            }
        }
    }

    /// Names each selected test as not run, the way libtest names an ignored one, so a
    /// skip reads as a skip and not as a pass.
    fn report_skipped(args: &[String]) -> ExitCode {
        let tests: Vec<&Test> = selected(args).collect();
        println!("\nrunning {} tests", tests.len());
        for test in &tests {
            println!("test {} ... SKIPPED (see SKIPPED: above)", test.name);
        }
        println!("\n0 passed, 0 failed, {} skipped", tests.len());
        ExitCode::SUCCESS
    }

    /// Tests whose name contains one of the filters on the command line (all without any).
    fn selected(args: &[String]) -> impl Iterator<Item = &'static Test> + '_ {
        // libtest options whose value is the next argument, so it is not a filter.
        const TAKES_VALUE: &[&str] = &[
            "--test-threads",
            "--skip",
            "--format",
            "--color",
            "--logfile",
            "-Z",
        ];
        let mut filters = Vec::new();
        let mut skips = Vec::new();
        let mut previous = "";
        for arg in args {
            if previous == "--skip" {
                skips.push(arg.as_str());
            } else if !arg.starts_with('-') && !TAKES_VALUE.contains(&previous) {
                filters.push(arg.as_str());
            }
            previous = arg;
        }
        TESTS.iter().filter(move |t| {
            (filters.is_empty() || filters.iter().any(|f| t.name.contains(f)))
                && !skips.iter().any(|s| t.name.contains(s))
        })
    }

    /// The child with the private Secret Service in its environment: run the tests.
    fn run_tests(args: &[String]) -> ExitCode {
        // Spawned before anything touches a keyring, so it keeps the process's original
        // session keyring (see keyutils_pristine_thread).
        let pristine = Worker::spawn();
        let ctx = Ctx {
            service: format!(
                "wfm-wizard-test-{}-{}",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos())
            ),
            pristine,
        };
        let tests: Vec<&Test> = selected(args).collect();
        println!("\nrunning {} tests (service {})", tests.len(), ctx.service);
        let (mut passed, mut failed) = (0, 0);
        for test in tests {
            let started = Instant::now();
            let outcome = catch_unwind(AssertUnwindSafe(|| (test.run)(&ctx)));
            let verdict = if outcome.is_ok() {
                passed += 1;
                "ok"
            } else {
                failed += 1;
                "FAILED"
            };
            println!(
                "test {} ... {verdict} ({} ms)",
                test.name,
                started.elapsed().as_millis()
            );
        }
        println!("\n{passed} passed, {failed} failed");
        if failed == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    }

    /// The child without a session bus: what `--secret-store secret-service` says, then
    /// what `auto` chose.
    fn report_auto() -> ExitCode {
        let service = std::env::var(SERVICE).unwrap_or_else(|_| "wfm-wizard-test".to_owned());
        match secrets::open(StoreKind::SecretService, &service) {
            Ok(_) => println!("secret_service_error="),
            Err(e) => println!("secret_service_error={e}"),
        }
        match secrets::resolve(StoreChoice::Auto, &service) {
            Ok(resolved) => {
                println!("store={}", resolved.store.kind());
                let skipped = resolved.secret_service_skipped;
                println!(
                    "skipped={}",
                    skipped.as_ref().map_or("", |s| s.text.as_str())
                );
                println!(
                    "problem={}",
                    skipped.map_or(String::new(), |s| format!("{:?}", s.problem))
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                println!("error={e}");
                ExitCode::FAILURE
            }
        }
    }

    pub(crate) struct Ctx {
        pub(crate) service: String,
        pristine: Worker,
    }

    // ---------------------------------------------------------------------------------
    // Secret Service

    fn secret_service_round_trip(ctx: &Ctx) {
        let store =
            secrets::open(StoreKind::SecretService, &ctx.service).expect("open the Secret Service");
        assert_eq!(store.kind(), StoreKind::SecretService);
        let _cleanup = SecretToolCleanup(&ctx.service, &[JWT_USER]);
        let jwt = jwt_like(1015, 1);
        assert_eq!(jwt.len(), 1015);

        store
            .set(JWT_USER, &SecretString::from(jwt.clone()))
            .expect("set");
        assert_eq!(
            secret_tool_lookup(&ctx.service, JWT_USER).as_deref(),
            Some(jwt.as_str())
        );
        assert_eq!(exposed(&*store, JWT_USER).as_deref(), Some(jwt.as_str()));

        // Overwriting replaces the one entry rather than adding a second.
        let newer = jwt_like(1015, 2);
        store
            .set(JWT_USER, &SecretString::from(newer.clone()))
            .expect("overwrite");
        assert_eq!(
            secret_tool_lookup(&ctx.service, JWT_USER).as_deref(),
            Some(newer.as_str())
        );
        assert_eq!(exposed(&*store, JWT_USER).as_deref(), Some(newer.as_str()));

        store.delete(JWT_USER).expect("delete");
        assert_eq!(secret_tool_lookup(&ctx.service, JWT_USER), None);
        assert_eq!(exposed(&*store, JWT_USER), None);
        store
            .delete(JWT_USER)
            .expect("deleting a deleted entry is fine");
    }

    fn secret_service_reads_foreign_entries(ctx: &Ctx) {
        let _cleanup = SecretToolCleanup(&ctx.service, &[SECRET_USER]);
        let value = jwt_like(64, 3);
        let mut child = Command::new("secret-tool")
            .args([
                "store",
                "--label=written by secret-tool",
                "service",
                &ctx.service,
                "username",
                SECRET_USER,
            ])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("run secret-tool store");
        std::io::Write::write_all(&mut child.stdin.take().expect("piped"), value.as_bytes())
            .expect("feed secret-tool");
        assert!(child.wait().expect("secret-tool store").success());

        let store =
            secrets::open(StoreKind::SecretService, &ctx.service).expect("open the Secret Service");
        assert_eq!(
            exposed(&*store, SECRET_USER).as_deref(),
            Some(value.as_str())
        );
        store.delete(SECRET_USER).expect("delete");
        assert_eq!(secret_tool_lookup(&ctx.service, SECRET_USER), None);
    }

    fn secret_service_missing_entry(ctx: &Ctx) {
        let store =
            secrets::open(StoreKind::SecretService, &ctx.service).expect("open the Secret Service");
        assert_eq!(exposed(&*store, "never/set/default/jwt"), None);
        store
            .delete("never/set/default/jwt")
            .expect("deleting a missing entry is fine");
    }

    fn auto_with_bus(ctx: &Ctx) {
        let resolved = secrets::resolve(StoreChoice::Auto, &ctx.service).expect("resolve auto");
        assert_eq!(
            resolved.store.kind(),
            StoreKind::SecretService,
            "{resolved:?}"
        );
        assert_eq!(resolved.secret_service_skipped, None);
        assert_eq!(resolved.store.service(), ctx.service);
        assert_eq!(
            secret_tool_lookup(&ctx.service, PROBE_USER),
            None,
            "the probe entry was deleted"
        );
    }

    fn auto_without_bus(ctx: &Ctx) {
        let _cleanup = KernelKeyCleanup::new(&ctx.service, &[PROBE_USER]);
        let empty = tempfile::tempdir().expect("temporary directory");
        let out = Command::new(std::env::current_exe().expect("current exe"))
            .env(MODE, "auto-without-bus")
            .env(SERVICE, &ctx.service)
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env("XDG_RUNTIME_DIR", empty.path())
            .output()
            .expect("run the no-bus child");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.lines().any(|l| l == "store=keyutils"), "{stdout}");
        let skipped = stdout
            .lines()
            .find_map(|l| l.strip_prefix("skipped="))
            .unwrap_or_default();
        assert!(skipped.contains("no D-Bus session bus"), "{stdout}");
        let named = stdout
            .lines()
            .find_map(|l| l.strip_prefix("secret_service_error="))
            .unwrap_or_default();
        assert!(
            named.starts_with("secret-service: cannot connect to the D-Bus session bus ("),
            "{stdout}"
        );
        assert_eq!(
            keyctl_search(&description(PROBE_USER, &ctx.service)),
            None,
            "the probe key was removed"
        );
    }

    // ---------------------------------------------------------------------------------
    // Kernel keyring

    fn keyutils_round_trip(ctx: &Ctx) {
        let store = secrets::open(StoreKind::Keyutils, &ctx.service).expect("open keyutils");
        assert_eq!(store.kind(), StoreKind::Keyutils);
        let _cleanup = KernelKeyCleanup::new(&ctx.service, &[JWT_USER]);
        let key = description(JWT_USER, &ctx.service);
        let jwt = jwt_like(1015, 4);

        store
            .set(JWT_USER, &SecretString::from(jwt.clone()))
            .expect("set");
        let id = keyctl_search(&key).expect("keyctl finds the key in @s");
        assert_eq!(keyctl_pipe(&id), jwt.as_bytes());
        assert_eq!(exposed(&*store, JWT_USER).as_deref(), Some(jwt.as_str()));

        let newer = jwt_like(1024, 5);
        store
            .set(JWT_USER, &SecretString::from(newer.clone()))
            .expect("overwrite");
        let id = keyctl_search(&key).expect("keyctl finds the key in @s");
        assert_eq!(keyctl_pipe(&id), newer.as_bytes());
        assert_eq!(exposed(&*store, JWT_USER).as_deref(), Some(newer.as_str()));

        store.delete(JWT_USER).expect("delete");
        assert_eq!(keyctl_search(&key), None, "keyctl no longer finds the key");
        assert_eq!(exposed(&*store, JWT_USER), None);
        store
            .delete(JWT_USER)
            .expect("deleting a deleted key is fine");
    }

    fn keyutils_missing_entry(ctx: &Ctx) {
        let store = secrets::open(StoreKind::Keyutils, &ctx.service).expect("open keyutils");
        assert_eq!(exposed(&*store, "never/set/default/jwt"), None);
        store
            .delete("never/set/default/jwt")
            .expect("deleting a missing key is fine");
    }

    /// A thread started before the store was opened still has the process's original
    /// session keyring (outside a PAM login: the per-user fallback keyring, where writes
    /// fail). Each adapter call must give its own thread a usable one.
    fn keyutils_pristine_thread(ctx: &Ctx) {
        let store = secrets::open(StoreKind::Keyutils, &ctx.service).expect("open keyutils");
        let _cleanup = KernelKeyCleanup::new(&ctx.service, &[SECRET_USER]);
        let value = jwt_like(40, 6);
        let (on_thread, expected) = (Arc::clone(&store), value.clone());
        ctx.pristine
            .run(move || {
                on_thread
                    .set(SECRET_USER, &SecretString::from(expected.clone()))
                    .map_err(|e| e.to_string())?;
                match exposed(&*on_thread, SECRET_USER) {
                    Some(v) if v == expected => Ok(()),
                    other => Err(format!("read back {:?} bytes", other.map(|v| v.len()))),
                }
            })
            .expect("set and get on a thread started before the store");
        // Visible from this thread (and its children) too, through the persistent keyring.
        assert_eq!(
            exposed(&*store, SECRET_USER).as_deref(),
            Some(value.as_str())
        );
        let id =
            keyctl_search(&description(SECRET_USER, &ctx.service)).expect("keyctl finds the key");
        assert_eq!(keyctl_pipe(&id), value.as_bytes());
        store.delete(SECRET_USER).expect("delete");
    }

    fn keyutils_empty_value(ctx: &Ctx) {
        let store = secrets::open(StoreKind::Keyutils, &ctx.service).expect("open keyutils");
        let _cleanup = KernelKeyCleanup::new(&ctx.service, &[SECRET_USER]);
        let err = store
            .set(SECRET_USER, &SecretString::from(String::new()))
            .expect_err("empty value");
        assert_eq!(err.store, StoreKind::Keyutils);
        assert!(
            err.message
                .starts_with(&format!("could not save `{SECRET_USER}`: ")),
            "{err}"
        );
        assert!(err.message.contains("cannot be empty"), "{err}");
    }

    fn no_kernel_keys_left(ctx: &Ctx) {
        // Invalidated keys stay listed until the kernel's key collector runs: wait for it.
        let leftovers = || -> Vec<String> {
            std::fs::read_to_string("/proc/keys")
                .expect("read /proc/keys")
                .lines()
                .filter(|l| {
                    // This run's service, and the product-service keys of the issue-3
                    // tests (their groups start with `rs-`).
                    l.contains(&ctx.service) || (l.contains("/rs-") && l.contains("@wfm-wizard"))
                })
                .map(str::to_owned)
                .collect()
        };
        let clean = wait_until(Duration::from_secs(10), || leftovers().is_empty());
        assert!(clean, "keys left behind:\n{}", leftovers().join("\n"));
    }

    // ---------------------------------------------------------------------------------
    // Helpers

    /// The store's value, exposed for comparison. Panics on a store error.
    pub(crate) fn exposed(store: &dyn SecretStore, user: &str) -> Option<String> {
        store
            .get(user)
            .unwrap_or_else(|e| panic!("get {user}: {e}"))
            .map(|v| v.expose_secret().to_owned())
    }

    /// A JWT-shaped ASCII string of exactly `len` bytes (header.payload.signature when
    /// long enough); `seed` makes values differ.
    pub(crate) fn jwt_like(len: usize, seed: u64) -> String {
        const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        const HEADER: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.";
        const SIGNATURE: usize = 43;
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut random = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            B64URL[(state % 64) as usize] as char
        };
        if len < HEADER.len() + SIGNATURE + 10 {
            return (0..len).map(|_| random()).collect();
        }
        let payload = len - HEADER.len() - SIGNATURE - 1;
        let mut out = String::from(HEADER);
        out.extend((0..payload).map(|_| random()));
        out.push('.');
        out.extend((0..SIGNATURE).map(|_| random()));
        out
    }

    /// The description the keyutils store gives a key: `keyring:<user>@<service>`.
    pub(crate) fn description(user: &str, service: &str) -> String {
        format!("keyring:{user}@{service}")
    }

    /// `secret-tool lookup service S username U`, with the attribute names the zbus store uses.
    pub(crate) fn secret_tool_lookup(service: &str, user: &str) -> Option<String> {
        let out = Command::new("secret-tool")
            .args(["lookup", "service", service, "username", user])
            .output()
            .expect("run secret-tool");
        out.status
            .success()
            .then(|| String::from_utf8(out.stdout).expect("UTF-8 from secret-tool"))
    }

    /// `keyctl search @s user DESCRIPTION` → the key id.
    pub(crate) fn keyctl_search(description: &str) -> Option<String> {
        let out = Command::new("keyctl")
            .args(["search", "@s", "user", description])
            .output()
            .expect("run keyctl");
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    pub(crate) fn keyctl_pipe(id: &str) -> Vec<u8> {
        let out = Command::new("keyctl")
            .args(["pipe", id])
            .output()
            .expect("run keyctl");
        assert!(
            out.status.success(),
            "keyctl pipe {id}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// Removes the test's Secret Service items, whatever happened.
    pub(crate) struct SecretToolCleanup<'a>(pub(crate) &'a str, pub(crate) &'a [&'a str]);

    impl Drop for SecretToolCleanup<'_> {
        fn drop(&mut self) {
            for user in self.1 {
                let _ = Command::new("secret-tool")
                    .args(["clear", "service", self.0, "username", user])
                    .status();
            }
        }
    }

    /// Invalidates the test's kernel keys, whatever happened (matching by prefix, so even
    /// a key written under a wrong, longer service name goes).
    pub(crate) struct KernelKeyCleanup(Vec<String>);

    impl KernelKeyCleanup {
        pub(crate) fn new(service: &str, users: &[&str]) -> Self {
            KernelKeyCleanup(users.iter().map(|u| description(u, service)).collect())
        }
    }

    impl Drop for KernelKeyCleanup {
        fn drop(&mut self) {
            // Found through /proc/keys, which lists every key this user may view wherever it
            // is linked: a failed write can strand a key in the per-user fallback keyring
            // (@us), which this thread's session keyring no longer reaches.
            let Ok(listing) = std::fs::read_to_string("/proc/keys") else {
                return;
            };
            for line in listing.lines() {
                if !self.0.iter().any(|key| line.contains(&format!(" {key}"))) {
                    continue;
                }
                let Some(id) = line
                    .split_whitespace()
                    .next()
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                else {
                    continue;
                };
                let id = id.to_string();
                let id = id.as_str();
                let attempts: [&[&str]; 4] = [
                    &["invalidate", id],
                    &["unlink", id, "@us"],
                    &["unlink", id, "@u"],
                    &["unlink", id, "@s"],
                ];
                for args in attempts {
                    let _ = Command::new("keyctl")
                        .args(args)
                        .stderr(std::process::Stdio::null())
                        .stdout(std::process::Stdio::null())
                        .status();
                }
            }
        }
    }

    /// A thread started before any keyring call, running one job at a time.
    struct Worker {
        jobs: Sender<Box<dyn FnOnce() + Send>>,
    }

    impl Worker {
        fn spawn() -> Self {
            let (jobs, inbox): (Sender<Box<dyn FnOnce() + Send>>, Receiver<_>) = channel();
            std::thread::spawn(move || {
                for job in inbox {
                    job();
                }
            });
            Worker { jobs }
        }

        fn run<T: Send + 'static>(&self, job: impl FnOnce() -> T + Send + 'static) -> T {
            let (tx, rx) = channel();
            self.jobs
                .send(Box::new(move || {
                    let _ = tx.send(job());
                }))
                .expect("worker thread is running");
            rx.recv_timeout(Duration::from_secs(30))
                .expect("worker thread answered")
        }
    }
}
