//! Reading a JWT's header and payload (no signature check) to catch paste mistakes early.

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::format_date;

/// A credential created as "never expires" has `exp = iat + 2^31 - 1`.
const NEVER_EXPIRES_SPAN: i64 = 2_147_483_647;

const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JwtInfo {
    pub issuer: Option<String>,
    pub expires: Expiry,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    Never,
    At(i64),
    Unstated,
}

impl JwtInfo {
    /// One line for under the field: issuer and expiry.
    pub fn summary(&self) -> String {
        let issuer = self.issuer.as_deref().unwrap_or("unknown issuer");
        match self.expires {
            Expiry::Never => format!("Issuer {issuer}; never expires"),
            Expiry::At(exp) => format!("Issuer {issuer}; expires {}", format_date(exp)),
            Expiry::Unstated => format!("Issuer {issuer}; no expiry date"),
        }
    }
}

/// Checks that `token` is three base64url parts whose header and payload are JSON
/// objects, and that it has not expired at `now`.
pub fn inspect_jwt(token: &str, now: i64) -> Result<JwtInfo, String> {
    if token.chars().any(char::is_whitespace) {
        return Err("The JWT contains spaces or line breaks; paste it again as one line.".into());
    }
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty()) {
        return Err(format!(
            "A JWT has three parts separated by dots (header.payload.signature); this value has {}. \
             Copy the whole JWT credential from the RingCentral Developer Console.",
            parts.iter().filter(|p| !p.is_empty()).count()
        ));
    }
    let header = decode_json(parts[0], "header")?;
    if !header.is_object() {
        return Err("The JWT header is not a JSON object; copy the whole JWT again.".into());
    }
    let payload = decode_json(parts[1], "payload")?;
    let Some(claims) = payload.as_object() else {
        return Err("The JWT payload is not a JSON object; copy the whole JWT again.".into());
    };
    let issuer = claims
        .get("iss")
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    let iat = claims.get("iat").and_then(serde_json::Value::as_i64);
    let expires = match claims.get("exp").and_then(serde_json::Value::as_i64) {
        None => Expiry::Unstated,
        Some(exp) if iat.is_some_and(|iat| exp - iat == NEVER_EXPIRES_SPAN) => Expiry::Never,
        Some(exp) if exp <= now => {
            return Err(format!(
                "This JWT expired on {}. Create a new JWT credential in the RingCentral \
                 Developer Console and paste it here.",
                format_date(exp)
            ));
        }
        Some(exp) => Expiry::At(exp),
    };
    Ok(JwtInfo { issuer, expires })
}

fn decode_json(part: &str, name: &str) -> Result<serde_json::Value, String> {
    let bytes = BASE64URL
        .decode(part)
        .map_err(|_| format!("The JWT {name} is not valid base64url; copy the whole JWT again."))?;
    serde_json::from_slice(&bytes)
        .map_err(|_| format!("The JWT {name} does not decode to JSON; copy the whole JWT again."))
}

/// The payload's claims, when the token is three parts whose payload is a JSON object.
pub fn claims(token: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    match decode_json(payload, "payload").ok()? {
        serde_json::Value::Object(claims) => Some(claims),
        _ => None,
    }
}
