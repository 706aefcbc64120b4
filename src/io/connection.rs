//! Test connection: RingCentral JWT → RingCX login → sub-account, over HTTPS. The only
//! place that speaks HTTP (in `http`); everything else sees the [`ConnectionTester`]
//! trait and a [`Verdict`], so the wizard and commands can be tested with a fake.
//!
//! Environment: `WFM_WIZARD_RINGCENTRAL_SERVER` and `WFM_WIZARD_RINGCX_SERVER` override
//! the servers (https:// only); `WFM_WIZARD_HTTP_TIMEOUT` the overall timeout of one
//! request in seconds (default 30; connecting gets at most 10); `HTTPS_PROXY` /
//! `https_proxy` / `ALL_PROXY` and `NO_PROXY`; `SSL_CERT_FILE` / `SSL_CERT_DIR` name the
//! trust store when it is not the system's default.

mod diagnose;
pub mod endpoints;
mod exchange;
mod http;
mod session;

use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use secrecy::SecretString;

use crate::connection_verdict::{Progress, Verdict};
pub use endpoints::{BadOverride, Overrides};

/// What one test needs: the integration's settings, secrets included.
pub struct TestRequest {
    pub client_id: String,
    pub client_secret: SecretString,
    pub jwt: SecretString,
    pub sub_account_id: String,
}

/// Runs a connection test. Blocking: call it from an effect thread. `cancel` is
/// checked between requests and every quarter second while waiting; a request in
/// flight is bounded by the timeouts. `progress` hears each stage start and pass,
/// and each second of a wait.
pub trait ConnectionTester: Send + Sync {
    fn test(
        &self,
        request: &TestRequest,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(Progress),
    ) -> Verdict;
}

/// Timeouts, waits and servers, read once from the environment.
#[derive(Clone, Debug)]
pub struct Settings {
    pub overrides: Overrides,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    /// The longest `Retry-After` the test waits out; a longer one fails the stage.
    pub max_wait: Duration,
}

pub const TIMEOUT_VAR: &str = "WFM_WIZARD_HTTP_TIMEOUT";

/// A setting from the environment that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SettingsError {
    Server(BadOverride),
    Timeout,
}

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SettingsError::Server(bad) => bad.fmt(f),
            SettingsError::Timeout => write!(
                f,
                "{TIMEOUT_VAR} must be a whole number of seconds between 1 and 600"
            ),
        }
    }
}

impl std::error::Error for SettingsError {}

impl Settings {
    pub fn from_env() -> Result<Settings, SettingsError> {
        let var = |name| std::env::var(name).ok();
        let overrides = Overrides::new(
            var(endpoints::RINGCENTRAL_SERVER_VAR),
            var(endpoints::RINGCX_SERVER_VAR),
        )
        .map_err(SettingsError::Server)?;
        let timeout = match var(TIMEOUT_VAR).filter(|v| !v.is_empty()) {
            None => Duration::from_secs(30),
            Some(text) => match text.trim().parse::<u64>() {
                Ok(secs @ 1..=600) => Duration::from_secs(secs),
                _ => return Err(SettingsError::Timeout),
            },
        };
        Ok(Settings {
            overrides,
            connect_timeout: timeout.min(Duration::from_secs(10)),
            timeout,
            max_wait: Duration::from_secs(60),
        })
    }
}

/// The real tester. Keep one per process: it holds the tokens a repeated test reuses
/// and the count of auth requests that keeps within RingCentral's limit.
pub struct HttpTester {
    settings: Settings,
    http: http::Http,
    cache: Mutex<session::TokenCache>,
    token_window: Mutex<session::AuthWindow>,
    login_window: Mutex<session::AuthWindow>,
}

impl HttpTester {
    pub fn new(settings: Settings) -> HttpTester {
        let http = http::Http::new(settings.connect_timeout, settings.timeout);
        HttpTester {
            settings,
            http,
            cache: Mutex::default(),
            token_window: Mutex::default(),
            login_window: Mutex::default(),
        }
    }
}

impl ConnectionTester for HttpTester {
    fn test(
        &self,
        request: &TestRequest,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(Progress),
    ) -> Verdict {
        exchange::run(self, request, cancel, progress)
    }
}

/// A tester that answers every test with the same verdict, for tests of callers.
pub struct FixedTester(pub Verdict);

impl ConnectionTester for FixedTester {
    fn test(
        &self,
        _request: &TestRequest,
        _cancel: &AtomicBool,
        _progress: &mut dyn FnMut(Progress),
    ) -> Verdict {
        self.0.clone()
    }
}
