//! What the `apply`, `export` and Ansible tests share: JWTs that never expire, the
//! kernel keyring read back with `keyctl` (a tool nobody here wrote), and a guard that
//! removes the kernel keys a test's configs made, whatever happens.
//!
//! Include it with `#[path = "support/apply_fixtures.rs"] mod apply_fixtures;`.
#![allow(dead_code)] // each test target uses its own part of this module

use std::path::PathBuf;
use std::process::{Command, Stdio};

pub const CLIENT_ID: &str = "AbCdEfGhIjKlMnOpQrStUv";

/// Keeps spawned binaries off this machine's real systemd credentials.
pub const SYSTEMD_CREDS_OFF: (&str, &str) = (
    "WFM_WIZARD_SYSTEMD_CREDS",
    "/nonexistent/systemd-creds-is-off-in-tests",
);

/// A JWT that never expires, told apart by `tag`.
pub fn jwt(tag: &str) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.{}",
        b64.encode(r#"{"alg":"RS256","typ":"JWT"}"#),
        b64.encode(format!(
            r#"{{"iss":"https://platform.ringcentral.com","iat":1750000000,"exp":3897483647,"jti":"{tag}"}}"#
        )),
        "s".repeat(40)
    )
}

/// The value of a kernel key of service wfm-wizard, read with `keyctl`.
pub fn keyctl_value(user: &str) -> Option<String> {
    let script = format!(
        "keyctl get_persistent @s >/dev/null && id=$(keyctl search @s user 'keyring:{user}@wfm-wizard') && keyctl pipe $id"
    );
    let out = Command::new("keyctl")
        .args(["session", "-", "sh", "-c", &script])
        .stderr(Stdio::null())
        .output()
        .expect("run keyctl");
    out.status
        .success()
        .then(|| String::from_utf8(out.stdout).expect("UTF-8"))
}

/// The namespace a config records, if it can be read.
pub fn namespace_of(config: &std::path::Path) -> Option<String> {
    let text = std::fs::read_to_string(config).ok()?;
    wfm_wizard::config::parse_document(&text).ok()?.namespace
}

/// Removes every kernel key of the namespaces the configs record, on drop.
pub struct Cleanup(pub Vec<PathBuf>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let namespaces: Vec<String> = self.0.iter().filter_map(|c| namespace_of(c)).collect();
        let Ok(listing) = std::fs::read_to_string("/proc/keys") else {
            return;
        };
        for line in listing.lines() {
            if !namespaces
                .iter()
                .any(|n| line.contains(&format!("keyring:{n}/")))
            {
                continue;
            }
            if let Some(hex) = line.split_whitespace().next()
                && let Ok(id) = u32::from_str_radix(hex, 16)
            {
                let _ = Command::new("keyctl")
                    .args(["session", "-", "sh", "-c"])
                    .arg(format!(
                        "keyctl get_persistent @s >/dev/null && keyctl invalidate {id}"
                    ))
                    .stderr(Stdio::null())
                    .status();
            }
        }
    }
}
