//! `wfm-wizard systemd-unit [UNIT] [--write]`: the drop-in that lets the product's
//! service read its secrets from `$CREDENTIALS_DIRECTORY`, one
//! `LoadCredentialEncrypted=` per secret of the config kept as a systemd credential.

use std::io::Write;
use std::path::Path;

use super::inventory::references;
use super::{EXIT_FAILURE, EXIT_INVALID, EXIT_OK, EXIT_USAGE};
use crate::config::{Document, parse_document};
use crate::io::config_file;
use crate::secret::{SecretRef, StoreKind};

/// The drop-in's file name inside `<UNIT>.d/`.
pub const DROP_IN_NAME: &str = "wfm-wizard-credentials.conf";

/// Where `--write` puts drop-ins unless told otherwise.
pub const DEFAULT_UNIT_DIR: &str = "/etc/systemd/system";

/// What `systemd-unit` was asked.
pub struct Request<'a> {
    pub unit: Option<&'a str>,
    pub write: bool,
    pub unit_dir: &'a Path,
}

/// The drop-in's text for `references` (`(ID, reference)` pairs). `credstore`: the
/// directory the credentials are in; outside systemd's own search path, each line names
/// the file (`ID:PATH`).
pub fn drop_in(config: &Path, ids: &[String], credstore: &Path, default_dir: &Path) -> String {
    use std::fmt::Write as _;
    let mut text = format!(
        "# Written by wfm-wizard for {}.\n\
         # The service reads each secret from $CREDENTIALS_DIRECTORY/<ID>; systemd decrypts\n\
         # them when the unit starts. After a secret changes, restart the unit.\n\
         [Service]\n",
        unit_text(&config.display().to_string())
    );
    for id in ids {
        let _ = if credstore == default_dir {
            writeln!(text, "LoadCredentialEncrypted={id}")
        } else {
            let path = unit_text(&credstore.join(id).display().to_string());
            writeln!(text, "LoadCredentialEncrypted={id}:{path}")
        };
    }
    text
}

/// `text` safe inside a unit file line: `%` starts a specifier there, and a line break
/// or backslash would change what systemd reads.
fn unit_text(text: &str) -> String {
    text.replace('%', "%%")
        .replace('\\', "\\\\")
        .replace(['\n', '\r'], " ")
}

/// `name` as a service unit name (`.service` added when it has no type), or why not.
pub fn unit_name(name: &str) -> Result<String, String> {
    let valid = !name.is_empty()
        && name.len() <= 240
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b":-_.\\@".contains(&b))
        && !name.starts_with('.');
    if !valid {
        return Err(format!(
            "`{}` is not a unit name (letters, digits and :-_.\\@ only), e.g. wfm-agent.service",
            name.escape_debug()
        ));
    }
    Ok(if name.ends_with(".service") {
        name.to_owned()
    } else {
        format!("{name}.service")
    })
}

/// The command.
pub fn systemd_unit(
    path: &Path,
    request: &Request<'_>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let document = match read(path) {
        Ok(document) => document,
        Err(line) => {
            let _ = writeln!(err, "{line}");
            return EXIT_INVALID;
        }
    };
    let refs: Vec<SecretRef> = references(&document)
        .into_iter()
        .map(|(_, _, r)| r)
        .collect();
    let (ours, elsewhere): (Vec<&SecretRef>, Vec<&SecretRef>) = refs
        .iter()
        .partition(|r| r.store == StoreKind::SystemdCreds);
    if !elsewhere.is_empty() {
        let _ = writeln!(
            err,
            "warning: {} of the {} secret(s) of {} are not systemd credentials, so the service \
             cannot load them; move them with `wfm-wizard migrate-secrets --to systemd-creds`",
            elsewhere.len(),
            refs.len(),
            path.display()
        );
    }
    let ids = match credential_ids(&ours) {
        Ok(ids) => ids,
        Err(line) => {
            let _ = writeln!(err, "error: {line}");
            return EXIT_FAILURE;
        }
    };
    let (credstore, default_dir) = credstore_dirs();
    let text = drop_in(path, &ids, &credstore, &default_dir);
    if !request.write {
        let _ = out.write_all(text.as_bytes());
        return EXIT_OK;
    }
    let Some(unit) = request.unit else {
        let _ = writeln!(
            err,
            "error: --write needs the unit, e.g. `wfm-wizard systemd-unit wfm-agent.service --write`"
        );
        return EXIT_USAGE;
    };
    let unit = match unit_name(unit) {
        Ok(unit) => unit,
        Err(why) => {
            let _ = writeln!(err, "error: {why}");
            return EXIT_USAGE;
        }
    };
    match write_drop_in(request.unit_dir, &unit, &text) {
        Ok(written) => {
            let _ = writeln!(
                out,
                "wrote {}; now run `systemctl daemon-reload && systemctl restart {unit}`",
                written.display()
            );
            EXIT_OK
        }
        Err(why) => {
            let _ = writeln!(err, "error: {why}");
            EXIT_FAILURE
        }
    }
}

