//! `wfm-wizard test [--json] [platform/operation/group]`: tests the saved config's
//! integrations against the real services, with secrets read from their stores.
//! Exit 0 when every test passed, 5 when one failed, 4 when a secret store could not
//! be read, 3 when the file is invalid or a secret is missing.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use secrecy::SecretString;
use serde_json::{Value, json};

use super::{EXIT_INVALID, EXIT_OK, EXIT_STORE_UNAVAILABLE, EXIT_USAGE};
use crate::catalog::Catalog;
use crate::config::{Document, Integration, Setting, parse_document};
use crate::connection_verdict::{Outcome, Progress, Verdict, WaitReason};
use crate::io::config_file;
use crate::io::connection::{ConnectionTester, TestRequest};
use crate::io::effects::StoreProvider;
use crate::validate::{Severity, check_document};

pub const EXIT_TEST_FAILED: u8 = 5;

/// The platforms that have a connection test, and the settings it reads.
const TESTED_PLATFORM: &str = "ringcentral-v1";

/// What to test and how to print it.
pub struct Request<'a> {
    /// `platform/operation/group` (group `default` when it is left out); `None`: all.
    pub target: Option<&'a str>,
    pub json: bool,
}

/// Why one integration was not tested.
enum NotTested {
    /// Its platform has no connection test.
    NoTest,
    SecretMissing {
        field: String,
    },
    SecretUnreadable {
        field: String,
        why: String,
    },
}

pub fn test(
    path: &Path,
    catalog: &Catalog,
    stores: &dyn StoreProvider,
    tester: &dyn ConnectionTester,
    request: &Request<'_>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let document = match load(path, catalog, err) {
        Ok(document) => document,
        Err(status) => return status,
    };
    let chosen: Vec<&Integration> = document
        .integrations
        .iter()
        .filter(|i| request.target.is_none_or(|t| name(i) == t))
        .collect();
    if chosen.is_empty() {
        let _ = match request.target {
            Some(target) => writeln!(
                err,
                "error: {}: no integration {target}; name one as platform/operation/group \
                 (group `default` when it has none)",
                path.display()
            ),
            None => writeln!(err, "error: {}: no integration to test", path.display()),
        };
        return if request.target.is_some() {
            EXIT_USAGE
        } else {
            EXIT_INVALID
        };
    }
    let never = AtomicBool::new(false);
    let (mut missing, mut unreadable, mut failed) = (false, false, false);
    for integration in chosen {
        let result = test_one(integration, stores, tester, &never, err);
        match &result {
            Err(NotTested::SecretMissing { .. }) => missing = true,
            Err(NotTested::SecretUnreadable { .. }) => unreadable = true,
            Ok(verdict) if !verdict.passed() => failed = true,
            _ => {}
        }
        if request.json {
            let _ = writeln!(out, "{}", as_json(integration, &result));
        } else {
            print_text(integration, &result, out);
        }
    }
    if missing {
        EXIT_INVALID
    } else if unreadable {
        EXIT_STORE_UNAVAILABLE
    } else if failed {
        EXIT_TEST_FAILED
    } else {
        EXIT_OK
    }
}

/// The file, parsed and held to the wizard's rules; else the exit status, said on `err`.
fn load(path: &Path, catalog: &Catalog, err: &mut dyn Write) -> Result<Document, u8> {
    let text = match config_file::read(path) {
        Ok(Some(text)) => text,
        Ok(None) => {
            let _ = writeln!(
                err,
                "error: {}: no such file; run wfm-wizard to create it",
                path.display()
            );
            return Err(EXIT_INVALID);
        }
        Err(e) => {
            let _ = writeln!(err, "error: {}: {e}", path.display());
            return Err(EXIT_INVALID);
        }
    };
    let document = parse_document(&text).map_err(|e| {
        let _ = writeln!(err, "error: {}: {e}", path.display());
        EXIT_INVALID
    })?;
    let errors: Vec<_> = check_document(&document, catalog, super::now())
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .collect();
    if errors.is_empty() {
        return Ok(document);
    }
    for problem in errors {
        let _ = writeln!(
            err,
            "error: {}: {}: {}; run `wfm-wizard validate`",
            path.display(),
            problem.location,
            problem.message
        );
    }
    Err(EXIT_INVALID)
}

fn name(integration: &Integration) -> String {
    format!(
        "{}/{}/{}",
        integration.platform,
        integration.operation,
        integration.group.as_deref().unwrap_or("default")
    )
}

