//! What a connection test found, stage by stage: pure data the wizard can hold and
//! draw, `wfm-wizard test` can print, and `io::connection` fills in. Every message is
//! built from typed fields (codes, hosts, ids, numbers), never from a token, a secret,
//! the JWT or text a server sent, so no message can carry a credential.

mod cause;
mod network;

pub use cause::{Cause, IssuerProblem};
pub use network::{NetworkProblem, TimeoutPhase, TlsProblem};

use serde::Serialize;

/// The three stages of the exchange, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// RingCentral `POST /restapi/oauth/token` with the client ID, secret and JWT.
    #[serde(rename = "ringcentral-token")]
    RingCentralToken,
    /// RingCX `POST /api/auth/login/rc/accesstoken`: the RingCentral user's RingCX login.
    #[serde(rename = "ringcx-login")]
    RingCxLogin,
    /// The RingCX sub-account list: is the Sub account ID there and active?
    SubAccount,
}

impl Stage {
    pub const ALL: [Stage; 3] = [
        Stage::RingCentralToken,
        Stage::RingCxLogin,
        Stage::SubAccount,
    ];

    /// The stage as a person reads it in a list of checks.
    pub fn title(self) -> &'static str {
        match self {
            Stage::RingCentralToken => "RingCentral accepts the client ID, secret and JWT",
            Stage::RingCxLogin => "The RingCentral user can sign in to RingCX",
            Stage::SubAccount => "The Sub account ID is there and active",
        }
    }
}

/// How one stage ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    /// Passed. `reused`: a token from an earlier test in this process was still good,
    /// so nothing was sent for this stage (the auth limit is 5 requests a minute).
    Passed { reused: bool },
    Failed {
        #[serde(flatten)]
        cause: Cause,
    },
    /// Not reached: an earlier stage failed, or the test was cancelled.
    NotRun,
}

/// One stage and its outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StageReport {
    pub stage: Stage,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// Something worth telling that does not fail the test.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "warning", rename_all = "kebab-case")]
pub enum Warning {
    /// The JWT's issuer and audience name different servers.
    IssuerAudienceDisagree { issuer: String, audience: String },
    /// A server was set by an environment variable instead of the default/the JWT.
    ServerOverridden { variable: String, url: String },
    /// The WFM sub-account list answered 404, so the general account list was used.
    FellBackToAccountList { status: u16 },
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Warning::IssuerAudienceDisagree { issuer, audience } => write!(
                f,
                "the JWT's issuer ({issuer}) and audience ({audience}) name different servers; \
                 it was tested against its issuer. Check it was created in the right environment"
            ),
            Warning::ServerOverridden { variable, url } => {
                write!(f, "{variable} is set: tested against {url}")
            }
            Warning::FellBackToAccountList { status } => write!(
                f,
                "the WFM sub-account list answered {status}; checked the general account list \
                 (/voice/api/v1/admin/accounts) instead"
            ),
        }
    }
}

/// A RingCX sub-account, as offered to pick from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SubAccount {
    pub id: String,
    pub name: String,
    /// `None` when the list used does not say (the general account list).
    pub active: Option<bool>,
}

/// Where a test is while it runs, for a progress line or ticking stages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    Started(Stage),
    Passed {
        stage: Stage,
        reused: bool,
    },
    /// Waiting before the stage's request; sent again each second with the time left,
    /// so a face can show a countdown.
    Waiting {
        stage: Stage,
        seconds_remaining: u64,
        why: WaitReason,
    },
}

/// Why a test waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitReason {
    /// The server answered 429 with `Retry-After`.
    RateLimited,
    /// This process already sent 5 auth requests in the last minute (RingCentral's limit).
    AuthLimit,
}

/// The whole result of one test.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub stages: Vec<StageReport>,
    pub warnings: Vec<Warning>,
    /// The account's sub-accounts once stage 3 read them (even when it failed), for a picker.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_accounts: Option<Vec<SubAccount>>,
}

impl Verdict {
    /// Every stage not run yet.
    pub fn new() -> Verdict {
        Verdict {
            stages: Stage::ALL
                .iter()
                .map(|&stage| StageReport {
                    stage,
                    outcome: Outcome::NotRun,
                })
                .collect(),
            warnings: Vec::new(),
            sub_accounts: None,
        }
    }

    pub fn set(&mut self, stage: Stage, outcome: Outcome) {
        if let Some(report) = self.stages.iter_mut().find(|r| r.stage == stage) {
            report.outcome = outcome;
        }
    }

    pub fn outcome(&self, stage: Stage) -> &Outcome {
        self.stages
            .iter()
            .find(|r| r.stage == stage)
            .map_or(&Outcome::NotRun, |r| &r.outcome)
    }

    /// Every stage passed.
    pub fn passed(&self) -> bool {
        self.stages
            .iter()
            .all(|r| matches!(r.outcome, Outcome::Passed { .. }))
    }

    /// The first failure, if any.
    pub fn failure(&self) -> Option<(Stage, &Cause)> {
        self.stages.iter().find_map(|r| match &r.outcome {
            Outcome::Failed { cause } => Some((r.stage, cause)),
            _ => None,
        })
    }

    /// Every sentence this verdict can show, for tests that scan them for secrets.
    pub fn messages(&self) -> Vec<String> {
        let mut out: Vec<String> = self.warnings.iter().map(ToString::to_string).collect();
        for report in &self.stages {
            out.push(report.stage.title().to_owned());
            if let Outcome::Failed { cause } = &report.outcome {
                out.push(cause.to_string());
                out.push(cause.what_to_do());
            }
        }
        out
    }
}

impl Default for Verdict {
    fn default() -> Self {
        Verdict::new()
    }
}

#[cfg(test)]
pub(crate) mod tests;
