use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use std::io::{IsTerminal, Write};
use wfm_wizard::catalog::Catalog;

use wfm_wizard::cli::{Cli, Command, SecretCommand};
use wfm_wizard::commands;
use wfm_wizard::commands::history;
use wfm_wizard::commands::secrets_report::{self, Confirm};
use wfm_wizard::io::config_file;
use wfm_wizard::io::keyring_stores::KeyringStores;
use wfm_wizard::io::standard_streams;
use wfm_wizard::plain;

fn main() -> ExitCode {
    // Every message goes out escaped: it may quote a path, an entry name or a value
    // from a file, the keyring, the environment or argv (see io::standard_streams).
    let mut out = standard_streams::stdout();
    let mut err = standard_streams::stderr();
    for problem in wfm_wizard::io::hygiene::forbid_core_dumps() {
        let _ = writeln!(
            err,
            "wfm-wizard: warning: {problem}; a crash could write secrets to a core file"
        );
    }
    wfm_wizard::io::secrets::prepare_process();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e, &mut out, &mut err),
    };
    let path = cli.config.unwrap_or_else(config_file::default_path);
    let catalog = Catalog::builtin();
    let stores = Arc::new(KeyringStores::new(cli.secret_store));
    let reads = matches!(
        cli.command,
        Some(
            Command::Validate { .. }
                | Command::Test { .. }
                | Command::Status { .. }
                | Command::Secret(_)
                | Command::History
                | Command::SystemdUnit { .. }
                | Command::Export
        )
    );
    if reads && let Err(status) = commands::recover_for_reading(&path, stores.as_ref(), &mut err) {
        return ExitCode::from(status);
    }
    let status = match cli.command {
        Some(Command::Validate { json }) => validate(&path, json, &catalog, stores.as_ref()),
        Some(Command::Test { json, integration }) => connection_test(
            &path,
            &catalog,
            stores.as_ref(),
            json,
            integration.as_deref(),
        ),
        Some(Command::Status { json }) => status(&path, json, stores.as_ref()),
        Some(Command::Prune { yes }) => prune(&path, yes, stores.as_ref()),
        Some(Command::History) => history::history(&path, &mut out, &mut err),
        Some(Command::Rollback { revision, yes }) => {
            // Held to the end of this arm: no wizard edits the file meanwhile.
            let _lock = match commands::lock_for_command(&path, stores.as_ref()) {
                Ok(lock) => lock,
                Err(status) => return ExitCode::from(status),
            };
            let stdin = std::io::stdin();
            let mut input = stdin.lock();
            history::rollback::rollback(
                &path,
                revision,
                stores.as_ref(),
                confirm(yes, &mut input),
                &mut out,
                &mut err,
            )
        }
        Some(Command::Secret(SecretCommand::Get { reference })) => secrets_report::secret_get(
            &path,
            &reference,
            stores.as_ref(),
            std::io::stdout().is_terminal(),
            // The secret's bytes, untouched: only the messages go out escaped.
            &mut std::io::stdout(),
            &mut err,
        ),
        Some(Command::SystemdUnit {
            unit,
            write,
            unit_dir,
        }) => systemd_unit(&path, unit.as_deref(), write, &unit_dir),
        Some(Command::MigrateSecrets { to }) => migrate_secrets(&path, to, stores.as_ref()),
        Some(Command::Apply(args)) => apply(&path, &args, &catalog, stores.as_ref()),
        Some(Command::Completions { shell }) => commands::shell_docs::completions(shell, &mut out),
        Some(Command::Man { subcommand }) => {
            commands::shell_docs::man(subcommand.as_deref(), &mut out, &mut err)
        }
        Some(Command::Export) => commands::export::export(&path, &catalog, &mut out, &mut err),
        Some(Command::Schema { answers }) => schema(answers, &catalog),
        None => wizard(&path, cli.plain, cli.ascii, catalog, stores),
    };
    ExitCode::from(status)
}

/// The wizard itself, full screen or line by line.
fn wizard(
    path: &std::path::Path,
    plain_flag: bool,
    ascii_flag: bool,
    catalog: Arc<Catalog>,
    stores: Arc<KeyringStores>,
) -> u8 {
    let plain_why = plain::requested(plain_flag);
    // The full screen shows its first frame before reading a large file. Where it
    // cannot start, the file is read first: a file it refuses is said (exit 3) before
    // the missing terminal is.
    let load = if plain_why.is_none() && wfm_wizard::terminal::preflight().is_ok() {
        commands::Load::LargeAfterFirstFrame
    } else {
        commands::Load::Now
    };
    match commands::open_session(path, &catalog, stores.as_ref(), load) {
        Ok(session) => {
            let theme = commands::theme_from_env(ascii_flag);
            if let Some(why) = plain_why {
                commands::run_plain(&session, catalog, stores, why, theme.ascii)
            } else {
                commands::run_wizard(&session, catalog, stores, theme)
            }
        }
        Err(status) => status,
    }
}

