//! Issue 3 against the real components: the provider states `auto` must explain, a
//! provider that stops answering, the kernel keyring in a fresh login session, `status`
//! after a simulated reboot, `prune`, and the save's rollback on real stores.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use secrecy::{ExposeSecret, SecretString};
use wfm_wizard::config::{Document, Integration, Setting, Settings, render_document};
use wfm_wizard::io::effects::{StoreProvider, execute_save};
use wfm_wizard::io::keyring_stores::KeyringStores;
use wfm_wizard::io::secrets::{self, StoreChoice};
use wfm_wizard::secret::{SecretRef, StoreKind};
use wfm_wizard::secret::{StoreProblem, StoreReason};
use wfm_wizard::wizard::{SavePlan, SecretWrite, explain_store};

use crate::linux::{
    Ctx, KernelKeyCleanup, MODE, SERVICE, SecretToolCleanup, description, jwt_like, keyctl_pipe,
    keyctl_search,
};
use crate::private_secret_service::{KeyringState, PrivateSecretService, signal};

const BIN: &str = env!("CARGO_BIN_EXE_wfm-wizard");
/// The service the program itself uses (the tests above use a private one).
const PRODUCT_SERVICE: &str = "wfm-wizard";
const KEYRING_PID: &str = "WFM_WIZARD_REAL_STORES_KEYRING_PID";

fn start(state: KeyringState) -> PrivateSecretService {
    PrivateSecretService::start_in(state)
        .unwrap_or_else(|e| panic!("start gnome-keyring {state:?}: {e}"))
        .expect("tools were checked before the tests ran")
}

/// Runs this executable in `mode` with `envs`; its stdout as `key=value` lines.
fn child(mode: &str, ctx: &Ctx, envs: &[(String, String)]) -> (Output, String) {
    let out = Command::new(std::env::current_exe().expect("current exe"))
        .env(MODE, mode)
        .env(SERVICE, &ctx.service)
        .envs(envs.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("run the child");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (out, stdout)
}

fn value<'a>(stdout: &'a str, key: &str) -> &'a str {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("no {key}= in:\n{stdout}"))
}

/// `auto` in a session whose Secret Service is in `state`: keyutils, with `reason`.
fn auto_falls_back(ctx: &Ctx, state: KeyringState, words: &[&str], reason: StoreProblem) {
    let _cleanup = KernelKeyCleanup::new(&ctx.service, &[secrets::PROBE_USER]);
    let provider = start(state);
    let started = Instant::now();
    let (out, stdout) = child("report-auto", ctx, &provider.envs());
    eprintln!(
        "  {state:?}: auto decided in {} ms",
        started.elapsed().as_millis()
    );
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(value(&stdout, "store"), "keyutils", "{stdout}");
    let skipped = value(&stdout, "skipped");
    for word in words {
        assert!(skipped.contains(word), "{word:?} missing: {skipped}");
    }
    assert_eq!(value(&stdout, "problem"), format!("{reason:?}"), "{stdout}");
    let explanation = explain_store(&wfm_wizard::wizard::StoreInfo {
        kind: StoreKind::Keyutils,
        note: Some(StoreReason::new(reason, skipped)),
        systemd_creds_skipped: None,
    });
    assert!(explanation.needs_ack);
    if reason != StoreProblem::NoProvider {
        assert!(
            explanation
                .fix
                .as_deref()
                .is_some_and(|f| f.contains("gnome-keyring-daemon")),
            "{explanation:?}"
        );
    }
    assert_eq!(
        keyctl_search(&description(secrets::PROBE_USER, &ctx.service)),
        None,
        "the probe key was removed"
    );
}

pub fn locked(ctx: &Ctx) {
    auto_falls_back(
        ctx,
        KeyringState::Locked,
        &[
            "the keyring is locked",
            "gnome-keyring-daemon --replace --components=secrets --daemonize --unlock",
            "prompt dismissed",
        ],
        StoreProblem::Locked,
    );
}

