//! wfm-wizard: configure a WFM product's contact-center integrations from a terminal.

pub mod io;
pub mod secret;
