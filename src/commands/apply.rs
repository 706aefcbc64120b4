//! `wfm-wizard apply --answers FILE [--check] [--diff] [--json]`: the wizard's rules,
//! save and lock without a terminal. Idempotent: answers already in force change nothing.

mod plan;
mod rules;

pub use plan::{Action, SecretAction, field_name, form_fields};
pub use rules::{AnswerProblem, check_answers};

use std::io::{Read, Write};
use std::path::Path;

use secrecy::SecretString;

use super::{EXIT_FAILURE, EXIT_INVALID, EXIT_OK, EXIT_STORE_UNAVAILABLE, EXIT_USAGE, now};
use crate::answers::sources::StdinSecrets;
use crate::answers::{AnswerValue, Answers, SecretSource, parse_answers};
use crate::catalog::Catalog;
use crate::config::Document;
use crate::config::diff::{self, Change};
use crate::io::effects::{StoreProvider, execute_save};
use crate::io::{config_file, namespace};
use crate::secret::{SecretRef, StoreKind};
use crate::validate::{Severity, check_document};
use crate::wizard::SaveFailure;
use plan::{Context, Plan, PlanError, StoredValues};

/// What was asked on the command line.
pub struct Request<'a> {
    pub answers: &'a Path,
    pub check: bool,
    pub diff: bool,
    pub json: bool,
}

/// Where the command writes and reads.
pub struct Streams<'a> {
    pub stdin: &'a mut dyn Read,
    /// A terminal on stdin: secrets asked of `{stdin: true}` are refused rather than
    /// waited for (nobody is told to type a YAML mapping).
    pub stdin_is_terminal: bool,
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
}

struct Stores<'a>(&'a dyn StoreProvider);

impl StoredValues for Stores<'_> {
    fn read(&self, entry: &SecretRef) -> Result<Option<SecretString>, String> {
        self.0
            .open(entry.store)
            .and_then(|store| store.get(&entry.user))
            .map_err(|e| e.to_string())
    }

    fn store_for_new(&self) -> Result<StoreKind, String> {
        self.0.resolve().map(|info| info.kind)
    }
}

/// Runs `apply` on the config at `path`. The caller holds the edit lock unless `--check`.
pub fn apply(
    path: &Path,
    request: &Request<'_>,
    catalog: &Catalog,
    stores: &dyn StoreProvider,
    io: &mut Streams<'_>,
) -> u8 {
    let shown = request.answers.display().to_string();
    let answers = match read_answers(request.answers) {
        Ok(answers) => answers,
        Err(why) => {
            let _ = writeln!(io.err, "error: {shown}: {why}");
            return EXIT_INVALID;
        }
    };
    let problems = check_answers(&answers, catalog);
    if !problems.is_empty() {
        return report_problems(&shown, &problems, io.err);
    }
    let stdin = if uses_stdin(&answers) {
        if io.stdin_is_terminal {
            let _ = writeln!(
                io.err,
                "error: {shown} reads secrets from stdin ({{stdin: true}}), and stdin is a \
                 terminal: pipe them in as one YAML mapping, e.g. `wfm-wizard apply --answers \
                 {shown} < secrets.yaml`, or name them with {{env: VAR}} or {{file: PATH}}"
            );
            return EXIT_USAGE;
        }
        match StdinSecrets::read(io.stdin) {
            Ok(secrets) => secrets,
            Err(why) => {
                let _ = writeln!(io.err, "error: {why}");
                return EXIT_USAGE;
            }
        }
    } else {
        StdinSecrets::empty()
    };
    let now = now();
    let real = config_file::real_path_or_given(path);
    let text = match config_file::read(path) {
        Ok(text) => text,
        Err(why) => {
            let _ = writeln!(io.err, "error: {}: {why}", path.display());
            return EXIT_INVALID;
        }
    };
    let old = match text.as_deref().map(|t| super::check_text(t, catalog, now)) {
        None => None,
        Some(Ok(document)) => Some(document),
        Some(Err(why)) => {
            let _ = writeln!(io.err, "error: {}: {why}", path.display());
            return EXIT_INVALID;
        }
    };
    let (given, problems) = rules::read_secrets(&answers, catalog, &stdin, now);
    drop(stdin);
    if !problems.is_empty() {
        return report_problems(&shown, &problems, io.err);
    }
    let identity = namespace::identify(&real, old.as_ref());
    let ctx = Context {
        catalog,
        old: old.as_ref(),
        identity: &identity,
        expected_hash: text.as_deref().map(crate::config::text_hash),
    };
    let mut plan = match plan::plan(&ctx, &answers, &given, &Stores(stores)) {
        Ok(plan) => plan,
        Err(PlanError::Store(why)) => {
            let _ = writeln!(io.err, "error: cannot reach the secret store: {why}");
            return EXIT_STORE_UNAVAILABLE;
        }
    };
    drop(given);
    let errors: Vec<String> = check_document(&plan.save.document, catalog, now)
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| format!("{}: {}", p.location, p.message))
        .collect();
    if !errors.is_empty() {
        for error in errors {
            let _ = writeln!(
                io.err,
                "error: {shown}: the config after applying would break a rule: {error}"
            );
        }
        return EXIT_INVALID;
    }
    let changes = changes_of(old.as_ref(), &plan);
    if plan.changed
        && !request.check
        && let Some(status) = save(
            path,
            &real,
            text.as_deref(),
            &mut plan,
            &changes,
            stores,
            io,
        )
    {
        return status;
    }
    print_outcome(path, request, &plan, &changes, text.as_deref(), io.out);
    EXIT_OK
}

