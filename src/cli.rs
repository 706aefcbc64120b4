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

    /// Where new secrets go: auto, secret-service, keyutils, keychain, windows or systemd-creds
    #[arg(long, env = "WFM_WIZARD_SECRET_STORE", global = true, default_value = "auto", value_parser = parse_store)]
    pub secret_store: StoreChoice,

    /// Ask the questions line by line: no full-screen drawing, no colour, secrets
    /// without echo. Also chosen by ACCESSIBLE=1 or TERM=dumb
    #[arg(long)]
    pub plain: bool,
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
    Validate {
        /// Print one JSON object instead of lines (README "validate --json")
        #[arg(long)]
        json: bool,
    },
    /// List each integration and, for each secret, its store, whether it is present and
    /// a short fingerprint (never the value); then entries no integration refers to
    Status {
        /// Print one JSON object instead of lines (README "status --json")
        #[arg(long)]
        json: bool,
    },
    /// Remove keyring entries under service wfm-wizard that no integration refers to
    Prune {
        /// Do not ask; needed when there is no terminal to ask on
        #[arg(long)]
        yes: bool,
    },
    /// List the saves of this file, newest last: revision, time (UTC), who, what changed,
    /// and whether a backup of that revision is kept
    History,
    /// Put back the file of an earlier revision (one of the last 10 backups), saying which
    /// of its secrets are still in their stores and which must be typed again
    Rollback {
        /// The revision to restore, as `history` lists it
        #[arg(value_name = "N")]
        revision: u64,
        /// Do not ask; needed when there is no terminal to ask on
        #[arg(long)]
        yes: bool,
    },
    /// Test the saved integrations against RingCentral and RingCX (token, RingCX login,
    /// sub-account), with secrets read from their stores; exit 5 when a test fails
    Test {
        /// One object per integration on stdout, one per line, with each stage's outcome
        #[arg(long)]
        json: bool,
        /// Test only this integration: <platform>/<operation>/<group>, e.g.
        /// ringcentral-v1/historical/default
        #[arg(value_name = "INTEGRATION")]
        integration: Option<String>,
    },
    /// Work with one stored secret
    #[command(subcommand)]
    Secret(SecretCommand),
    /// Print the systemd drop-in (one `LoadCredentialEncrypted=` per secret) that lets the
    /// product's service read its secrets from `$CREDENTIALS_DIRECTORY`
    SystemdUnit {
        /// The product's service unit, e.g. wfm-agent.service
        #[arg(value_name = "UNIT")]
        unit: Option<String>,
        /// Write it to <unit-dir>/UNIT.d/wfm-wizard-credentials.conf instead of printing it
        #[arg(long)]
        write: bool,
        /// Where unit drop-ins go
        #[arg(long, value_name = "DIR", default_value = "/etc/systemd/system")]
        unit_dir: PathBuf,
    },
    /// Move every secret of the file into another store, atomically like a save
    MigrateSecrets {
        /// The store to move them to, e.g. systemd-creds
        #[arg(long, value_name = "STORE", value_parser = parse_kind)]
        to: StoreKind,
    },
    /// Make the config say what an answers file says, with the wizard's rules and save;
    /// no terminal needed. Running it again with the same answers changes nothing
    Apply(ApplyArgs),
    /// Print an answers file that makes another config say what this one says; secrets
    /// as {env: WFM_...} placeholders, never values
    Export,
    /// Print the JSON Schema (2020-12) of the config file, or of the answers file
    Schema {
        /// The answers file's schema instead of the config's
        #[arg(long)]
        answers: bool,
    },
    /// Print a shell completion script (README "Shell completions and man page")
    Completions {
        #[arg(value_enum, value_name = "SHELL")]
        shell: CompletionShell,
    },
    /// Print the man page (roff): `wfm-wizard man | man -l -`
    Man {
        /// A subcommand's own page (wfm-wizard-SUBCOMMAND(1)) instead of the main one
        #[arg(value_name = "SUBCOMMAND")]
        subcommand: Option<String>,
    },
}

/// The shells `completions` writes for.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

/// `apply`'s arguments (issue 14).
#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// The answers file: the config's shape, each secret naming where to read it
    /// ({env: VAR}, {file: PATH} or {stdin: true}); never a value
    #[arg(long, value_name = "FILE")]
    pub answers: PathBuf,
    /// Print the plan; write nothing
    #[arg(long)]
    pub check: bool,
    /// Show what changes, secrets by fingerprint only
    #[arg(long)]
    pub diff: bool,
    /// Print the outcome as one JSON object (README "apply --json")
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Print a secret to stdout, which must be a pipe or a file, never the terminal
    Get {
        /// <platform>/<operation>/<group>/<field>, e.g. ringcentral-v1/historical/default/jwt
        #[arg(value_name = "REF")]
        reference: String,
    },
}

fn parse_store(name: &str) -> Result<StoreChoice, String> {
    if name == "auto" {
        return Ok(StoreChoice::Auto);
    }
    StoreKind::parse(name)
        .map(StoreChoice::Named)
        .ok_or_else(|| {
            "expected auto, secret-service, keyutils, keychain, windows or systemd-creds".to_owned()
        })
}

fn parse_kind(name: &str) -> Result<StoreKind, String> {
    StoreKind::parse(name).ok_or_else(|| {
        "expected secret-service, keyutils, keychain, windows or systemd-creds".to_owned()
    })
}
