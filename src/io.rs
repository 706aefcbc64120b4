//! The outside world: one file per system. Nothing outside `io` imports the crates used here.

pub mod config_file;
pub mod config_load;
pub mod connection;
pub mod draft_file;
pub mod edit_lock;
pub mod effects;
pub mod file_safety;
pub mod history_file;
pub mod hygiene;
pub mod keyring_stores;
pub mod line_terminal;
pub mod memory_store;
pub mod namespace;
pub mod save_journal;
#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
pub mod secret_service_bulk;
pub mod secrets;
pub mod signals;
pub mod standard_streams;
#[cfg(target_os = "linux")]
pub mod systemd_creds;
pub mod terminal_output;
