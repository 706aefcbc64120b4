//! `auto`: the store the contract chooses on this system, and why another was passed over.

use std::path::Path;
use std::sync::Arc;

use super::adapter::KeyringStore;
use super::backends::{keyutils_store, secret_service_store};
use super::deadline::within;
use super::{
    PROBE_USER, Resolved, SECRET_SERVICE_DEADLINE, STORE_CALL_DEADLINE, SecretStore, StoreError,
    StoreProblem, StoreReason,
};
#[cfg(any(target_os = "macos", target_os = "windows"))]
use super::{StoreChoice, resolve};
use crate::secret::StoreKind;

#[cfg(target_os = "macos")]
pub(super) fn auto(service: &str) -> Result<Resolved, StoreError> {
    resolve(StoreChoice::Named(StoreKind::Keychain), service)
}

#[cfg(target_os = "windows")]
pub(super) fn auto(service: &str) -> Result<Resolved, StoreError> {
    resolve(StoreChoice::Named(StoreKind::Windows), service)
}

#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
pub(super) fn auto(service: &str) -> Result<Resolved, StoreError> {
    #[cfg(target_os = "linux")]
    let creds_skipped = match usable_systemd_creds(service) {
        Ok(store) => {
            return Ok(Resolved {
                store,
                secret_service_skipped: None,
                systemd_creds_skipped: None,
            });
        }
        Err(why) => why,
    };
    #[cfg(not(target_os = "linux"))]
    let creds_skipped = None;
    let reason = match usable_secret_service(service) {
        Ok(store) => {
            return Ok(Resolved {
                store,
                secret_service_skipped: None,
                systemd_creds_skipped: creds_skipped,
            });
        }
        Err(reason) => reason,
    };
    kernel_keyring_instead(service, reason).map(|resolved| Resolved {
        systemd_creds_skipped: creds_skipped,
        ..resolved
    })
}

#[cfg(not(any(
    target_os = "macos",
    target_os = "windows",
    all(
        unix,
        not(any(target_os = "macos", target_os = "ios", target_os = "android"))
    )
)))]
pub(super) fn auto(_service: &str) -> Result<Resolved, StoreError> {
    Err(StoreError::other(
        StoreKind::SecretService,
        format!(
            "wfm-wizard has no secret store for this system ({})",
            std::env::consts::OS
        ),
    ))
}

/// The Secret Service, connected and probed within the deadline, or why not.
#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
pub(super) fn usable_secret_service(service: &str) -> Result<Arc<dyn SecretStore>, StoreReason> {
    let runtime_dir = std::env::var_os("XDG_RUNTIME_DIR");
    let bus_address = std::env::var_os("DBUS_SESSION_BUS_ADDRESS");
    if !session_bus_hint(
        bus_address.as_deref(),
        runtime_dir.as_deref().map(Path::new),
    ) {
        return Err(StoreReason::new(StoreProblem::NoBus, NO_BUS));
    }
    let service = service.to_owned();
    within(
        SECRET_SERVICE_DEADLINE,
        StoreKind::SecretService,
        move || {
            let store =
                KeyringStore::new(StoreKind::SecretService, &service, secret_service_store()?);
            store.probe()?;
            Ok(Arc::new(store) as Arc<dyn SecretStore>)
        },
    )?
}

/// systemd credentials when this is root on a machine that can keep them (see
/// `systemd_creds::usable`), probed like the other stores. Otherwise why not, for the
/// store gate (`None`: not root, where they are not expected), and `auto` goes on.
#[cfg(target_os = "linux")]
pub(super) fn usable_systemd_creds(service: &str) -> Result<Arc<dyn SecretStore>, Option<String>> {
    use crate::io::systemd_creds::{Settings, Store, usable};
    let root = usable::is_root();
    let settings = Settings::from_env();
    let checked = settings.clone();
    let why = |reason: String| if root { Some(reason) } else { None };
    within(STORE_CALL_DEADLINE, StoreKind::SystemdCreds, move || {
        usable::check(&checked, root)
    })
    .map_err(|e| why(e.text))?
    .map_err(|e| why(e.to_string()))?;
    let store = KeyringStore::new(StoreKind::SystemdCreds, service, Store::new(settings));
    let probed = Arc::new(store.clone());
    store
        .timed("probe", PROBE_USER, move |s| {
            s.probe()
                .map_err(|reason| StoreError::from_reason(StoreKind::SystemdCreds, "", &reason))
        })
        .map_err(|e| why(e.message))?;
    Ok(probed)
}

/// Why `auto` did not choose systemd credentials here, for the store gate (Linux only).
#[cfg(target_os = "linux")]
pub fn systemd_creds_not_used() -> Option<String> {
    use crate::io::systemd_creds::{Settings, usable};
    let settings = Settings::from_env();
    match within(STORE_CALL_DEADLINE, StoreKind::SystemdCreds, move || {
        usable::check(&settings, usable::is_root())
    }) {
        Ok(Ok(())) => None,
        Ok(Err(why)) => Some(why.to_string()),
        Err(why) => Some(why.text),
    }
}

#[cfg(target_os = "linux")]
pub(super) fn kernel_keyring_instead(
    service: &str,
    skipped: StoreReason,
) -> Result<Resolved, StoreError> {
    let store = KeyringStore::new(StoreKind::Keyutils, service, keyutils_store()?);
    match store.probe() {
        Ok(()) => Ok(Resolved {
            store: Arc::new(store),
            secret_service_skipped: Some(skipped),
            systemd_creds_skipped: None,
        }),
        Err(reason) => Err(StoreError::from_reason(
            StoreKind::Keyutils,
            &format!(
                "no usable secret store. Secret Service not used: {skipped}. Kernel keyring: "
            ),
            &reason,
        )),
    }
}

#[cfg(all(
    unix,
    not(any(
        target_os = "linux",
        target_os = "macos",
        target_os = "ios",
        target_os = "android"
    ))
))]
pub(super) fn kernel_keyring_instead(
    _service: &str,
    skipped: StoreReason,
) -> Result<Resolved, StoreError> {
    Err(StoreError::from_reason(
        StoreKind::SecretService,
        "no usable secret store. Secret Service not used: ",
        &skipped,
    ))
}

pub(super) const NO_BUS: &str = "there is no D-Bus session bus here (DBUS_SESSION_BUS_ADDRESS is not set \
     and $XDG_RUNTIME_DIR/bus does not exist), as in a plain SSH, cron or container session";

/// Whether a D-Bus session bus is worth trying: an address is set, or the
/// conventional socket `$XDG_RUNTIME_DIR/bus` exists.
pub(super) fn session_bus_hint(
    bus_address: Option<&std::ffi::OsStr>,
    runtime_dir: Option<&Path>,
) -> bool {
    bus_address.is_some_and(|a| !a.is_empty())
        || runtime_dir.is_some_and(|d| !d.as_os_str().is_empty() && d.join("bus").exists())
}