pub fn no_login_keyring(ctx: &Ctx) {
    auto_falls_back(
        ctx,
        KeyringState::NoLoginKeyring,
        &[
            "no default (login) collection",
            "Couldn't access platform storage",
        ],
        StoreProblem::Locked,
    );
}

pub fn stopped(ctx: &Ctx) {
    auto_falls_back(
        ctx,
        KeyringState::Stopped,
        &["the Secret Service did not answer within 3 s"],
        StoreProblem::NoAnswer,
    );
}

/// A store opened while the provider answered, then the provider stops: each call
/// comes back with a timeout, none hangs.
pub fn calls_after_stop(ctx: &Ctx) {
    let provider = start(KeyringState::Unlocked);
    let _cleanup = SecretToolCleanup(&ctx.service, &[crate::linux::JWT_USER]);
    let mut envs = provider.envs();
    envs.push((KEYRING_PID.to_owned(), provider.keyring_pid().to_string()));
    let (out, stdout) = child("calls-after-stop", ctx, &envs);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = value(&stdout, "set");
    assert!(
        first.starts_with("secret-service: could not save ")
            && first.contains("the Secret Service did not answer within 5 s"),
        "set: {first}"
    );
    // While that call is still stuck, the others fail at once instead of waiting too.
    for call in ["get", "delete", "list"] {
        let line = value(&stdout, call);
        assert!(
            line.contains("the Secret Service has still not answered an earlier call"),
            "{call}: {line}"
        );
    }
    for call in ["set", "get", "delete", "list"] {
        let ms: u128 = value(&stdout, &format!("{call}_ms")).parse().unwrap();
        eprintln!("  {call} came back after {ms} ms");
        assert!(ms < 30_000, "{call} took {ms} ms: it hung");
    }
}

/// The child of [`calls_after_stop`].
pub fn report_calls_after_stop() -> std::process::ExitCode {
    let service = std::env::var(SERVICE).expect("service");
    let pid: u32 = std::env::var(KEYRING_PID)
        .expect("pid")
        .parse()
        .expect("a pid");
    let store = secrets::open(StoreKind::SecretService, &service).expect("open while running");
    store
        .set(
            crate::linux::JWT_USER,
            &SecretString::from("before the stop".to_owned()),
        )
        .expect("set while running");
    signal(pid, "STOP").expect("stop the keyring");
    let timed = |name: &str, call: &dyn Fn() -> Result<(), String>| {
        let started = Instant::now();
        let result = call();
        println!("{name}={}", result.err().unwrap_or_else(|| "ok".to_owned()));
        println!("{name}_ms={}", started.elapsed().as_millis());
    };
    let value = SecretString::from("after the stop".to_owned());
    timed("set", &|| {
        store
            .set(crate::linux::JWT_USER, &value)
            .map_err(|e| e.to_string())
    });
    timed("get", &|| {
        store
            .get(crate::linux::JWT_USER)
            .map(|_| ())
            .map_err(|e| e.to_string())
    });
    timed("delete", &|| {
        store
            .delete(crate::linux::JWT_USER)
            .map_err(|e| e.to_string())
    });
    timed("list", &|| {
        store.list().map(|_| ()).map_err(|e| e.to_string())
    });
    signal(pid, "CONT").expect("wake the keyring");
    std::process::ExitCode::SUCCESS
}

/// The binary's `status` against a provider that never answers: it finishes, and says so.
pub fn status_with_a_stopped_provider(_ctx: &Ctx) {
    let provider = start(KeyringState::Stopped);
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = write_config(dir.path(), StoreKind::SecretService, "rs-stopped");
    let started = Instant::now();
    let out = Command::new(BIN)
        .env(
            "WFM_WIZARD_SYSTEMD_CREDS",
            "/nonexistent/systemd-creds-is-off-in-tests",
        )
        .args(["status", "--config"])
        .arg(&config)
        .envs(provider.envs())
        .env_remove("WFM_WIZARD_SECRET_STORE")
        .output()
        .expect("run wfm-wizard status");
    eprintln!("  status finished in {} ms", started.elapsed().as_millis());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(4), "{text}");
    assert!(text.contains("UNREADABLE"), "{text}");
    assert!(text.contains("did not answer within 3 s"), "{text}");
}

