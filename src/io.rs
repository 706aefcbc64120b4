//! The outside world: one file per system. Nothing outside `io` imports the crates used here.

pub mod config_file;
pub mod effects;
pub mod keyring_stores;
pub mod memory_store;
pub mod secrets;
pub mod terminal_output;
