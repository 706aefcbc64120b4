//! Building the stores, one function per kind, each gated to the systems that have it.

use std::sync::Arc;

use keyring_core::CredentialStore;
use keyring_core::api::CredentialStoreApi;

use super::deadline::within;
use super::explain::explain;
use super::{SECRET_SERVICE_DEADLINE, StoreError, StoreReason};
use crate::secret::StoreKind;

#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
pub(super) fn secret_service_store() -> Result<Arc<CredentialStore>, StoreReason> {
    match zbus_secret_service_keyring_store::Store::new() {
        Ok(store) => Ok(store),
        Err(e) => Err(explain(StoreKind::SecretService, &e)),
    }
}

/// [`secret_service_store`] on a helper thread, within [`SECRET_SERVICE_DEADLINE`].
#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
pub(super) fn secret_service_in_time() -> Result<Arc<CredentialStore>, StoreError> {
    within(
        SECRET_SERVICE_DEADLINE,
        StoreKind::SecretService,
        secret_service_store,
    )
    .and_then(|built| built)
    .map_err(|reason| StoreError::from_reason(StoreKind::SecretService, "", &reason))
}

#[cfg(not(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
)))]
pub(super) fn secret_service_in_time() -> Result<Arc<CredentialStore>, StoreError> {
    Err(not_here(StoreKind::SecretService))
}

#[cfg(target_os = "linux")]
pub(super) fn keyutils_store() -> Result<Arc<CredentialStore>, StoreError> {
    built(
        StoreKind::Keyutils,
        linux_keyutils_keyring_store::Store::new(),
    )
}

#[cfg(not(target_os = "linux"))]
pub(super) fn keyutils_store() -> Result<Arc<CredentialStore>, StoreError> {
    Err(not_here(StoreKind::Keyutils))
}

#[cfg(target_os = "linux")]
#[allow(clippy::unnecessary_wraps)] // The same shape as every store constructor.
pub(super) fn systemd_creds_store() -> Result<Arc<CredentialStore>, StoreError> {
    use crate::io::systemd_creds::{Settings, Store};
    Ok(Store::new(Settings::from_env()))
}

#[cfg(not(target_os = "linux"))]
pub(super) fn systemd_creds_store() -> Result<Arc<CredentialStore>, StoreError> {
    Err(not_here(StoreKind::SystemdCreds))
}

#[cfg(target_os = "macos")]
pub(super) fn keychain_store() -> Result<Arc<CredentialStore>, StoreError> {
    built(
        StoreKind::Keychain,
        apple_native_keyring_store::keychain::Store::new(),
    )
}

#[cfg(not(target_os = "macos"))]
pub(super) fn keychain_store() -> Result<Arc<CredentialStore>, StoreError> {
    Err(not_here(StoreKind::Keychain))
}

#[cfg(target_os = "windows")]
pub(super) fn windows_store() -> Result<Arc<CredentialStore>, StoreError> {
    built(
        StoreKind::Windows,
        windows_native_keyring_store::Store::new(),
    )
}

#[cfg(not(target_os = "windows"))]
pub(super) fn windows_store() -> Result<Arc<CredentialStore>, StoreError> {
    Err(not_here(StoreKind::Windows))
}

/// A store constructor's result, its error explained in plain words.
pub(super) fn built<S: CredentialStoreApi + Send + Sync + 'static>(
    kind: StoreKind,
    result: keyring_core::Result<Arc<S>>,
) -> Result<Arc<CredentialStore>, StoreError> {
    match result {
        Ok(store) => Ok(store),
        Err(e) => Err(StoreError::from_reason(kind, "", &explain(kind, &e))),
    }
}

/// The error for a store this operating system does not have.
pub(super) fn not_here(kind: StoreKind) -> StoreError {
    let home = match kind {
        StoreKind::SecretService => "Linux and other Unix desktops",
        StoreKind::Keyutils => "Linux",
        StoreKind::Keychain => "macOS",
        StoreKind::Windows => "Windows",
        StoreKind::SystemdCreds => "Linux with systemd 250 or later",
    };
    StoreError::other(
        kind,
        format!(
            "the {kind} store exists only on {home}, and this system is {}; choose another --secret-store",
            std::env::consts::OS
        ),
    )
}