fn test_one(
    integration: &Integration,
    stores: &dyn StoreProvider,
    tester: &dyn ConnectionTester,
    cancel: &AtomicBool,
    err: &mut dyn Write,
) -> Result<Verdict, NotTested> {
    if integration.platform != TESTED_PLATFORM {
        return Err(NotTested::NoTest);
    }
    let text = |key: &str| match integration.settings.get(key) {
        Some(Setting::Text(value)) => value.clone(),
        _ => String::new(),
    };
    let request = TestRequest {
        client_id: text("client_id"),
        client_secret: secret(integration, "client_secret", stores)?,
        jwt: secret(integration, "jwt", stores)?,
        sub_account_id: text("sub_account_id"),
    };
    let label = name(integration);
    let mut last_wait: Option<u64> = None;
    let mut progress = |step: Progress| {
        if let Progress::Waiting {
            seconds_remaining,
            why,
            ..
        } = step
        {
            // Said once per wait (the countdown is for the wizard's screen).
            if last_wait.is_none_or(|last| seconds_remaining > last) {
                let reason = match why {
                    WaitReason::RateLimited => "the server asked to retry later (429)",
                    WaitReason::AuthLimit => "at most 5 sign-ins a minute",
                };
                let _ = writeln!(err, "{label}: waiting {seconds_remaining} s: {reason}");
            }
            last_wait = Some(seconds_remaining);
        }
    };
    Ok(tester.test(&request, cancel, &mut progress))
}

fn secret(
    integration: &Integration,
    key: &str,
    stores: &dyn StoreProvider,
) -> Result<SecretString, NotTested> {
    let field = key.to_owned();
    let Some(Setting::Secret(reference)) = integration.settings.get(key) else {
        return Err(NotTested::SecretMissing { field });
    };
    match stores
        .open(reference.store)
        .and_then(|store| store.get(&reference.user))
    {
        Ok(Some(value)) => Ok(value),
        Ok(None) => Err(NotTested::SecretMissing { field }),
        Err(e) => Err(NotTested::SecretUnreadable {
            field,
            why: e.to_string(),
        }),
    }
}

impl NotTested {
    fn message(&self) -> String {
        match self {
            NotTested::NoTest => "this platform has no connection test".to_owned(),
            NotTested::SecretMissing { field } => format!(
                "`{field}` is missing from its secret store; run wfm-wizard and enter it again"
            ),
            NotTested::SecretUnreadable { field, why } => {
                format!("cannot read `{field}` from its secret store: {why}")
            }
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            NotTested::NoTest => "no-test",
            NotTested::SecretMissing { .. } => "secret-missing",
            NotTested::SecretUnreadable { .. } => "secret-unreadable",
        }
    }
}

fn print_text(integration: &Integration, result: &Result<Verdict, NotTested>, out: &mut dyn Write) {
    let label = name(integration);
    let verdict = match result {
        Err(NotTested::NoTest) => {
            let _ = writeln!(out, "{label}: skipped: {}", NotTested::NoTest.message());
            return;
        }
        Err(why) => {
            let _ = writeln!(out, "{label}: NOT TESTED: {}", why.message());
            return;
        }
        Ok(verdict) => verdict,
    };
    let headline = if verdict.passed() { "passed" } else { "FAILED" };
    let _ = writeln!(out, "{label}: {headline}");
    for report in &verdict.stages {
        let title = report.stage.title();
        let _ = match &report.outcome {
            Outcome::Passed { reused: false } => writeln!(out, "  ok    {title}"),
            Outcome::Passed { reused: true } => {
                writeln!(out, "  ok    {title} (token from an earlier test reused)")
            }
            Outcome::Failed { cause } => writeln!(
                out,
                "  FAIL  {title}: {cause}\n        {}",
                cause.what_to_do()
            ),
            Outcome::NotRun => writeln!(out, "  -     {title} (not run)"),
        };
    }
    for warning in &verdict.warnings {
        let _ = writeln!(out, "  warning: {warning}");
    }
}

fn as_json(integration: &Integration, result: &Result<Verdict, NotTested>) -> Value {
    let mut map = serde_json::Map::new();
    map.insert("integration".into(), name(integration).into());
    map.insert("platform".into(), integration.platform.clone().into());
    map.insert("operation".into(), integration.operation.clone().into());
    map.insert("group".into(), json!(integration.group));
    map.insert("enabled".into(), integration.enabled.into());
    match result {
        Err(why) => {
            map.insert("passed".into(), Value::Bool(false));
            map.insert("error".into(), why.kind().into());
            map.insert("message".into(), why.message().into());
        }
        Ok(verdict) => {
            map.insert("passed".into(), Value::Bool(verdict.passed()));
            let stages: Vec<Value> = verdict
                .stages
                .iter()
                .map(|report| {
                    let mut stage = serde_json::to_value(report).unwrap_or(Value::Null);
                    if let (Outcome::Failed { cause }, Some(fields)) =
                        (&report.outcome, stage.as_object_mut())
                    {
                        fields.insert("message".into(), cause.to_string().into());
                        fields.insert("what_to_do".into(), cause.what_to_do().into());
                    }
                    stage
                })
                .collect();
            map.insert("stages".into(), stages.into());
            let warnings: Vec<Value> = verdict
                .warnings
                .iter()
                .map(|w| {
                    let mut value = serde_json::to_value(w).unwrap_or(Value::Null);
                    if let Some(fields) = value.as_object_mut() {
                        fields.insert("message".into(), w.to_string().into());
                    }
                    value
                })
                .collect();
            map.insert("warnings".into(), warnings.into());
            if let Some(accounts) = &verdict.sub_accounts {
                map.insert(
                    "sub_accounts".into(),
                    serde_json::to_value(accounts).unwrap_or(Value::Null),
                );
            }
        }
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests;