/// A login session made by `keyctl session -` (what `pam_keyinit` gives an SSH login):
/// a secret written in one is read (and removed) in the next.
pub fn keyutils_across_login_sessions(ctx: &Ctx) {
    let _cleanup = KernelKeyCleanup::new(&ctx.service, &[crate::linux::SECRET_USER]);
    let exe = std::env::current_exe().expect("current exe");
    let run = |mode: &str| {
        let out = Command::new("keyctl")
            .args(["session", "-"])
            .arg(&exe)
            .env(MODE, mode)
            .env(SERVICE, &ctx.service)
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .output()
            .expect("run keyctl session -");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{mode}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    assert!(run("keyutils-set").contains("set=ok"));
    let second = run("keyutils-get-delete");
    assert!(second.contains("get=ok"), "{second}");
    assert!(second.contains("delete=ok"), "{second}");
}

pub fn report_keyutils(get_delete: bool) -> std::process::ExitCode {
    let service = std::env::var(SERVICE).expect("service");
    secrets::prepare_process();
    let store = secrets::open(StoreKind::Keyutils, &service).expect("open keyutils");
    let expected = "written in another login session";
    if get_delete {
        match store.get(crate::linux::SECRET_USER) {
            Ok(Some(v)) if v.expose_secret() == expected => println!("get=ok"),
            other => println!(
                "get={:?}",
                other.map(|v| v.map(|s| s.expose_secret().len()))
            ),
        }
        match store.delete(crate::linux::SECRET_USER) {
            Ok(()) => println!("delete=ok"),
            Err(e) => println!("delete={e}"),
        }
    } else {
        match store.set(
            crate::linux::SECRET_USER,
            &SecretString::from(expected.to_owned()),
        ) {
            Ok(()) => println!("set=ok"),
            Err(e) => println!("set={e}"),
        }
    }
    std::process::ExitCode::SUCCESS
}

/// `status` tells the truth after the kernel keys are gone (a reboot, simulated by
/// invalidating them), and `validate` fails on it.
pub fn status_after_a_simulated_reboot(ctx: &Ctx) {
    let group = format!("rs-reboot-{}", std::process::id());
    let users = users_of(&group);
    let user_refs: Vec<&str> = users.iter().map(String::as_str).collect();
    let _cleanup = KernelKeyCleanup::new(PRODUCT_SERVICE, &user_refs);
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = write_config(dir.path(), StoreKind::Keyutils, &group);
    let store = secrets::open(StoreKind::Keyutils, PRODUCT_SERVICE).expect("open keyutils");
    // `status` holds stored values to the field rules: the JWT must be one.
    let values = [jwt_like(44, 21), valid_jwt()];
    for (user, value) in users.iter().zip(&values) {
        store
            .set(user, &SecretString::from(value.clone()))
            .expect("set");
    }
    let run = |args: &[&str]| {
        let out = Command::new(BIN)
            .env(
                "WFM_WIZARD_SYSTEMD_CREDS",
                "/nonexistent/systemd-creds-is-off-in-tests",
            )
            .args(args)
            .arg("--config")
            .arg(&config)
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env("XDG_RUNTIME_DIR", dir.path())
            .output()
            .expect("run wfm-wizard");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, before) = run(&["status"]);
    assert_eq!(code, Some(0), "{before}");
    assert_eq!(
        before.matches("present  fingerprint ").count(),
        2,
        "{before}"
    );
    for value in &values {
        assert!(
            !before.contains(&value[..12]),
            "a value leaked into status: {before}"
        );
    }
    // `secret get` into a pipe, and the library call, read the store the file names.
    let jwt_name = format!("ringcentral-v1/historical/{group}/jwt");
    let (code, piped) = run(&["secret", "get", &jwt_name]);
    assert_eq!(code, Some(0));
    assert!(piped == values[1], "secret get gave {} bytes", piped.len());
    let library = secrets::read_secret(&reference(StoreKind::Keyutils, &users[1]))
        .expect("read_secret before the reboot");
    assert!(library.expose_secret() == values[1]);
    // The reboot: the kernel forgets the keys.
    for user in &users {
        let id = keyctl_search(&description(user, PRODUCT_SERVICE)).expect("key before reboot");
        assert!(
            Command::new("keyctl")
                .args(["invalidate", &id])
                .status()
                .unwrap()
                .success()
        );
    }
    let (code, after) = run(&["status"]);
    // Missing secrets: 3, as `validate` exits (README).
    assert_eq!(code, Some(3), "{after}");
    assert_eq!(
        after.matches("MISSING (the kernel keyring forgets").count(),
        2,
        "{after}"
    );
    assert!(
        after.contains("run wfm-wizard and type it again"),
        "{after}"
    );
    let gone = secrets::read_secret(&reference(StoreKind::Keyutils, &users[1]))
        .expect_err("read_secret after the reboot");
    assert!(
        gone.message.contains("forgets its keys at reboot"),
        "{gone}"
    );
    let (code, validate) = run(&["validate"]);
    assert_eq!(code, Some(3), "{validate}");
    assert!(validate.contains("is missing from keyutils"), "{validate}");
    let _ = ctx;
}

/// `prune` in a login session of its own user (nobody), so it sees only its own keys:
/// it removes the orphan and keeps the referenced and the draft entries.
pub fn prune_removes_only_orphans(_ctx: &Ctx) {
    assert!(
        Command::new("setpriv").arg("--version").output().is_ok(),
        "setpriv (util-linux) is needed to run prune as another user"
    );
    let dir = tempfile::Builder::new()
        .prefix("wfm-prune-")
        .tempdir()
        .expect("temporary directory");
    let config = write_config(dir.path(), StoreKind::Keyutils, "kept");
    let draft_entry = format!("{NAMESPACE}/draft/ringcentral-v1/historical/next/jwt");
    write_draft_naming(&config, &draft_entry);
    // nobody owns the directory, the config and its draft: prune takes the edit lock there.
    for path in [dir.path().to_owned(), config.clone(), draft_of(&config)] {
        std::os::unix::fs::chown(&path, Some(65534), Some(65534)).expect("chown");
    }
    let kept = users_of("kept");
    let orphan = format!("{NAMESPACE}/ringcentral-v1/historical/gone/jwt");
    // Another config's entry and a version-1 name: never this file's to remove.
    let others = [
        "ba9876543210/ringcentral-v1/historical/gone/jwt",
        "ringcentral-v1/historical/gone/jwt",
    ];
    let all = [
        kept[0].as_str(),
        kept[1].as_str(),
        orphan.as_str(),
        draft_entry.as_str(),
        others[0],
        others[1],
    ]
    .map(|u| format!("'{u}'"))
    .join(" ");
    let script = format!(
        "set -e
         for u in {all}; do
           printf 'test value' | keyctl padd user \"keyring:$u@wfm-wizard\" @s >/dev/null
         done
         \"$0\" prune --yes --config '{config}'
         echo '--- left:'
         for u in {all}; do
           keyctl search @s user \"keyring:$u@wfm-wizard\" >/dev/null 2>&1 && echo \"kept $u\" || echo \"gone $u\"
         done
         for id in $(keyctl rlist @s); do keyctl invalidate $id 2>/dev/null || true; done",
        config = config.display()
    );
    let out = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "keyctl",
            "session",
            "-",
        ])
        .args(["sh", "-c", &script, BIN])
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("XDG_RUNTIME_DIR")
        .env("HOME", dir.path())
        .current_dir(dir.path())
        .output()
        .expect("run prune as nobody");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains(&format!("removed keyutils {orphan}")),
        "{text}"
    );
    assert!(text.contains(&format!("gone {orphan}")), "{text}");
    for user in [
        kept[0].as_str(),
        kept[1].as_str(),
        &draft_entry,
        others[0],
        others[1],
    ] {
        assert!(text.contains(&format!("kept {user}\n")), "{user}: {text}");
    }
    assert!(text.contains("Draft entries, kept while"), "{text}");
}

