//! Store errors in plain English for operators. Uses only `Display` of keyring-core's
//! errors, which never holds secret bytes.

use keyring_core::Error;

use crate::secret::{StoreKind, StoreProblem, StoreReason};

const UNLOCK_HINT: &str = "unlock it by piping its password to \
     `gnome-keyring-daemon --replace --components=secrets --daemonize --unlock`, \
     or choose --secret-store keyutils";

/// What kind of problem `err` is, and a plain-English reason, then keyring-core's own
/// text in parentheses. Uses only `Display` of the error, which never holds secret
/// bytes.
pub(super) fn explain(kind: StoreKind, err: &Error) -> StoreReason {
    // systemd credentials: the store's own typed error says it all, with what to do.
    #[cfg(target_os = "linux")]
    if let Some(creds) = crate::io::systemd_creds::creds_error(err) {
        return StoreReason::new(StoreProblem::Other, creds.to_string());
    }
    if kind == StoreKind::SecretService {
        let (problem, why) = secret_service_reason(err);
        return StoreReason::new(problem, format!("{why} ({err})"));
    }
    StoreReason::new(
        StoreProblem::Other,
        format!("{} ({err})", reason(kind, err)),
    )
}

/// The Secret Service's failures by kind. The zbus store hands over a D-Bus failure
/// only as text (`PlatformFailure` boxes it), so this is the one place that reads
/// those words: the library's, at the boundary, never ours.
fn secret_service_reason(err: &Error) -> (StoreProblem, String) {
    match err {
        Error::NoStorageAccess(_) => (
            StoreProblem::Locked,
            format!("the keyring is locked or has no default (login) collection; {UNLOCK_HINT}"),
        ),
        Error::PlatformFailure(_) => {
            let text = err.to_string();
            if text.contains("ServiceUnknown") || text.contains("not provided by any .service") {
                (
                    StoreProblem::NoProvider,
                    "no Secret Service provider (such as gnome-keyring) is running on the D-Bus \
                     session bus"
                        .to_owned(),
                )
            } else if text.contains("no secret service provider or dbus session found") {
                (
                    StoreProblem::NoBus,
                    "there is no D-Bus session bus, or no Secret Service provider on it".to_owned(),
                )
            } else if text.contains("Failed to connect")
                || text.contains("Connection refused")
                || text.contains("No such file")
            {
                (
                    StoreProblem::NoBus,
                    "cannot connect to the D-Bus session bus".to_owned(),
                )
            } else {
                (
                    StoreProblem::Other,
                    "the Secret Service reported a failure".to_owned(),
                )
            }
        }
        _ => (StoreProblem::Other, reason(StoreKind::SecretService, err)),
    }
}

fn reason(kind: StoreKind, err: &Error) -> String {
    match (kind, err) {
        (StoreKind::Keyutils, Error::NoStorageAccess(_) | Error::PlatformFailure(_)) => {
            keyutils_reason(err)
        }
        (_, Error::NoStorageAccess(_)) => {
            "the store refused access (is it locked, or is this a remote session?)".to_owned()
        }
        (_, Error::PlatformFailure(_)) => "the store reported a failure".to_owned(),
        (_, Error::NoEntry) => "there is no such entry".to_owned(),
        (_, Error::BadEncoding(_)) => {
            "the stored value is not UTF-8 text, so wfm-wizard did not write it".to_owned()
        }
        (_, Error::BadDataFormat(..) | Error::BadStoreFormat(_)) => {
            "the store holds data in a form wfm-wizard cannot read".to_owned()
        }
        (_, Error::TooLong(_, limit)) => {
            format!("the value is longer than this store allows ({limit})")
        }
        (_, Error::Invalid(what, why)) => format!("the store does not accept this {what}: {why}"),
        (_, Error::Ambiguous(entries)) => format!(
            "{} entries match this name; remove the extra ones with the store's own tools",
            entries.len()
        ),
        (_, Error::NotSupportedByStore(_)) => "the store does not support this".to_owned(),
        (_, Error::NoDefaultStore) => "internal error: no store was chosen".to_owned(),
        (_, _) => "the store reported an unexpected error".to_owned(),
    }
}

#[cfg(target_os = "linux")]
fn keyutils_reason(err: &Error) -> String {
    use linux_keyutils::KeyError;
    let cause = std::error::Error::source(err).and_then(|e| e.downcast_ref::<KeyError>());
    match cause {
        Some(KeyError::AccessDenied) => "the kernel keyring refused access; this process has no \
             session keyring of its own (run it from a login session, or under `keyctl session -`)"
            .to_owned(),
        Some(KeyError::QuotaExceeded) => "the kernel keyring quota for this user is full \
             (see /proc/sys/kernel/keys/maxkeys and maxbytes)"
            .to_owned(),
        Some(KeyError::PermissionDenied | KeyError::OperationNotSupported) => {
            "the kernel keyring is not available to this process (keyctl is blocked, \
             as in a container with the default seccomp profile)"
                .to_owned()
        }
        _ => "the kernel keyring reported a failure".to_owned(),
    }
}

#[cfg(not(target_os = "linux"))]
fn keyutils_reason(_err: &Error) -> String {
    "the kernel keyring reported a failure".to_owned()
}
