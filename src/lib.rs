//! wfm-wizard: configure a WFM product's contact-center integrations from a terminal.

pub mod answers;
pub mod app;
pub mod catalog;
pub mod cli;
pub mod commands;
pub mod config;
pub mod connection_verdict;
pub mod identity;
pub mod io;
pub mod keymap;
pub mod line_io;
pub mod plain;
pub mod safe_text;
pub mod schema;
pub mod secret;
pub mod terminal;
pub mod ui;
pub mod utc;
pub mod validate;
pub mod wizard;
pub mod wording;

#[cfg(test)]
mod test_support;
