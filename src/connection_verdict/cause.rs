//! Why a stage failed, mapped from the documented codes, with what to do about it.

use serde::Serialize;

use super::NetworkProblem;

/// Why a stage failed. Codes are RingCentral's `errorCode`s (OAU-…), kept to show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "cause", rename_all = "kebab-case")]
pub enum Cause {
    /// The JWT names no usable server: no `iss`, not HTTPS, or not a RingCentral host.
    IssuerUnusable {
        why: IssuerProblem,
    },
    /// `invalid_client` (OAU-146, OAU-120, OAU-123): client ID or secret wrong.
    InvalidClient {
        code: Option<String>,
    },
    /// OAU-251: the app is not enabled for the JWT auth flow.
    JwtFlowNotEnabled,
    /// OAU-345: the JWT's signature is invalid (often a JWT from another environment).
    JwtBadSignature,
    /// OAU-347: the JWT is signed with an algorithm the JWT grant does not accept.
    JwtUnsupportedAlgorithm,
    /// `invalid_grant`: revoked, expired, or not allowed for this client ID.
    JwtRejected {
        code: Option<String>,
    },
    /// OAU-165: a sandbox app's credentials against production.
    SandboxAppOnProduction,
    /// OAU-141/142/236: the user (extension) or the account is disabled.
    UserDisabled {
        code: String,
    },
    /// Stage 2 answered 401: the RingCentral user has no RingCX login.
    #[serde(rename = "not-linked-to-ringcx")]
    NotLinkedToRingCx,
    /// Stage 2 answered 403.
    #[serde(rename = "ringcx-login-forbidden")]
    RingCxLoginForbidden,
    /// Stage 3 answered 403: the RingCX user lacks the `WFO_ACCESS` role.
    /// `sub_account_listed`: whether the general account list (tried next) shows it.
    MissingWfoAccess {
        sub_account_listed: Option<bool>,
    },
    SubAccountAbsent {
        sub_account_id: String,
        main_account_id: String,
        listed: usize,
    },
    SubAccountInactive {
        sub_account_id: String,
    },
    /// 429 with `Retry-After` longer than the test waits.
    RateLimited {
        retry_after_secs: u64,
    },
    Network {
        #[serde(flatten)]
        problem: NetworkProblem,
    },
    /// An answer this program does not understand (a 5xx, an undocumented error).
    Unexpected {
        status: u16,
        code: Option<String>,
    },
    Cancelled,
}

/// What is wrong with the JWT's issuer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IssuerProblem {
    /// The JWT cannot be read (not three base64url parts of JSON).
    Unreadable,
    Missing,
    NotHttps,
    /// Not `*.ringcentral.com` / `*.ringcentral.biz`: the client secret is not sent there.
    NotRingCentral {
        host: String,
    },
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cause::IssuerUnusable { why } => match why {
                IssuerProblem::Unreadable => f.write_str("the JWT cannot be read"),
                IssuerProblem::Missing => f.write_str("the JWT names no issuer (iss)"),
                IssuerProblem::NotHttps => f.write_str("the JWT's issuer is not an https:// URL"),
                IssuerProblem::NotRingCentral { host } => write!(
                    f,
                    "the JWT's issuer {host} is not a RingCentral server; the client secret was \
                     not sent there"
                ),
            },
            Cause::InvalidClient { code } => {
                write!(f, "RingCentral rejected the client ID or client secret")?;
                write_code(f, code.as_deref())
            }
            Cause::JwtFlowNotEnabled => {
                f.write_str("the app is not enabled for the JWT auth flow (OAU-251)")
            }
            Cause::JwtBadSignature => f.write_str(
                "RingCentral rejected the JWT's signature (OAU-345): it may come from another \
                 environment",
            ),
            Cause::JwtUnsupportedAlgorithm => f.write_str(
                "the JWT is signed with an algorithm the JWT flow does not accept (OAU-347)",
            ),
            Cause::JwtRejected { code } => {
                write!(
                    f,
                    "RingCentral rejected the JWT: revoked, expired, or not allowed for this \
                     client ID"
                )?;
                write_code(f, code.as_deref())
            }
            Cause::SandboxAppOnProduction => f.write_str(
                "the app is a sandbox app, and sandbox credentials are refused on production \
                 (OAU-165)",
            ),
            Cause::UserDisabled { code } => write!(
                f,
                "the RingCentral user or account of the JWT is disabled ({code})"
            ),
            Cause::NotLinkedToRingCx => f.write_str(
                "RingCX refused the login (401): the JWT's RingCentral user has no linked RingCX \
                 login",
            ),
            Cause::RingCxLoginForbidden => {
                f.write_str("RingCX refused the login (403): the user may not use the API")
            }
            Cause::MissingWfoAccess { sub_account_listed } => {
                f.write_str("the RingCX user lacks the WFO_ACCESS role the connector needs (403)")?;
                match sub_account_listed {
                    Some(true) => f.write_str("; the sub-account itself exists"),
                    Some(false) => {
                        f.write_str("; the sub-account is not in the account list either")
                    }
                    None => Ok(()),
                }
            }
            Cause::SubAccountAbsent {
                sub_account_id,
                main_account_id,
                listed,
            } if sub_account_id.is_empty() => write!(
                f,
                "no Sub account ID yet: RingCX account {main_account_id} has {listed} \
                 sub-account(s)"
            ),
            Cause::SubAccountAbsent {
                sub_account_id,
                main_account_id,
                listed,
            } => write!(
                f,
                "sub-account {sub_account_id} is not one of the {listed} sub-account(s) of RingCX \
                 account {main_account_id}"
            ),
            Cause::SubAccountInactive { sub_account_id } => {
                write!(f, "sub-account {sub_account_id} exists but is not active")
            }
            Cause::RateLimited { retry_after_secs } => write!(
                f,
                "rate limited (429): the server asks to wait {retry_after_secs} s"
            ),
            Cause::Network { problem } => problem.fmt(f),
            Cause::Unexpected { status, code } => {
                write!(f, "unexpected answer {status}")?;
                write_code(f, code.as_deref())
            }
            Cause::Cancelled => f.write_str("cancelled"),
        }
    }
}

