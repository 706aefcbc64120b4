//! The staged exchange of one test, with token reuse, the auth limit and 429 waits.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use super::diagnose::{self, RingCentralToken, RingCxLogin};
use super::endpoints::{self, Endpoints};
use super::http::Reply;
use super::session::{AuthWindow, CredentialKey, RingCxSession, credential_key};
use super::{HttpTester, TestRequest};
use crate::connection_verdict::{
    Cause, Outcome, Progress, Stage, SubAccount, Verdict, WaitReason, Warning,
};

const JWT_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// At most this many 429 answers are waited out in one request.
const MAX_ATTEMPTS: usize = 3;

pub fn run(
    tester: &HttpTester,
    request: &TestRequest,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(Progress),
) -> Verdict {
    let mut verdict = Verdict::new();
    let jwt = request.jwt.expose_secret().trim();
    let endpoints = match endpoints::resolve(jwt, &tester.settings.overrides) {
        Ok(endpoints) => endpoints,
        Err(cause) => {
            verdict.set(Stage::RingCentralToken, Outcome::Failed { cause });
            return verdict;
        }
    };
    verdict.warnings.clone_from(&endpoints.warnings);
    let key = credential_key(
        &endpoints.ringcentral,
        request.client_id.trim(),
        &request.client_secret,
        &request.jwt,
    );
    let mut run = Run {
        tester,
        request,
        cancel,
        progress,
        endpoints,
        key,
        verdict,
    };
    run.stages(true);
    run.verdict
}

struct Run<'a> {
    tester: &'a HttpTester,
    request: &'a TestRequest,
    cancel: &'a AtomicBool,
    progress: &'a mut dyn FnMut(Progress),
    endpoints: Endpoints,
    key: CredentialKey,
    verdict: Verdict,
}

/// A stage's own failure, or a reused token the server no longer takes.
enum Failure {
    Cause(Cause),
    StaleToken,
}

impl From<Cause> for Failure {
    fn from(cause: Cause) -> Self {
        Failure::Cause(cause)
    }
}

