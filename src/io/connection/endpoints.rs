//! Which servers a test talks to: RingCentral from the JWT's issuer, RingCX by default
//! `https://ringcx.ringcentral.com`; each can be overridden by an environment variable.

use crate::connection_verdict::{Cause, IssuerProblem, Warning};

pub const RINGCENTRAL_SERVER_VAR: &str = "WFM_WIZARD_RINGCENTRAL_SERVER";
pub const RINGCX_SERVER_VAR: &str = "WFM_WIZARD_RINGCX_SERVER";
pub const DEFAULT_RINGCX: &str = "https://ringcx.ringcentral.com";

/// Servers set by the environment, already checked to be `https://` URLs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    pub ringcentral: Option<String>,
    pub ringcx: Option<String>,
}

/// An override that is not an HTTPS URL, to refuse before anything is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadOverride {
    pub variable: &'static str,
}

impl std::fmt::Display for BadOverride {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} must be an https:// URL such as https://platform.ringcentral.com; unset it to \
             use the default",
            self.variable
        )
    }
}

impl std::error::Error for BadOverride {}

impl Overrides {
    /// Checks the values of the two variables (`None`: unset or empty).
    pub fn new(ringcentral: Option<String>, ringcx: Option<String>) -> Result<Self, BadOverride> {
        let check = |value: Option<String>, variable| match value.filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(url) => base_url(&url).map(Some).ok_or(BadOverride { variable }),
        };
        Ok(Overrides {
            ringcentral: check(ringcentral, RINGCENTRAL_SERVER_VAR)?,
            ringcx: check(ringcx, RINGCX_SERVER_VAR)?,
        })
    }
}

/// The base URLs of one test and what is worth saying about them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoints {
    pub ringcentral: String,
    pub ringcx: String,
    pub warnings: Vec<Warning>,
}

/// Picks the servers for `jwt`. Refuses a JWT whose issuer is not a RingCentral
/// server (unless overridden): the client secret would be sent to that host.
pub fn resolve(jwt: &str, overrides: &Overrides) -> Result<Endpoints, Cause> {
    let unusable = |why| Cause::IssuerUnusable { why };
    let claims = crate::validate::jwt_claims(jwt).ok_or(unusable(IssuerProblem::Unreadable))?;
    let issuer = claims.get("iss").and_then(serde_json::Value::as_str);
    let audience = match claims.get("aud") {
        Some(serde_json::Value::String(one)) => Some(one.as_str()),
        Some(serde_json::Value::Array(many)) => many.first().and_then(serde_json::Value::as_str),
        _ => None,
    };
    let mut warnings = Vec::new();
    if let (Some(iss), Some(aud)) = (issuer, audience)
        && let (Some(iss_host), Some(aud_host)) = (host_of(iss), host_of(aud))
        && !iss_host.eq_ignore_ascii_case(aud_host)
    {
        warnings.push(Warning::IssuerAudienceDisagree {
            issuer: iss_host.to_owned(),
            audience: aud_host.to_owned(),
        });
    }
    let ringcentral = if let Some(url) = &overrides.ringcentral {
        warnings.push(Warning::ServerOverridden {
            variable: RINGCENTRAL_SERVER_VAR.to_owned(),
            url: url.clone(),
        });
        url.clone()
    } else {
        let issuer = issuer.ok_or(unusable(IssuerProblem::Missing))?;
        let url = base_url(issuer).ok_or(unusable(IssuerProblem::NotHttps))?;
        let host = host_of(&url).unwrap_or_default();
        if !is_ringcentral_host(host) {
            return Err(unusable(IssuerProblem::NotRingCentral {
                host: host.to_owned(),
            }));
        }
        url
    };
    let ringcx = if let Some(url) = &overrides.ringcx {
        warnings.push(Warning::ServerOverridden {
            variable: RINGCX_SERVER_VAR.to_owned(),
            url: url.clone(),
        });
        url.clone()
    } else {
        DEFAULT_RINGCX.to_owned()
    };
    Ok(Endpoints {
        ringcentral,
        ringcx,
        warnings,
    })
}

/// `https://host[:port]` of an `https://` URL, or `None`.
fn base_url(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let valid = !authority.is_empty()
        && !authority.contains('@')
        && authority
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c));
    valid.then(|| format!("https://{authority}"))
}

/// The host of a URL (`https://host:port/path` → `host`).
pub fn host_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let host = if authority.starts_with('[') {
        authority.split_once(']').map(|(h, _)| &h[1..])?
    } else {
        authority.split(':').next()?
    };
    (!host.is_empty()).then_some(host)
}

fn is_ringcentral_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    ["ringcentral.com", "ringcentral.biz"]
        .iter()
        .any(|domain| host == *domain || host.ends_with(&format!(".{domain}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::jwt;

    #[test]
    fn the_server_comes_from_the_issuer_and_a_disagreeing_audience_is_a_warning() {
        let sandbox = jwt(
            r#"{"iss":"https://platform.devtest.ringcentral.com","aud":"https://platform.devtest.ringcentral.com/restapi/oauth/token"}"#,
        );
        let found = resolve(&sandbox, &Overrides::default()).unwrap();
        assert_eq!(
            found.ringcentral,
            "https://platform.devtest.ringcentral.com"
        );
        assert_eq!(found.ringcx, DEFAULT_RINGCX);
        assert!(found.warnings.is_empty());
        let mixed = jwt(
            r#"{"iss":"https://platform.ringcentral.com","aud":"https://platform.devtest.ringcentral.com/restapi/oauth/token"}"#,
        );
        let found = resolve(&mixed, &Overrides::default()).unwrap();
        assert_eq!(found.ringcentral, "https://platform.ringcentral.com");
        assert_eq!(
            found.warnings,
            vec![Warning::IssuerAudienceDisagree {
                issuer: "platform.ringcentral.com".into(),
                audience: "platform.devtest.ringcentral.com".into()
            }]
        );
    }

    #[test]
    fn a_foreign_or_plain_http_issuer_is_refused_unless_overridden() {
        let foreign = jwt(r#"{"iss":"https://ringcentral.com.evil.example"}"#);
        assert!(matches!(
            resolve(&foreign, &Overrides::default()),
            Err(Cause::IssuerUnusable {
                why: IssuerProblem::NotRingCentral { .. }
            })
        ));
        let http = jwt(r#"{"iss":"http://platform.ringcentral.com"}"#);
        assert_eq!(
            resolve(&http, &Overrides::default()),
            Err(Cause::IssuerUnusable {
                why: IssuerProblem::NotHttps
            })
        );
        let overrides = Overrides::new(
            Some("https://127.0.0.1:8443/ignored/path".into()),
            Some("https://[::1]:9443".into()),
        )
        .unwrap();
        let found = resolve(&foreign, &overrides).unwrap();
        assert_eq!(found.ringcentral, "https://127.0.0.1:8443");
        assert_eq!(found.ringcx, "https://[::1]:9443");
        assert_eq!(found.warnings.len(), 2);
        assert_eq!(
            resolve("not-a-jwt", &overrides),
            Err(Cause::IssuerUnusable {
                why: IssuerProblem::Unreadable
            })
        );
    }

    #[test]
    fn overrides_must_be_https_without_credentials() {
        for bad in ["http://x", "x", "https://user:pw@host", "https://"] {
            assert!(
                Overrides::new(Some(bad.into()), None).is_err(),
                "{bad} was accepted"
            );
        }
        assert_eq!(
            Overrides::new(Some(String::new()), None),
            Ok(Overrides::default())
        );
    }
}