fn draft_of(config: &Path) -> PathBuf {
    let mut name = config.as_os_str().to_owned();
    name.push(".draft");
    PathBuf::from(name)
}

/// A draft file beside `config` whose one typed secret waits in `entry` (keyutils).
fn write_draft_naming(config: &Path, entry: &str) {
    use wfm_wizard::config::draft::{
        DRAFT_VERSION, DraftField, DraftIntegration, Position, Snapshot,
    };
    let snapshot = Snapshot {
        version: DRAFT_VERSION,
        namespace: Some(NAMESPACE.into()),
        platform: "ringcentral-v1".into(),
        confirmed: Vec::new(),
        at: Position::Platform,
        integrations: vec![DraftIntegration {
            platform: "ringcentral-v1".into(),
            operation: "historical".into(),
            original: None,
            touched: true,
            fields: vec![DraftField::Secret {
                key: "jwt".into(),
                typed: Some(reference(StoreKind::Keyutils, entry)),
                stored: None,
            }],
        }],
        removed: Vec::new(),
        secrets_left_out: 0,
    };
    std::fs::write(
        draft_of(config),
        serde_json::to_string(&snapshot).expect("draft as JSON"),
    )
    .expect("write the draft");
}

/// Writes of a save go back as they were when the file cannot be written, on the real
/// stores: the new entry is removed, the replaced one holds its old value again.
pub fn rollback_when_the_file_cannot_be_written(ctx: &Ctx) {
    let group = format!("rs-rollback-{}", std::process::id());
    let users = users_of(&group);
    let user_refs: Vec<&str> = users.iter().map(String::as_str).collect();
    let _kernel = KernelKeyCleanup::new(PRODUCT_SERVICE, &user_refs);
    let _secret_tool = SecretToolCleanup(PRODUCT_SERVICE, &user_refs);
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("integrations.yaml");
    for kind in [StoreKind::Keyutils, StoreKind::SecretService] {
        let stores = KeyringStores::new(StoreChoice::Named(kind));
        let store = stores.open(kind).expect("open the store");
        store
            .set(&users[0], &SecretString::from("the old value".to_owned()))
            .expect("set the old value");
        let plan = plan(kind, &users, ["replacement", "brand new"]);
        // Root ignores file modes: the write fails the way a full or read-only disk makes it.
        let write = |_: &str| Err("read-only file system".to_owned());
        let err = execute_save(&plan, &stores, &path, &write)
            .expect_err("the file cannot be written")
            .to_string();
        assert!(err.contains("Could not write"), "{kind}: {err}");
        assert!(
            err.contains("the keyring is as it was before this save"),
            "{kind}: {err}"
        );
        assert!(!path.exists());
        assert_eq!(
            read_back(kind, &users[0]).as_deref(),
            Some("the old value"),
            "{kind}"
        );
        assert_eq!(
            read_back(kind, &users[1]),
            None,
            "{kind}: the new entry was removed"
        );
        store.delete(&users[0]).expect("clean up");
    }
    let _ = ctx;
}