/// Clap's message for bad arguments, help or the version: it quotes argv and
/// environment values, so it goes out escaped too (and without colour).
fn usage_error(e: &clap::Error, out: &mut dyn Write, err: &mut dyn Write) -> ExitCode {
    let text = e.render().to_string();
    let _ = if e.use_stderr() {
        write!(err, "{text}")
    } else {
        write!(out, "{text}")
    };
    ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(commands::EXIT_USAGE))
}

fn migrate_secrets(
    path: &std::path::Path,
    to: wfm_wizard::secret::StoreKind,
    stores: &KeyringStores,
) -> u8 {
    // Held to the end: no wizard edits the file meanwhile.
    match commands::lock_for_command(path, stores) {
        Ok(_lock) => commands::migrate::migrate_secrets(
            path,
            to,
            stores,
            &mut standard_streams::stdout(),
            &mut standard_streams::stderr(),
        ),
        Err(status) => status,
    }
}

fn validate(path: &std::path::Path, json: bool, catalog: &Catalog, stores: &KeyringStores) -> u8 {
    let mut out = standard_streams::stdout();
    if json {
        commands::validate_json::validate_json(path, catalog, stores, &mut out)
    } else {
        commands::validate(path, catalog, stores, &mut out)
    }
}

fn status(path: &std::path::Path, json: bool, stores: &KeyringStores) -> u8 {
    let mut out = standard_streams::stdout();
    if json {
        secrets_report::status_json::status_json(path, stores, &mut out)
    } else {
        secrets_report::status(path, stores, &mut out)
    }
}

fn schema(answers: bool, catalog: &Catalog) -> u8 {
    let schema = if answers {
        wfm_wizard::schema::answers_schema(catalog)
    } else {
        wfm_wizard::schema::config_schema(catalog)
    };
    let _ = write!(
        standard_streams::stdout(),
        "{}",
        wfm_wizard::schema::render(&schema)
    );
    commands::EXIT_OK
}

fn apply(
    path: &std::path::Path,
    args: &wfm_wizard::cli::ApplyArgs,
    catalog: &Catalog,
    stores: &KeyringStores,
) -> u8 {
    let mut err = standard_streams::stderr();
    // Held to the end (not for --check, which writes nothing): no wizard edits meanwhile.
    let _lock = if args.check {
        if let Err(status) = commands::recover_for_reading(path, stores, &mut err) {
            return status;
        }
        None
    } else {
        match commands::lock_for_command(path, stores) {
            Ok(lock) => Some(lock),
            Err(status) => return status,
        }
    };
    let request = commands::apply::Request {
        answers: &args.answers,
        check: args.check,
        diff: args.diff,
        json: args.json,
    };
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    commands::apply::apply(
        path,
        &request,
        catalog,
        stores,
        &mut commands::apply::Streams {
            stdin: &mut input,
            stdin_is_terminal: std::io::stdin().is_terminal(),
            out: &mut standard_streams::stdout(),
            err: &mut err,
        },
    )
}

fn prune(path: &std::path::Path, yes: bool, stores: &KeyringStores) -> u8 {
    // Held to the end: no wizard may write drafts meanwhile.
    let _lock = match commands::lock_for_command(path, stores) {
        Ok(lock) => lock,
        Err(status) => return status,
    };
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let confirm = confirm(yes, &mut input);
    secrets_report::prune(
        path,
        stores,
        confirm,
        &mut standard_streams::stdout(),
        &mut standard_streams::stderr(),
    )
}

fn connection_test(
    path: &std::path::Path,
    catalog: &Catalog,
    stores: &KeyringStores,
    json: bool,
    target: Option<&str>,
) -> u8 {
    use wfm_wizard::io::connection::{HttpTester, Settings};
    let mut err = standard_streams::stderr();
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(e) => {
            let _ = writeln!(err, "wfm-wizard: {e}");
            return commands::EXIT_USAGE;
        }
    };
    commands::connection_test::test(
        path,
        catalog,
        stores,
        &HttpTester::new(settings),
        &commands::connection_test::Request { target, json },
        &mut standard_streams::stdout(),
        &mut err,
    )
}

fn systemd_unit(
    path: &std::path::Path,
    unit: Option<&str>,
    write: bool,
    unit_dir: &std::path::Path,
) -> u8 {
    commands::systemd_unit::systemd_unit(
        path,
        &commands::systemd_unit::Request {
            unit,
            write,
            unit_dir,
        },
        &mut standard_streams::stdout(),
        &mut standard_streams::stderr(),
    )
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
