//! `completions SHELL` and `man`: generated from the clap definitions, so they list
//! exactly the subcommands and options the parser takes.

use std::io::Write;

use clap::CommandFactory;

use super::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE};
use crate::cli::{Cli, CompletionShell};

/// The completion script for `shell`.
pub fn completions(shell: CompletionShell, out: &mut dyn Write) -> u8 {
    let generator = match shell {
        CompletionShell::Bash => clap_complete::Shell::Bash,
        CompletionShell::Zsh => clap_complete::Shell::Zsh,
        CompletionShell::Fish => clap_complete::Shell::Fish,
    };
    let mut script = Vec::new();
    clap_complete::generate(generator, &mut Cli::command(), "wfm-wizard", &mut script);
    if matches!(shell, CompletionShell::Bash) {
        // clap_complete 4.6 names the states of a binary with a `-` two ways in bash
        // (`wfm__wizard__subcmd__apply` is set, `wfm__subcmd__wizard__subcmd__apply` is
        // matched), so nothing would complete; one spelling for both.
        let text = String::from_utf8_lossy(&script).replace("wfm__subcmd__wizard", "wfm__wizard");
        return finish(text.as_bytes(), out);
    }
    finish(&script, out)
}

/// The man page (roff), section 1: the program's, or `wfm-wizard-SUBCOMMAND`'s, the
/// pages the main one lists under SUBCOMMANDS.
pub fn man(subcommand: Option<&str>, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let program = Cli::command();
    let command = match subcommand {
        None => program,
        Some(name) => {
            let Some(found) = program.find_subcommand(name) else {
                let names: Vec<&str> = program
                    .get_subcommands()
                    .map(clap::Command::get_name)
                    .collect();
                let _ = writeln!(
                    err,
                    "error: no subcommand `{name}`; the pages are: {}",
                    names.join(", ")
                );
                return EXIT_USAGE;
            };
            let title = format!("wfm-wizard-{}", found.get_name());
            found.clone().display_name(title.clone()).bin_name(title)
        }
    };
    let mut page = Vec::new();
    if let Err(e) = clap_mangen::Man::new(command).render(&mut page) {
        let _ = writeln!(err, "error: cannot render the man page: {e}");
        return EXIT_FAILURE;
    }
    finish(&page, out)
}

fn finish(bytes: &[u8], out: &mut dyn Write) -> u8 {
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => EXIT_OK,
        Err(_) => EXIT_FAILURE,
    }
}
