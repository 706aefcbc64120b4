//! A connection test as both faces show it: a headline, one line per stage, the
//! failure with what to do, and the field to point at. No key names, no secrets: every
//! sentence comes from typed verdict fields (see `connection_verdict`).

use super::{SUB_ACCOUNT_ID, TestState, Wizard};
use crate::connection_verdict::{Cause, Outcome, Stage, Verdict, WaitReason};

/// How a stage line is marked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StageMark {
    Passed,
    Failed,
    Running,
    /// Waiting before the stage's request: seconds left.
    Waiting(u64),
    NotRun,
}

/// What a face shows of the latest test of one integration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestReport {
    pub headline: String,
    /// Each stage's mark and sentence.
    pub stages: Vec<(StageMark, String)>,
    /// What failed and what to do about it.
    pub failure: Option<(String, String)>,
    /// The catalog keys of the fields the failure points at.
    pub fields: Vec<String>,
    pub warnings: Vec<String>,
    pub running: bool,
}

impl Wizard {
    /// The latest test of `draft` that still applies, in words.
    pub fn test_report(&self, draft: usize) -> Option<TestReport> {
        let run = self.current_run(draft)?;
        Some(match &run.state {
            TestState::Running {
                passed,
                current,
                waiting,
            } => {
                let stages = Stage::ALL
                    .iter()
                    .map(|&stage| {
                        if let Some((_, reused)) = passed.iter().find(|(s, _)| *s == stage) {
                            (StageMark::Passed, passed_line(stage, *reused))
                        } else if *current == Some(stage) {
                            match waiting {
                                Some((seconds, why)) => (
                                    StageMark::Waiting(*seconds),
                                    format!(
                                        "{}: waiting {seconds} s, {}",
                                        stage.title(),
                                        wait(*why)
                                    ),
                                ),
                                None => (StageMark::Running, format!("{}...", stage.title())),
                            }
                        } else {
                            (StageMark::NotRun, stage.title().to_owned())
                        }
                    })
                    .collect();
                TestReport {
                    headline: "Testing the connection (⟦Back⟧ cancels)".to_owned(),
                    stages,
                    failure: None,
                    fields: Vec::new(),
                    warnings: Vec::new(),
                    running: true,
                }
            }
            TestState::Cancelled => TestReport {
                headline: "Connection test cancelled".to_owned(),
                stages: Vec::new(),
                failure: None,
                fields: Vec::new(),
                warnings: Vec::new(),
                running: false,
            },
            TestState::NotTested(why) => TestReport {
                headline: "Connection not tested".to_owned(),
                stages: Vec::new(),
                failure: Some((why.to_string(), "Fix it, then test again.".to_owned())),
                fields: why.field().map(str::to_owned).into_iter().collect(),
                warnings: Vec::new(),
                running: false,
            },
            TestState::Done(verdict) => {
                let current = self.text_of(draft, SUB_ACCOUNT_ID);
                let verdict = if current == run.sub_account {
                    verdict.clone()
                } else {
                    recheck_sub_account(verdict, &current)
                };
                done_report(&verdict)
            }
        })
    }
}

fn wait(why: WaitReason) -> &'static str {
    match why {
        WaitReason::RateLimited => "the server asked to retry later (429)",
        WaitReason::AuthLimit => "RingCentral allows 5 sign-ins a minute",
    }
}

fn passed_line(stage: Stage, reused: bool) -> String {
    if reused {
        format!("{} (signed in earlier this session)", stage.title())
    } else {
        stage.title().to_owned()
    }
}

fn done_report(verdict: &Verdict) -> TestReport {
    let stages = verdict
        .stages
        .iter()
        .map(|report| match &report.outcome {
            Outcome::Passed { reused } => (StageMark::Passed, passed_line(report.stage, *reused)),
            Outcome::Failed { .. } => (StageMark::Failed, report.stage.title().to_owned()),
            Outcome::NotRun => (StageMark::NotRun, report.stage.title().to_owned()),
        })
        .collect();
    let failure = verdict.failure();
    let headline = if failure.is_some() {
        "Connection test failed"
    } else {
        "Connection test passed"
    }
    .to_owned();
    TestReport {
        headline,
        stages,
        failure: failure.map(|(_, cause)| (capitalise(&cause.to_string()), cause.what_to_do())),
        fields: failure
            .map(|(_, cause)| cause.fields().iter().map(|f| (*f).to_owned()).collect())
            .unwrap_or_default(),
        warnings: verdict
            .warnings
            .iter()
            .map(|w| capitalise(&w.to_string()))
            .collect(),
        running: false,
    }
}

/// The verdict for another Sub account ID than the one tested: checked against the
/// sub-account list the test read (no request). Without a list, stage 3 is unknown.
fn recheck_sub_account(verdict: &Verdict, sub_account_id: &str) -> Verdict {
    let mut verdict = verdict.clone();
    let logged_in = matches!(verdict.outcome(Stage::RingCxLogin), Outcome::Passed { .. });
    let outcome = match (&verdict.sub_accounts, logged_in) {
        (Some(accounts), true) => match accounts.iter().find(|a| a.id == sub_account_id) {
            Some(account) if account.active == Some(false) => Outcome::Failed {
                cause: Cause::SubAccountInactive {
                    sub_account_id: sub_account_id.to_owned(),
                },
            },
            Some(_) => Outcome::Passed { reused: false },
            None => Outcome::Failed {
                cause: Cause::SubAccountAbsent {
                    sub_account_id: sub_account_id.to_owned(),
                    main_account_id: main_account(&verdict),
                    listed: accounts.len(),
                },
            },
        },
        _ => Outcome::NotRun,
    };
    verdict.set(Stage::SubAccount, outcome);
    verdict
}

/// The main account named by the tested verdict, or words for it.
fn main_account(verdict: &Verdict) -> String {
    match verdict.failure() {
        Some((
            _,
            Cause::SubAccountAbsent {
                main_account_id, ..
            },
        )) => main_account_id.clone(),
        _ => "(the signed-in one)".to_owned(),
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}
