//! The `wfm.wizard.wfm_wizard` Ansible module (ansible/) driven by a real
//! `ansible-playbook` (ansible-core from .ci/run's virtual environment) over an
//! inventory of local hosts, each with its own config, on the real kernel keyring:
//! the first run changes every host, the second none, check mode writes nothing, diff
//! mode shows no secret, a missing secret fails that host with the binary's message,
//! and no secret reaches argv, the binary's environment or Ansible's output.
#![cfg(target_os = "linux")]

#[path = "support/apply_fixtures.rs"]
mod apply_fixtures;
#[path = "support/private_secret_service.rs"]
mod private_secret_service;

use std::fmt::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use apply_fixtures::{CLIENT_ID, Cleanup, jwt, keyctl_value, namespace_of};

const BIN: &str = env!("CARGO_BIN_EXE_wfm-wizard");
const COLLECTIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/ansible");
const HOSTS: [&str; 3] = ["h1", "h2", "h3"];

fn venv() -> PathBuf {
    std::env::var_os("WFM_CI_VENV").map_or_else(|| PathBuf::from("/opt/wfm-ci-venv"), PathBuf::from)
}

/// ansible-playbook and keyctl, or a loud SKIPPED (a failure when real tools are required).
fn tools_ready() -> bool {
    let playbook = venv().join("bin/ansible-playbook");
    if !playbook.is_file() {
        let why = format!(
            "ansible-playbook is not in {} (.ci/run installs it there)",
            venv().display()
        );
        private_secret_service::skip::skip(&why);
        return false;
    }
    private_secret_service::tools_present(&["keyctl"]).unwrap_or_else(|e| panic!("{e}"))
}

struct Fleet {
    dir: tempfile::TempDir,
    dump: PathBuf,
}

impl Fleet {
    fn config(&self, host: &str) -> PathBuf {
        self.dir.path().join(host).join("integrations.yaml")
    }

    fn secret(host: &str) -> String {
        format!("fleet-client-secret-{host}")
    }

    fn token(host: &str) -> String {
        jwt(&format!("fleet-{host}"))
    }

    fn new() -> Fleet {
        let dir = tempfile::tempdir().expect("temporary directory");
        let dump = dir.path().join("invocations.txt");
        // Records each run's argv and environment, then runs the real binary.
        let wrapper = dir.path().join("wfm-wizard");
        std::fs::write(
            &wrapper,
            format!(
                "#!/bin/sh\n{{ printf 'argv:'; printf ' %s' \"$0\" \"$@\"; printf '\\n'; env; }} >> '{}'\nexec '{BIN}' \"$@\"\n",
                dump.display()
            ),
        )
        .expect("write the wrapper");
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let mut inventory = String::from("all:\n  children:\n    fleet:\n      hosts:\n");
        for host in HOSTS.iter().chain(&["broken"]) {
            std::fs::create_dir(dir.path().join(host)).expect("host directory");
            let jwt_line = if *host == "broken" {
                String::new()
            } else {
                format!(
                    "            ringcentral-v1/historical/east/jwt: '{}'\n",
                    Fleet::token(host)
                )
            };
            let _ = write!(
                inventory,
                "        {host}:\n          wfm_config: '{}'\n          host_secrets:\n            ringcentral-v1/historical/east/client_secret: '{}'\n{jwt_line}",
                dir.path().join(host).join("integrations.yaml").display(),
                Fleet::secret(host),
            );
        }
        let _ = write!(
            inventory,
            "      vars:\n        ansible_connection: local\n        ansible_python_interpreter: '{}'\n",
            venv().join("bin/python").display()
        );
        std::fs::write(dir.path().join("inventory.yml"), inventory).expect("write inventory");
        std::fs::write(
            dir.path().join("site.yml"),
            format!(
                "- hosts: fleet\n  gather_facts: false\n  environment:\n    WFM_WIZARD_SYSTEMD_CREDS: /nonexistent/systemd-creds-is-off-in-tests\n  tasks:\n    - name: RingCentral integrations\n      wfm.wizard.wfm_wizard:\n        binary: '{}'\n        config: '{{{{ wfm_config }}}}'\n        secret_store: keyutils\n        integrations:\n          - platform: ringcentral-v1\n            operation: historical\n            group: east\n            settings:\n              client_id: {CLIENT_ID}\n              sub_account_id: '15910001'\n        secrets: '{{{{ host_secrets | combine(secret_overrides | default({{}})) }}}}'\n",
                wrapper.display()
            ),
        )
        .expect("write the playbook");
        Fleet { dir, dump }
    }