/// Writes the plan through the wizard's journaled save. `Some(status)` on failure.
fn save(
    path: &Path,
    real: &Path,
    old_text: Option<&str>,
    plan: &mut Plan,
    changes: &[Change],
    stores: &dyn StoreProvider,
    io: &mut Streams<'_>,
) -> Option<u8> {
    if let Some(old) = old_text {
        let rendered = match crate::config::render_document(&plan.save.document) {
            Ok(text) => text,
            Err(e) => {
                let _ = writeln!(io.err, "error: the file could not be written out: {e}");
                return Some(EXIT_FAILURE);
            }
        };
        let carried = crate::config::comments::carry_comments(old, &rendered, &plan.successor);
        for lost in &carried.lost {
            let _ = writeln!(
                io.err,
                "warning: {}: the comment on line {} belonged to what apply removes and is \
                 not kept",
                path.display(),
                lost.line
            );
        }
        plan.save.text = Some(carried.text);
    }
    plan.save.changes = changes.to_vec();
    if plan
        .save
        .writes
        .iter()
        .any(|w| !w.target.store.survives_reboot())
    {
        let _ = writeln!(
            io.err,
            "warning: secrets go to the kernel keyring, which forgets them at reboot; \
             choose a lasting store with --secret-store"
        );
    }
    let result = execute_save(&plan.save, stores, real, &|text| {
        config_file::write_atomic(real, text).map_err(|e| e.to_string())
    });
    match result {
        Ok(report) => {
            for warning in report.warnings {
                let _ = writeln!(io.err, "warning: {warning}");
            }
            None
        }
        Err(SaveFailure::FileChanged) => {
            let _ = writeln!(
                io.err,
                "error: {} changed on disk while apply ran; nothing was written. Run apply again.",
                path.display()
            );
            Some(EXIT_FAILURE)
        }
        Err(SaveFailure::Failed(why)) => {
            let _ = writeln!(io.err, "error: {}: {why}", path.display());
            Some(EXIT_FAILURE)
        }
    }
}

fn read_answers(path: &Path) -> Result<Answers, String> {
    match config_file::read(path)? {
        None => Err("no such file".into()),
        Some(text) => parse_answers(&text).map_err(|e| e.to_string()),
    }
}

fn uses_stdin(answers: &Answers) -> bool {
    answers
        .integrations
        .iter()
        .flat_map(|i| i.settings.0.iter())
        .any(|(_, v)| matches!(v, AnswerValue::Secret(SecretSource::Stdin)))
}

fn report_problems(shown: &str, problems: &[AnswerProblem], err: &mut dyn Write) -> u8 {
    for problem in problems {
        let _ = writeln!(err, "error: {shown}: {}: {}", problem.path, problem.message);
    }
    EXIT_INVALID
}

/// What the save changes, secrets said by fingerprint only.
fn changes_of(old: Option<&Document>, plan: &Plan) -> Vec<Change> {
    if !plan.changed {
        return Vec::new();
    }
    let written: Vec<SecretRef> = plan.save.writes.iter().map(|w| w.target.clone()).collect();
    let mut changes = diff::diff(old, &plan.save.document, Some(&plan.successor), &written);
    for change in &mut changes {
        if let Change::SecretNewValue {
            entry, fingerprint, ..
        } = change
            && let Some(write) = plan.save.writes.iter().find(|w| w.target == *entry)
        {
            *fingerprint = Some(crate::commands::inventory::fingerprint(
                &entry.service,
                &entry.user,
                &write.value,
            ));
        }
    }
    changes
}

fn print_outcome(
    path: &Path,
    request: &Request<'_>,
    plan: &Plan,
    changes: &[Change],
    old_text: Option<&str>,
    out: &mut dyn Write,
) {
    if request.json {
        let mut value = serde_json::json!({
            "changed": plan.changed,
            "check": request.check,
            "config": path.display().to_string(),
            "integrations": plan.integrations.iter().map(|i| serde_json::json!({
                "action": i.action.as_str(),
                "platform": i.platform,
                "operation": i.operation,
                "group": i.group,
            })).collect::<Vec<_>>(),
            "secrets": plan.secrets.iter().map(|s| serde_json::json!({
                "field": s.field,
                "action": s.action.as_str(),
                "fingerprint": s.fingerprint,
            })).collect::<Vec<_>>(),
            "changes": changes.iter().map(ToString::to_string).collect::<Vec<_>>(),
        });
        if request.diff {
            let after = crate::config::render_document(&plan.save.document).unwrap_or_default();
            value["diff"] = serde_json::json!({
                "before": old_text.unwrap_or_default(),
                "after": if plan.changed { after } else { old_text.unwrap_or_default().to_owned() },
            });
        }
        let _ = writeln!(out, "{value}");
        return;
    }
    let verb = if request.check {
        "would change"
    } else {
        "changed"
    };
    if !plan.changed {
        let _ = writeln!(out, "ok: {}: no change", path.display());
        return;
    }
    let _ = writeln!(
        out,
        "{}: {verb} {} thing(s):",
        path.display(),
        changes.len().max(1)
    );
    if request.diff || request.check {
        for change in changes {
            let _ = writeln!(out, "  {change}");
        }
    }
    let written = plan
        .secrets
        .iter()
        .filter(|s| s.action == SecretAction::Written)
        .count();
    let _ = writeln!(
        out,
        "{} integration(s), {written} secret(s) {}.",
        plan.save.document.integrations.len(),
        if request.check { "to store" } else { "stored" }
    );
}