fn read(path: &Path) -> Result<Document, String> {
    match config_file::read(path) {
        Ok(Some(text)) => {
            parse_document(&text).map_err(|e| format!("error: {}: {e}", path.display()))
        }
        Ok(None) => Err(format!(
            "error: {}: no such file; run wfm-wizard to create it",
            path.display()
        )),
        Err(e) => Err(format!("error: {}: {e}", path.display())),
    }
}

#[cfg(target_os = "linux")]
fn credential_ids(refs: &[&SecretRef]) -> Result<Vec<String>, String> {
    refs.iter()
        .map(|r| {
            crate::io::systemd_creds::name::credential_id(&r.service, &r.user).ok_or_else(|| {
                format!(
                    "the entry `{}` has no valid credential ID",
                    r.user.escape_debug()
                )
            })
        })
        .collect()
}

#[cfg(not(target_os = "linux"))]
fn credential_ids(_refs: &[&SecretRef]) -> Result<Vec<String>, String> {
    Err("systemd credentials exist only on Linux".into())
}

#[cfg(target_os = "linux")]
fn credstore_dirs() -> (std::path::PathBuf, std::path::PathBuf) {
    use crate::io::systemd_creds::{DEFAULT_DIR, Settings};
    (Settings::from_env().dir, DEFAULT_DIR.into())
}

#[cfg(not(target_os = "linux"))]
fn credstore_dirs() -> (std::path::PathBuf, std::path::PathBuf) {
    Default::default()
}

#[cfg(target_os = "linux")]
fn write_drop_in(unit_dir: &Path, unit: &str, text: &str) -> Result<std::path::PathBuf, String> {
    crate::io::systemd_creds::unit_file::write_drop_in(unit_dir, unit, DROP_IN_NAME, text)
        .map_err(|e| e.to_string())
}

#[cfg(not(target_os = "linux"))]
fn write_drop_in(_: &Path, _: &str, _: &str) -> Result<std::path::PathBuf, String> {
    Err("systemd units exist only on Linux".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_drop_in_names_each_credential_and_its_file_outside_the_default_dir() {
        let ids = vec!["wfm-wizard.0123456789ab.p.o.default.jwt".to_owned()];
        let default = Path::new("/etc/credstore.encrypted");
        let text = drop_in(
            Path::new("/etc/wfm-wizard/a%b.yaml"),
            &ids,
            default,
            default,
        );
        assert!(
            text.contains(
                "[Service]\nLoadCredentialEncrypted=wfm-wizard.0123456789ab.p.o.default.jwt\n"
            ),
            "{text}"
        );
        assert!(text.contains("a%%b.yaml"), "{text}");
        let elsewhere = drop_in(Path::new("/c.yaml"), &ids, Path::new("/srv/creds"), default);
        assert!(elsewhere.contains(
            "LoadCredentialEncrypted=wfm-wizard.0123456789ab.p.o.default.jwt:/srv/creds/wfm-wizard.0123456789ab.p.o.default.jwt\n"
        ), "{elsewhere}");
    }

    #[test]
    fn unit_names_get_a_type_and_bad_ones_are_refused() {
        assert_eq!(unit_name("wfm-agent").unwrap(), "wfm-agent.service");
        assert_eq!(unit_name("wfm-agent.service").unwrap(), "wfm-agent.service");
        assert!(unit_name("../etc").is_err());
        assert!(unit_name("a b").is_err());
        assert!(unit_name("").is_err());
    }
}
