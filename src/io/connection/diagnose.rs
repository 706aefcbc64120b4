//! Reading the servers' answers: tokens and ids out of a success, a typed cause out of
//! an error. Pure; keyed on status codes and RingCentral's `error`/`errorCode` fields,
//! never on message text.

use secrecy::SecretString;
use serde_json::Value;

use crate::connection_verdict::{Cause, SubAccount};

/// Stage 1's success: the RingCentral access token and how long it lives.
pub struct RingCentralToken {
    pub access_token: SecretString,
    pub expires_in: u64,
}

/// Stage 2's success: the RingCX token (5 minutes) and the main account.
pub struct RingCxLogin {
    pub access_token: SecretString,
    pub main_account_id: String,
}

pub fn token_success(body: &str) -> Option<RingCentralToken> {
    let json: Value = serde_json::from_str(body).ok()?;
    let token = json.get("access_token")?.as_str()?;
    Some(RingCentralToken {
        access_token: SecretString::from(token.to_owned()),
        expires_in: json
            .get("expires_in")
            .and_then(Value::as_u64)
            .unwrap_or(3600),
    })
}

/// Why `POST /restapi/oauth/token` failed with `status`.
pub fn token_failure(status: u16, body: &str) -> Cause {
    let json: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let error = json.get("error").and_then(Value::as_str).unwrap_or("");
    let codes: Vec<String> = json
        .get("errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| e.get("errorCode").and_then(Value::as_str))
        .chain(json.get("errorCode").and_then(Value::as_str))
        .filter_map(code)
        .collect();
    let has = |wanted: &[&str]| codes.iter().find(|c| wanted.contains(&c.as_str())).cloned();
    let first = codes.first().cloned();
    if has(&["OAU-251"]).is_some() {
        Cause::JwtFlowNotEnabled
    } else if has(&["OAU-345"]).is_some() {
        Cause::JwtBadSignature
    } else if has(&["OAU-347"]).is_some() {
        Cause::JwtUnsupportedAlgorithm
    } else if has(&["OAU-165"]).is_some() {
        Cause::SandboxAppOnProduction
    } else if let Some(code) = has(&["OAU-141", "OAU-142", "OAU-236"]) {
        Cause::UserDisabled { code }
    } else if let Some(code) = has(&["OAU-146", "OAU-120", "OAU-123"]) {
        Cause::InvalidClient { code: Some(code) }
    } else if error == "invalid_client" {
        Cause::InvalidClient { code: first }
    } else if error == "unauthorized_client" {
        Cause::JwtFlowNotEnabled
    } else if error == "invalid_grant" {
        Cause::JwtRejected { code: first }
    } else {
        Cause::Unexpected {
            status,
            code: first,
        }
    }
}

/// A code as RingCentral writes them (`OAU-146`, `CMN-301`): anything else is dropped,
/// so no server text reaches a message.
fn code(text: &str) -> Option<String> {
    let plausible = (3..=16).contains(&text.len())
        && text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
    plausible.then(|| text.to_owned())
}

pub fn login_success(body: &str) -> Option<RingCxLogin> {
    let json: Value = serde_json::from_str(body).ok()?;
    let token = json.get("accessToken")?.as_str()?;
    let main_account_id = match json.get("mainAccountId")? {
        Value::String(id) => id.clone(),
        Value::Number(id) => id.to_string(),
        _ => return None,
    };
    digits(&main_account_id).then_some(RingCxLogin {
        access_token: SecretString::from(token.to_owned()),
        main_account_id,
    })
}

/// Why the RingCX login failed with `status` (its bodies are undocumented).
pub fn login_failure(status: u16) -> Cause {
    match status {
        401 => Cause::NotLinkedToRingCx,
        403 => Cause::RingCxLoginForbidden,
        _ => Cause::Unexpected { status, code: None },
    }
}

/// The WFM list: `[{"subAccountId","subAccountName","isActive"}]`.
pub fn wfm_sub_accounts(body: &str) -> Option<Vec<SubAccount>> {
    let items: Vec<Value> = serde_json::from_str(body).ok()?;
    Some(
        items
            .iter()
            .filter_map(|item| {
                Some(SubAccount {
                    id: id_field(item.get("subAccountId")?)?,
                    name: text_field(item.get("subAccountName")),
                    active: Some(item.get("isActive").and_then(Value::as_bool) == Some(true)),
                })
            })
            .collect(),
    )
}

/// The general list: `[{"accountId","accountName","mainAccountId",...}]`; an
/// `archivedAccount: true` one counts as inactive, else it is not known.
pub fn general_accounts(body: &str) -> Option<Vec<SubAccount>> {
    let items: Vec<Value> = serde_json::from_str(body).ok()?;
    Some(
        items
            .iter()
            .filter_map(|item| {
                Some(SubAccount {
                    id: id_field(item.get("accountId")?)?,
                    name: text_field(item.get("accountName")),
                    active: match item.get("archivedAccount").and_then(Value::as_bool) {
                        Some(true) => Some(false),
                        _ => None,
                    },
                })
            })
            .collect(),
    )
}

fn id_field(value: &Value) -> Option<String> {
    let id = match value {
        Value::String(id) => id.clone(),
        Value::Number(id) => id.to_string(),
        _ => return None,
    };
    digits(&id).then_some(id)
}

/// A name as sent, cut to 200 characters (it is shown in a list).
fn text_field(value: Option<&Value>) -> String {
    value
        .and_then(Value::as_str)
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect()
}

fn digits(text: &str) -> bool {
    !text.is_empty() && text.len() <= 32 && text.chars().all(|c| c.is_ascii_digit())
}

/// Stage 3's verdict from the list read: present and active, or why not.
pub fn check_sub_account(
    wanted: &str,
    main_account_id: &str,
    accounts: &[SubAccount],
) -> Result<(), Cause> {
    match accounts.iter().find(|a| a.id == wanted.trim()) {
        None => Err(Cause::SubAccountAbsent {
            sub_account_id: wanted.trim().to_owned(),
            main_account_id: main_account_id.to_owned(),
            listed: accounts.len(),
        }),
        Some(account) if account.active == Some(false) => Err(Cause::SubAccountInactive {
            sub_account_id: account.id.clone(),
        }),
        Some(_) => Ok(()),
    }
}

/// `Retry-After` in seconds; an HTTP date or nonsense counts as a minute (the window
/// of RingCentral's auth limit).
pub fn retry_after(header: Option<&str>) -> u64 {
    header
        .and_then(|h| h.trim().parse::<u64>().ok())
        .unwrap_or(60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(error: &str, code: &str) -> String {
        format!(
            r#"{{"error":"{error}","errors":[{{"errorCode":"{code}","message":"m"}}],"error_description":"d"}}"#
        )
    }

    #[test]
    fn token_errors_map_to_their_documented_causes() {
        let cases = [
            (
                401,
                envelope("invalid_client", "OAU-146"),
                Cause::InvalidClient {
                    code: Some("OAU-146".into()),
                },
            ),
            (
                401,
                envelope("invalid_client", "OAU-120"),
                Cause::InvalidClient {
                    code: Some("OAU-120".into()),
                },
            ),
            (
                400,
                envelope("invalid_client", "OAU-123"),
                Cause::InvalidClient {
                    code: Some("OAU-123".into()),
                },
            ),
            (
                400,
                envelope("unauthorized_client", "OAU-251"),
                Cause::JwtFlowNotEnabled,
            ),
            (
                400,
                envelope("invalid_request", "OAU-345"),
                Cause::JwtBadSignature,
            ),
            (
                400,
                r#"{"errors":[{"errorCode":"OAU-347"}]}"#.into(),
                Cause::JwtUnsupportedAlgorithm,
            ),
            (
                400,
                r#"{"error":"invalid_grant"}"#.into(),
                Cause::JwtRejected { code: None },
            ),
            (
                400,
                envelope("invalid_grant", "OAU-999"),
                Cause::JwtRejected {
                    code: Some("OAU-999".into()),
                },
            ),
            (
                400,
                envelope("invalid_client", "OAU-165"),
                Cause::SandboxAppOnProduction,
            ),
            (
                401,
                envelope("invalid_grant", "OAU-142"),
                Cause::UserDisabled {
                    code: "OAU-142".into(),
                },
            ),
            (
                500,
                "<html>oops</html>".into(),
                Cause::Unexpected {
                    status: 500,
                    code: None,
                },
            ),
            (
                400,
                r#"{"errors":[{"errorCode":"secret value here"}]}"#.into(),
                Cause::Unexpected {
                    status: 400,
                    code: None,
                },
            ),
        ];
        for (status, body, expected) in cases {
            assert_eq!(token_failure(status, &body), expected, "{body}");
        }
    }

    #[test]
    fn sub_accounts_are_checked_for_presence_and_activity() {
        let list = wfm_sub_accounts(
            r#"[{"subAccountId":"15910001","subAccountName":"A","isActive":true},
                {"subAccountId":"15910006","subAccountName":"B","isActive":false}]"#,
        )
        .unwrap();
        assert_eq!(check_sub_account("15910001", "1", &list), Ok(()));
        assert_eq!(
            check_sub_account("15910006", "1", &list),
            Err(Cause::SubAccountInactive {
                sub_account_id: "15910006".into()
            })
        );
        assert_eq!(
            check_sub_account("42", "1", &list),
            Err(Cause::SubAccountAbsent {
                sub_account_id: "42".into(),
                main_account_id: "1".into(),
                listed: 2
            })
        );
        let general = general_accounts(
            r#"[{"accountId":"99990001","accountName":"X","mainAccountId":"99990000"}]"#,
        )
        .unwrap();
        assert_eq!(general[0].active, None);
        assert_eq!(check_sub_account("99990001", "99990000", &general), Ok(()));
    }

    #[test]
    fn retry_after_reads_seconds_and_defaults_to_a_minute() {
        assert_eq!(retry_after(Some(" 7 ")), 7);
        assert_eq!(retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")), 60);
        assert_eq!(retry_after(None), 60);
    }
}
