use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use wfm_wizard::catalog::Catalog;
use wfm_wizard::cli::{Cli, Command};
use wfm_wizard::commands::{self, EXIT_INVALID};
use wfm_wizard::io::config_file;
use wfm_wizard::io::keyring_stores::KeyringStores;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let path = cli.config.unwrap_or_else(config_file::default_path);
    let catalog = Catalog::builtin();
    let stores = Arc::new(KeyringStores::new(cli.secret_store));
    let status = match cli.command {
        Some(Command::Validate) => {
            commands::validate(&path, &catalog, stores.as_ref(), &mut std::io::stdout())
        }
        None => match commands::load_document(&path, &catalog, commands::now()) {
            Ok(document) => {
                let theme = commands::theme_from_env(cli.ascii);
                commands::run_wizard(&path, catalog, document.as_ref(), stores, theme)
            }
            Err(why) => {
                eprintln!("wfm-wizard: {}: {why}", path.display());
                EXIT_INVALID
            }
        },
    };
    ExitCode::from(status)
}