/// The real kernel keyring refuses an empty value: the second write fails, and the
/// first is undone.
pub fn rollback_when_the_second_write_fails(_ctx: &Ctx) {
    let group = format!("rs-second-{}", std::process::id());
    let users = users_of(&group);
    let user_refs: Vec<&str> = users.iter().map(String::as_str).collect();
    let _kernel = KernelKeyCleanup::new(PRODUCT_SERVICE, &user_refs);
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("integrations.yaml");
    let stores = KeyringStores::new(StoreChoice::Named(StoreKind::Keyutils));
    let plan = plan(StoreKind::Keyutils, &users, ["first value", ""]);
    let write = |text: &str| {
        wfm_wizard::io::config_file::write_atomic(&path, text).map_err(|e| e.to_string())
    };
    let err = execute_save(&plan, &stores, &path, &write)
        .expect_err("the second write fails")
        .to_string();
    assert!(err.contains("cannot be empty"), "{err}");
    assert!(
        err.contains("the keyring is as it was before this save"),
        "{err}"
    );
    assert!(!path.exists(), "no file after a failed secret write");
    assert_eq!(read_back(StoreKind::Keyutils, &users[0]), None);
}

/// The namespace of the configs these tests write.
const NAMESPACE: &str = "0123456789ab";

fn users_of(group: &str) -> Vec<String> {
    ["client_secret", "jwt"]
        .iter()
        .map(|field| format!("{NAMESPACE}/ringcentral-v1/historical/{group}/{field}"))
        .collect()
}