    fn playbook(&self, extra: &[&str]) -> Output {
        let home = self.dir.path().join("ansible-home");
        let mut command = Command::new(venv().join("bin/ansible-playbook"));
        command
            .current_dir(self.dir.path())
            .args(["-i", "inventory.yml", "site.yml"])
            .args(extra)
            .env("ANSIBLE_COLLECTIONS_PATH", COLLECTIONS)
            .env("ANSIBLE_HOME", &home)
            .env("ANSIBLE_LOCAL_TEMP", home.join("tmp"))
            .env("ANSIBLE_LOCALHOST_WARNING", "false")
            .env("ANSIBLE_DEPRECATION_WARNINGS", "false")
            .env("ANSIBLE_NOCOLOR", "1")
            .env("ANSIBLE_FORCE_COLOR", "0")
            .stdin(Stdio::null());
        command.output().expect("run ansible-playbook")
    }

    fn all_secrets() -> Vec<String> {
        let mut all: Vec<String> = HOSTS
            .iter()
            .flat_map(|h| [Fleet::secret(h), Fleet::token(h)])
            .collect();
        all.push(Fleet::secret("broken"));
        all.push(OVERRIDE.to_owned());
        all
    }
}

const OVERRIDE: &str = "a-rotated-client-secret";

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The PLAY RECAP's counts per host, e.g. `h1 : ok=1 changed=1 ... failed=0`.
fn report(output: &Output) -> String {
    let all = text(output);
    let Some(at) = all.find("PLAY RECAP") else {
        panic!("no PLAY RECAP:\n{all}");
    };
    all[at..].to_owned()
}

fn stat(recap: &str, host: &str, key: &str) -> u64 {
    let line = recap
        .lines()
        .find(|l| l.split_whitespace().next() == Some(host))
        .unwrap_or_else(|| panic!("{host} is not in the recap:\n{recap}"));
    line.split_whitespace()
        .find_map(|field| field.strip_prefix(&format!("{key}=")))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no {key} for {host}: {line}"))
}

fn assert_no_secret(what: &str, haystack: &str, secrets: &[String]) {
    for secret in secrets {
        assert!(
            !haystack.contains(secret.as_str()),
            "a secret reached {what}:\n{haystack}"
        );
    }
}

fn override_args() -> String {
    format!(
        "{{\"secret_overrides\": {{\"ringcentral-v1/historical/east/client_secret\": \"{OVERRIDE}\"}}}}"
    )
}