impl Run<'_> {
    /// All stages; `may_retry`: once, a reused token that turns out stale is forgotten
    /// and the test starts over with fresh ones.
    fn stages(&mut self, may_retry: bool) {
        let (login, reused) = match self.login_stages() {
            Ok(found) => found,
            Err(Failure::StaleToken) if may_retry => return self.start_over(),
            Err(Failure::StaleToken) => {
                return self.fail(Stage::RingCxLogin, Cause::NotLinkedToRingCx);
            }
            Err(Failure::Cause(_)) => return,
        };
        (self.progress)(Progress::Started(Stage::SubAccount));
        match self.sub_account(&login) {
            Ok(()) => self.pass(Stage::SubAccount, false),
            Err(Failure::StaleToken) if reused && may_retry => self.start_over(),
            Err(Failure::StaleToken) => self.fail(
                Stage::SubAccount,
                Cause::Unexpected {
                    status: 401,
                    code: None,
                },
            ),
            Err(Failure::Cause(cause)) => self.fail(Stage::SubAccount, cause),
        }
    }

    fn start_over(&mut self) {
        self.tester
            .cache
            .lock()
            .map(|mut c| c.forget(&self.key))
            .ok();
        for stage in Stage::ALL {
            self.verdict.set(stage, Outcome::NotRun);
        }
        self.stages(false);
    }

    /// Stages 1 and 2, or their tokens from an earlier test. `Err(Cause)` is already
    /// recorded in the verdict.
    fn login_stages(&mut self) -> Result<(RingCxLogin, bool), Failure> {
        let now = Instant::now();
        let cached = self.tester.cache.lock().ok().map(|cache| {
            (
                cache.ringcx(&self.key, now),
                cache.ringcentral(&self.key, now),
            )
        });
        let (cached_login, cached_token) = cached.unwrap_or((None, None));
        if let Some((access_token, main_account_id)) = cached_login {
            self.pass(Stage::RingCentralToken, true);
            self.pass(Stage::RingCxLogin, true);
            let login = RingCxLogin {
                access_token,
                main_account_id,
            };
            return Ok((login, true));
        }
        let (token, token_reused) = if let Some(token) = cached_token {
            self.pass(Stage::RingCentralToken, true);
            (token, true)
        } else {
            (self.progress)(Progress::Started(Stage::RingCentralToken));
            match self.token() {
                Ok(found) => {
                    self.pass(Stage::RingCentralToken, false);
                    if let Ok(mut cache) = self.tester.cache.lock() {
                        cache.keep_ringcentral(
                            self.key,
                            found.access_token.clone(),
                            found.expires_in,
                            Instant::now(),
                        );
                    }
                    (found.access_token, false)
                }
                Err(cause) => {
                    self.fail(Stage::RingCentralToken, cause.clone());
                    return Err(Failure::Cause(cause));
                }
            }
        };
        (self.progress)(Progress::Started(Stage::RingCxLogin));
        match self.login(&token) {
            Ok(login) => {
                self.pass(Stage::RingCxLogin, false);
                if let Ok(mut cache) = self.tester.cache.lock() {
                    let session = RingCxSession {
                        token: login.access_token.clone(),
                        main_account_id: login.main_account_id.clone(),
                    };
                    cache.keep_ringcx(self.key, session, Instant::now());
                }
                Ok((login, false))
            }
            // A kept RingCentral token the server no longer takes: fetch a new one.
            Err(Cause::NotLinkedToRingCx) if token_reused => Err(Failure::StaleToken),
            Err(cause) => {
                self.fail(Stage::RingCxLogin, cause.clone());
                Err(Failure::Cause(cause))
            }
        }
    }

    /// Stage 1: `POST /restapi/oauth/token`, Basic `client_id:client_secret`, JWT grant.
    fn token(&mut self) -> Result<RingCentralToken, Cause> {
        let url = format!("{}/restapi/oauth/token", self.endpoints.ringcentral);
        let pair = Zeroizing::new(format!(
            "{}:{}",
            self.request.client_id.trim(),
            self.request.client_secret.expose_secret()
        ));
        let basic = Zeroizing::new(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair.as_bytes())
        ));
        let jwt = self.request.jwt.expose_secret().trim();
        let http = &self.tester.http;
        let reply = self.send(
            Stage::RingCentralToken,
            Some(&self.tester.token_window),
            &|| {
                http.post_form(
                    &url,
                    Some(&basic),
                    &[("grant_type", JWT_GRANT), ("assertion", jwt)],
                )
            },
        )?;
        if reply.status == 200 {
            diagnose::token_success(&reply.body).ok_or(Cause::Unexpected {
                status: 200,
                code: None,
            })
        } else {
            Err(diagnose::token_failure(reply.status, &reply.body))
        }
    }

    /// Stage 2: RingCX login with the RingCentral token.
    fn login(&mut self, token: &SecretString) -> Result<RingCxLogin, Cause> {
        let url = format!(
            "{}/api/auth/login/rc/accesstoken?includeRefresh=true",
            self.endpoints.ringcx
        );
        let http = &self.tester.http;
        let token = token.expose_secret();
        let reply = self.send(Stage::RingCxLogin, Some(&self.tester.login_window), &|| {
            http.post_form(
                &url,
                None,
                &[("rcAccessToken", token), ("rcTokenType", "Bearer")],
            )
        })?;
        if reply.status == 200 {
            diagnose::login_success(&reply.body).ok_or(Cause::Unexpected {
                status: 200,
                code: None,
            })
        } else {
            Err(diagnose::login_failure(reply.status))
        }
    }

    /// Stage 3: the WFM sub-account list, or the general account list after a 403/404.
    fn sub_account(&mut self, login: &RingCxLogin) -> Result<(), Failure> {
        let main = &login.main_account_id;
        let url = format!(
            "{}/voice/api/integration/v1/admin/accounts/{main}/subaccounts",
            self.endpoints.ringcx
        );
        let reply = self.get(&url, &login.access_token)?;
        let wanted = self.request.sub_account_id.trim();
        match reply.status {
            200 => {
                let accounts =
                    diagnose::wfm_sub_accounts(&reply.body).ok_or(Cause::Unexpected {
                        status: 200,
                        code: None,
                    })?;
                self.verdict.sub_accounts = Some(accounts.clone());
                Ok(diagnose::check_sub_account(wanted, main, &accounts)?)
            }
            401 => Err(Failure::StaleToken),
            status @ (403 | 404) => {
                self.verdict
                    .warnings
                    .push(Warning::FellBackToAccountList { status });
                let accounts = self.general_accounts(&login.access_token)?;
                self.verdict.sub_accounts = Some(accounts.clone());
                if status == 403 {
                    return Err(Failure::Cause(Cause::MissingWfoAccess {
                        sub_account_listed: Some(accounts.iter().any(|a| a.id == wanted)),
                    }));
                }
                Ok(diagnose::check_sub_account(wanted, main, &accounts)?)
            }
            status => Err(Failure::Cause(Cause::Unexpected { status, code: None })),
        }
    }

    fn general_accounts(&mut self, token: &SecretString) -> Result<Vec<SubAccount>, Failure> {
        let url = format!("{}/voice/api/v1/admin/accounts", self.endpoints.ringcx);
        let reply = self.get(&url, token)?;
        match reply.status {
            200 => Ok(
                diagnose::general_accounts(&reply.body).ok_or(Cause::Unexpected {
                    status: 200,
                    code: None,
                })?,
            ),
            401 => Err(Failure::StaleToken),
            status => Err(Failure::Cause(Cause::Unexpected { status, code: None })),
        }
    }

    fn get(&mut self, url: &str, token: &SecretString) -> Result<Reply, Cause> {
        let http = &self.tester.http;
        let token = token.expose_secret();
        self.send(Stage::SubAccount, None, &|| http.get(url, token))
    }

    /// One request: first within the auth limit (`window`), then again after each 429
    /// whose `Retry-After` is within the longest wait.
    fn send(
        &mut self,
        stage: Stage,
        window: Option<&Mutex<AuthWindow>>,
        call: &dyn Fn() -> Result<Reply, crate::connection_verdict::NetworkProblem>,
    ) -> Result<Reply, Cause> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            if let Some(window) = window {
                self.within_auth_limit(stage, window)?;
            }
            if self.cancel.load(Ordering::Relaxed) {
                return Err(Cause::Cancelled);
            }
            let reply = call().map_err(|problem| Cause::Network { problem })?;
            if reply.status != 429 {
                return Ok(reply);
            }
            let secs = diagnose::retry_after(reply.retry_after.as_deref());
            let wait = Duration::from_secs(secs);
            if wait > self.tester.settings.max_wait || attempt >= MAX_ATTEMPTS {
                return Err(Cause::RateLimited {
                    retry_after_secs: secs,
                });
            }
            self.wait(stage, wait, WaitReason::RateLimited)?;
        }
    }

    /// Waits until `window` allows another auth request, and counts this one.
    fn within_auth_limit(&mut self, stage: Stage, window: &Mutex<AuthWindow>) -> Result<(), Cause> {
        loop {
            let now = Instant::now();
            let wait = match window.lock() {
                Ok(mut window) => {
                    let wait = window.wait_before_next(now);
                    if wait.is_zero() {
                        window.record(now);
                    }
                    wait
                }
                Err(_) => Duration::ZERO,
            };
            if wait.is_zero() {
                return Ok(());
            }
            self.wait(stage, wait, WaitReason::AuthLimit)?;
        }
    }

    /// Sleeps `total`, telling each second left, and stops early when cancelled.
    fn wait(&mut self, stage: Stage, total: Duration, why: WaitReason) -> Result<(), Cause> {
        let end = Instant::now() + total;
        let mut told = None;
        loop {
            if self.cancel.load(Ordering::Relaxed) {
                return Err(Cause::Cancelled);
            }
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(());
            }
            let seconds_remaining = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            if told != Some(seconds_remaining) {
                (self.progress)(Progress::Waiting {
                    stage,
                    seconds_remaining,
                    why,
                });
                told = Some(seconds_remaining);
            }
            std::thread::sleep(left.min(Duration::from_millis(250)));
        }
    }

    fn pass(&mut self, stage: Stage, reused: bool) {
        self.verdict.set(stage, Outcome::Passed { reused });
        (self.progress)(Progress::Passed { stage, reused });
    }

    fn fail(&mut self, stage: Stage, cause: Cause) {
        self.verdict.set(stage, Outcome::Failed { cause });
    }
}
