//! The outside world: one file per system. Nothing outside `io` imports the crates used here.

pub mod memory_store;
pub mod secrets;
