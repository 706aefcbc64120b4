//! What a process remembers between tests: tokens (so a repeated test does not
//! re-authenticate) and when it last asked for one (RingCentral allows 5 auth requests
//! a minute). Tokens are kept only in memory, zeroized when dropped.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// Auth requests allowed per window, and the window (RingCentral's "Auth" group; the
/// RingCX exchange has the same limit).
pub const AUTH_LIMIT: usize = 5;
pub const AUTH_WINDOW: Duration = Duration::from_secs(60);
/// A RingCX token lives 5 minutes; it is reused for at most this long.
pub const RINGCX_TOKEN_REUSE: Duration = Duration::from_secs(4 * 60);
/// A RingCentral token is dropped this long before it expires.
const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

/// Who is testing: a hash of the server and the credentials, so the cache holds no
/// credential and another client ID, secret or JWT never reuses a token.
pub type CredentialKey = [u8; 32];

pub fn credential_key(
    server: &str,
    client_id: &str,
    secret: &SecretString,
    jwt: &SecretString,
) -> CredentialKey {
    let mut hash = Sha256::new();
    for part in [
        "wfm-wizard token cache v1",
        server,
        client_id,
        secret.expose_secret(),
        jwt.expose_secret(),
    ] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part.as_bytes());
    }
    hash.finalize().into()
}

pub struct Timed<T> {
    pub value: T,
    pub until: Instant,
}

pub struct RingCxSession {
    pub token: SecretString,
    pub main_account_id: String,
}

#[derive(Default)]
pub struct Tokens {
    pub ringcentral: Option<Timed<SecretString>>,
    pub ringcx: Option<Timed<RingCxSession>>,
}

/// Tokens per credential key.
#[derive(Default)]
pub struct TokenCache {
    entries: HashMap<CredentialKey, Tokens>,
}

impl TokenCache {
    pub fn ringcentral(&self, key: &CredentialKey, now: Instant) -> Option<SecretString> {
        let timed = self.entries.get(key)?.ringcentral.as_ref()?;
        (now < timed.until).then(|| timed.value.clone())
    }

    pub fn ringcx(&self, key: &CredentialKey, now: Instant) -> Option<(SecretString, String)> {
        let timed = self.entries.get(key)?.ringcx.as_ref()?;
        (now < timed.until).then(|| {
            (
                timed.value.token.clone(),
                timed.value.main_account_id.clone(),
            )
        })
    }

    pub fn keep_ringcentral(
        &mut self,
        key: CredentialKey,
        token: SecretString,
        expires_in: u64,
        now: Instant,
    ) {
        let life = Duration::from_secs(expires_in).saturating_sub(EXPIRY_MARGIN);
        self.entries.entry(key).or_default().ringcentral = Some(Timed {
            value: token,
            until: now + life,
        });
    }

    pub fn keep_ringcx(&mut self, key: CredentialKey, session: RingCxSession, now: Instant) {
        self.entries.entry(key).or_default().ringcx = Some(Timed {
            value: session,
            until: now + RINGCX_TOKEN_REUSE,
        });
    }

    /// Forgets a key's tokens (a server said one is no longer valid).
    pub fn forget(&mut self, key: &CredentialKey) {
        self.entries.remove(key);
    }
}

/// The times of the last auth requests to one endpoint.
#[derive(Default)]
pub struct AuthWindow {
    sent: VecDeque<Instant>,
}

impl AuthWindow {
    /// How long to wait before another request may go out at `now`.
    pub fn wait_before_next(&self, now: Instant) -> Duration {
        if self.sent.len() < AUTH_LIMIT {
            return Duration::ZERO;
        }
        let oldest = self.sent[self.sent.len() - AUTH_LIMIT];
        (oldest + AUTH_WINDOW).saturating_duration_since(now)
    }

    pub fn record(&mut self, now: Instant) {
        self.sent.push_back(now);
        while self.sent.len() > AUTH_LIMIT {
            self.sent.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_auth_request_in_a_minute_waits_for_the_first_to_leave_the_window() {
        let start = Instant::now();
        let mut window = AuthWindow::default();
        for i in 0..5 {
            let at = start + Duration::from_secs(i * 10);
            assert_eq!(window.wait_before_next(at), Duration::ZERO);
            window.record(at);
        }
        let sixth = start + Duration::from_secs(45);
        assert_eq!(window.wait_before_next(sixth), Duration::from_secs(15));
        assert_eq!(
            window.wait_before_next(start + Duration::from_secs(61)),
            Duration::ZERO
        );
    }

    #[test]
    fn tokens_are_reused_until_they_expire_and_only_for_the_same_credentials() {
        let now = Instant::now();
        let secret = SecretString::from("s");
        let jwt = SecretString::from("j");
        let key = credential_key("https://a", "id", &secret, &jwt);
        let other = credential_key("https://a", "id", &SecretString::from("t"), &jwt);
        let mut cache = TokenCache::default();
        cache.keep_ringcentral(key, SecretString::from("tok"), 3600, now);
        cache.keep_ringcx(
            key,
            RingCxSession {
                token: SecretString::from("rcx"),
                main_account_id: "1".into(),
            },
            now,
        );
        assert!(
            cache
                .ringcentral(&key, now + Duration::from_secs(3000))
                .is_some()
        );
        assert!(
            cache
                .ringcentral(&key, now + Duration::from_secs(3541))
                .is_none()
        );
        assert!(cache.ringcx(&key, now + Duration::from_secs(239)).is_some());
        assert!(cache.ringcx(&key, now + Duration::from_secs(241)).is_none());
        assert!(cache.ringcentral(&other, now).is_none());
        cache.forget(&key);
        assert!(cache.ringcentral(&key, now).is_none());
    }
}
