//! Command-line arguments.

use std::path::PathBuf;

use clap::builder::FalseyValueParser;
use clap::{Parser, Subcommand};

use crate::io::secrets::StoreChoice;
use crate::secret::StoreKind;

#[derive(Debug, Parser)]
#[command(
    name = "wfm-wizard",
    version,
    about = "Configure the WFM product's contact-center integrations."
)]
pub struct Cli {
    /// The YAML file to create or edit [default: /etc/wfm-wizard/integrations.yaml as root,
    /// else $XDG_CONFIG_HOME/wfm-wizard/integrations.yaml]
    #[arg(long, env = "WFM_WIZARD_CONFIG", global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Where new secrets go: auto, secret-service, keyutils, keychain or windows
    #[arg(long, env = "WFM_WIZARD_SECRET_STORE", global = true, default_value = "auto", value_parser = parse_store)]
    pub secret_store: StoreChoice,

    /// Draw with ASCII only (no Unicode borders, markers or masks); automatic when the
    /// locale is not UTF-8 or TERM is linux or a VT
    #[arg(long, env = "WFM_WIZARD_ASCII", global = true, value_parser = FalseyValueParser::new())]
    pub ascii: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the file with the wizard's rules and that every referenced secret can be read
    Validate,
}

fn parse_store(name: &str) -> Result<StoreChoice, String> {
    if name == "auto" {
        return Ok(StoreChoice::Auto);
    }
    StoreKind::parse(name)
        .map(StoreChoice::Named)
        .ok_or_else(|| "expected auto, secret-service, keyutils, keychain or windows".to_owned())
}