#[test]
fn one_playbook_configures_a_fleet_and_a_second_run_changes_nothing() {
    if !tools_ready() {
        return;
    }
    let fleet = Fleet::new();
    let _cleanup = Cleanup(HOSTS.iter().map(|h| fleet.config(h)).collect());
    let secrets = Fleet::all_secrets();

    let first = fleet.playbook(&[]);
    assert_no_secret("the first run's output", &text(&first), &secrets);
    let result = report(&first);
    for host in HOSTS {
        assert_eq!(
            stat(&result, host, "changed"),
            1,
            "{host}: {}",
            text(&first)
        );
        assert_eq!(stat(&result, host, "failed"), 0, "{host}: {}", text(&first));
        let namespace = namespace_of(&fleet.config(host)).expect("a config per host");
        let user = |field: &str| format!("{namespace}/ringcentral-v1/historical/east/{field}");
        assert_eq!(
            keyctl_value(&user("client_secret")),
            Some(Fleet::secret(host))
        );
        assert_eq!(keyctl_value(&user("jwt")), Some(Fleet::token(host)));
    }
    assert_eq!(stat(&result, "broken", "failed"), 1, "{}", text(&first));
    let all = text(&first);
    let message = all
        .lines()
        .find(|l| l.starts_with("fatal: [broken]"))
        .unwrap_or_default()
        .to_owned();
    assert!(
        message.contains("Required") && message.contains("JWT"),
        "the binary's message: {message}"
    );
    assert!(
        !fleet.config("broken").exists(),
        "the failed host has no config"
    );

    let second = fleet.playbook(&[]);
    let result = report(&second);
    for host in HOSTS {
        assert_eq!(
            stat(&result, host, "changed"),
            0,
            "{host}: {}",
            text(&second)
        );
        assert_eq!(
            stat(&result, host, "failed"),
            0,
            "{host}: {}",
            text(&second)
        );
    }

    // Check mode with a rotated secret: reported as a change, nothing written.
    let before: Vec<Vec<u8>> = HOSTS
        .iter()
        .map(|h| std::fs::read(fleet.config(h)).expect("read"))
        .collect();
    let check = fleet.playbook(&["--check", "-e", &override_args()]);
    assert_no_secret("check mode's output", &text(&check), &secrets);
    let result = report(&check);
    for (host, before) in HOSTS.iter().zip(&before) {
        assert_eq!(
            stat(&result, host, "changed"),
            1,
            "{host}: {}",
            text(&check)
        );
        assert_eq!(&std::fs::read(fleet.config(host)).expect("read"), before);
        let namespace = namespace_of(&fleet.config(host)).expect("namespace");
        assert_eq!(
            keyctl_value(&format!(
                "{namespace}/ringcentral-v1/historical/east/client_secret"
            )),
            Some(Fleet::secret(host)),
            "check mode wrote a secret"
        );
    }

    // Diff mode: the change shows by fingerprint, no secret old or new.
    let diff = fleet.playbook(&["--diff", "-e", &override_args(), "-l", "h1"]);
    let shown = text(&diff);
    assert!(diff.status.success(), "{shown}");
    assert_no_secret("diff mode's output", &shown, &secrets);
    assert!(
        shown.contains("client_secret new value (fingerprint"),
        "{shown}"
    );
    assert!(shown.contains("+revision: 2"), "{shown}");
    let namespace = namespace_of(&fleet.config("h1")).expect("namespace");
    assert_eq!(
        keyctl_value(&format!(
            "{namespace}/ringcentral-v1/historical/east/client_secret"
        ))
        .as_deref(),
        Some(OVERRIDE)
    );

    assert_invocations_hold_no_secret(&fleet, &secrets);
}

/// Every invocation's argv and environment, recorded by the wrapper: no secret.
fn assert_invocations_hold_no_secret(fleet: &Fleet, secrets: &[String]) {
    let invocations = std::fs::read_to_string(&fleet.dump).expect("the wrapper ran");
    assert!(invocations.matches("argv:").count() >= 12, "{invocations}");
    assert!(invocations.contains(" apply --answers "), "{invocations}");
    assert_no_secret("the binary's argv or environment", &invocations, secrets);
}

/// The module's file must stay importable by Ansible's own loader: a syntax slip would
/// only show as a failed task on a target.
#[test]
fn the_module_documents_itself_for_ansible_doc() {
    if !tools_ready() {
        return;
    }
    let out = Command::new(venv().join("bin/ansible-doc"))
        .args(["-t", "module", "wfm.wizard.wfm_wizard"])
        .env("ANSIBLE_COLLECTIONS_PATH", COLLECTIONS)
        .env("ANSIBLE_NOCOLOR", "1")
        .env("ANSIBLE_HOME", tempfile::tempdir().expect("dir").path())
        .stdin(Stdio::null())
        .output()
        .expect("run ansible-doc");
    assert!(out.status.success(), "{}", text(&out));
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        page.contains("no_log") || page.contains("standard input"),
        "{page}"
    );
}