fn write_code(f: &mut std::fmt::Formatter<'_>, code: Option<&str>) -> std::fmt::Result {
    match code {
        Some(code) => write!(f, " ({code})"),
        None => Ok(()),
    }
}

impl Cause {
    /// What the operator can do about it, naming the field to change where there is one.
    pub fn what_to_do(&self) -> String {
        let text = match self {
            Cause::IssuerUnusable {
                why: IssuerProblem::NotRingCentral { .. },
            } => {
                "Paste the JWT credential from the RingCentral Developer Console again; for an \
                  unusual deployment set WFM_WIZARD_RINGCENTRAL_SERVER."
            }
            Cause::IssuerUnusable { .. } => {
                "Paste the whole JWT credential from the RingCentral Developer Console again."
            }
            Cause::InvalidClient { .. } => {
                "Check the client ID and client secret: copy both from the app's Credentials \
                 in the RingCentral Developer Console."
            }
            Cause::JwtFlowNotEnabled => {
                "In the RingCentral Developer Console, open the app's Settings and enable the \
                 \"JWT auth flow\"."
            }
            Cause::JwtBadSignature | Cause::JwtUnsupportedAlgorithm | Cause::JwtRejected { .. } => {
                "Create a new JWT credential in the RingCentral Developer Console (production, for \
                 all apps or allowing this client ID) and paste it into the JWT field."
            }
            Cause::SandboxAppOnProduction => {
                "Use the production credentials of the app (client ID and secret), or a JWT from \
                 the sandbox."
            }
            Cause::UserDisabled { .. } => {
                "Ask the RingCentral account's administrator to enable the user, or create the JWT \
                 as an enabled user."
            }
            Cause::NotLinkedToRingCx => {
                "Ask the RingCX administrator to link this RingCentral user to a RingCX login, \
                 or create the JWT as a user who has one."
            }
            Cause::RingCxLoginForbidden => {
                "Ask the RingCX administrator to allow this user to use the RingCX API."
            }
            Cause::MissingWfoAccess { .. } => {
                "Ask the RingCX administrator to give this user the WFO_ACCESS role."
            }
            Cause::SubAccountAbsent { .. } => {
                "Check the Sub account ID: pick one of the account's sub-accounts."
            }
            Cause::SubAccountInactive { .. } => {
                "Pick an active sub-account, or ask the RingCX administrator to activate this one."
            }
            Cause::RateLimited { .. } => "Wait until the time is up, then test again.",
            Cause::Network { problem } => return problem.what_to_do(),
            Cause::Unexpected { .. } => {
                "The service may be having trouble; try again in a few minutes."
            }
            Cause::Cancelled => "Test again when ready.",
        };
        text.to_owned()
    }

    /// The fields most likely wrong, by their catalog keys, for a form to point at.
    /// RingCentral's `invalid_client` does not say which of the two it was.
    pub fn fields(&self) -> &'static [&'static str] {
        match self {
            Cause::InvalidClient { .. } => &["client_id", "client_secret"],
            Cause::SandboxAppOnProduction => &["client_id"],
            Cause::IssuerUnusable { .. }
            | Cause::JwtBadSignature
            | Cause::JwtUnsupportedAlgorithm
            | Cause::JwtRejected { .. }
            | Cause::UserDisabled { .. }
            | Cause::NotLinkedToRingCx => &["jwt"],
            Cause::SubAccountAbsent { .. } | Cause::SubAccountInactive { .. } => {
                &["sub_account_id"]
            }
            _ => &[],
        }
    }
}