fn reference(kind: StoreKind, user: &str) -> SecretRef {
    SecretRef {
        store: kind,
        service: PRODUCT_SERVICE.to_owned(),
        user: user.to_owned(),
    }
}

fn plan(kind: StoreKind, users: &[String], values: [&str; 2]) -> SavePlan {
    SavePlan {
        document: Document {
            version: 2,
            namespace: Some(NAMESPACE.into()),
            path: None,
            revision: 1,
            confirmed: Vec::new(),
            integrations: Vec::new(),
        },
        copies: Vec::new(),
        writes: users
            .iter()
            .zip(values)
            .map(|(user, value)| SecretWrite {
                target: reference(kind, user),
                value: SecretString::from(value.to_owned()),
            })
            .collect(),
        deletes: Vec::new(),
        expected_hash: None,
        text: None,
        changes: Vec::new(),
    }
}

/// Reads back with the store's own tool: `keyctl` or `secret-tool`.
fn read_back(kind: StoreKind, user: &str) -> Option<String> {
    match kind {
        StoreKind::Keyutils => keyctl_search(&description(user, PRODUCT_SERVICE))
            .map(|id| String::from_utf8(keyctl_pipe(&id)).expect("UTF-8")),
        _ => crate::linux::secret_tool_lookup(PRODUCT_SERVICE, user),
    }
}

/// A config with one Historical integration in `group` whose secrets are in `kind`.
fn write_config(dir: &Path, kind: StoreKind, group: &str) -> PathBuf {
    let users = users_of(group);
    let path = dir.join("integrations.yaml");
    let document = Document {
        version: 2,
        namespace: Some(NAMESPACE.into()),
        path: Some(path.display().to_string()),
        revision: 1,
        confirmed: Vec::new(),
        integrations: vec![Integration {
            platform: "ringcentral-v1".into(),
            operation: "historical".into(),
            group: Some(group.to_owned()),
            enabled: true,
            settings: Settings(vec![
                (
                    "client_id".into(),
                    Setting::Text("AbCdEfGhIjKlMnOpQrStUv".into()),
                ),
                (
                    "client_secret".into(),
                    Setting::Secret(reference(kind, &users[0])),
                ),
                ("jwt".into(), Setting::Secret(reference(kind, &users[1]))),
                ("sub_account_id".into(), Setting::Text("15910001".into())),
            ]),
        }],
    };
    std::fs::write(&path, render_document(&document).expect("render")).expect("write config");
    path
}

/// A JWT that passes the catalog's rule: JSON header and payload, never expiring.
fn valid_jwt() -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.{}",
        b64.encode(r#"{"alg":"RS256","typ":"JWT"}"#),
        b64.encode(
            r#"{"iss":"https://platform.ringcentral.com","iat":1750000000,"exp":3897483647}"#
        ),
        b64.encode([0x5a_u8; 64])
    )
}
