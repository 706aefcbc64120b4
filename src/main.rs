use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use std::io::IsTerminal;
use wfm_wizard::catalog::Catalog;

use wfm_wizard::cli::{Cli, Command, SecretCommand};
use wfm_wizard::commands::secrets_report::{self, Confirm};
use wfm_wizard::commands::{self, EXIT_INVALID, history};
use wfm_wizard::io::config_file;
use wfm_wizard::io::keyring_stores::KeyringStores;
use wfm_wizard::plain;

fn main() -> ExitCode {
    for problem in wfm_wizard::io::hygiene::forbid_core_dumps() {
        eprintln!("wfm-wizard: warning: {problem}; a crash could write secrets to a core file");
    }
    wfm_wizard::io::secrets::prepare_process();
    let cli = Cli::parse();
    let path = cli.config.unwrap_or_else(config_file::default_path);
    let catalog = Catalog::builtin();
    let stores = Arc::new(KeyringStores::new(cli.secret_store));
    let status = match cli.command {
        Some(Command::Validate) => {
            commands::validate(&path, &catalog, stores.as_ref(), &mut std::io::stdout())
        }
        Some(Command::Status) => {
            secrets_report::status(&path, stores.as_ref(), &mut std::io::stdout())
        }
        Some(Command::Prune { yes }) => {
            let stdin = std::io::stdin();
            let mut input = stdin.lock();
            let confirm = confirm(yes, &mut input);
            secrets_report::prune(
                &path,
                stores.as_ref(),
                confirm,
                &mut std::io::stdout(),
                &mut std::io::stderr(),
            )
        }
        Some(Command::History) => {
            history::history(&path, &mut std::io::stdout(), &mut std::io::stderr())
        }
        Some(Command::Rollback { revision, yes }) => {
            let stdin = std::io::stdin();
            let mut input = stdin.lock();
            history::rollback::rollback(
                &path,
                revision,
                stores.as_ref(),
                confirm(yes, &mut input),
                &mut std::io::stdout(),
                &mut std::io::stderr(),
            )
        }
        Some(Command::Secret(SecretCommand::Get { reference })) => secrets_report::secret_get(
            &path,
            &reference,
            stores.as_ref(),
            std::io::stdout().is_terminal(),
            &mut std::io::stdout(),
            &mut std::io::stderr(),
        ),
        None => match commands::load_document(&path, &catalog, commands::now()) {
            Ok(document) => {
                if let Some(why) = plain::requested(cli.plain) {
                    commands::run_plain(&path, catalog, document.as_ref(), stores, why)
                } else {
                    let theme = commands::theme_from_env(cli.ascii);
                    commands::run_wizard(&path, catalog, document.as_ref(), stores, theme)
                }
            }
            Err(why) => {
                eprintln!("wfm-wizard: {}: {why}", path.display());
                EXIT_INVALID
            }
        },
    };
    ExitCode::from(status)
}

/// `--yes`, else a question on the terminal, else a refusal (exit 2).
fn confirm(yes: bool, input: &mut dyn std::io::BufRead) -> Confirm<'_> {
    if yes {
        Confirm::Yes
    } else if std::io::stdin().is_terminal() {
        Confirm::Ask(input)
    } else {
        Confirm::NoTerminal
    }
}
