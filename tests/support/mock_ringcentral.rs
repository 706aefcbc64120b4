//! A faithful local RingCentral + RingCX for connection tests: HTTPS on 127.0.0.1 with
//! a certificate from a throwaway CA made here, answering the routes of
//! shared/reference/ringcentral-domain.md (b). It CHECKS each request as the reference
//! describes (Basic header, grant type, assertion, form or query parameters, Bearer
//! tokens): a request that breaks the contract is recorded in `problems()` (tests
//! assert there are none) and answered 400. Scenario switches make each route answer
//! an error, 429 with `Retry-After`, or hang.
//!
//! Include it with `#[path = "support/mock_ringcentral.rs"] mod mock_ringcentral;`.
#![allow(dead_code)]
// `json`/`text` return what `respond` returns, so each arm reads as one answer.
#![allow(clippy::unnecessary_wraps)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use base64::Engine;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The tokens this server issues: planted, so tests can check no output shows them.
pub const RC_TOKEN: &str = "U1BCMDFUMDRKV1MwMXxzLFSvXdw5PHMsVLEn_PLANTED_RC_TOKEN";
pub const RINGCX_TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.PLANTED_RINGCX_TOKEN.c2ln";
pub const MAIN_ACCOUNT_ID: &str = "99990000";

/// The credentials connection tests type and the server accepts: the client secret and
/// the JWT's payload and signature are planted, searched for in every output.
pub const CLIENT_ID: &str = "AbCdEfGhIjKlMnOpQrStUv";
pub const CLIENT_SECRET: &str = "Zz0Yy1Xx2Ww3Vv4Uu5Tt6Ss7Rr8Qq9PLANTEDSECRET";

/// A never-expiring production JWT whose `jti` is planted (searched for in outputs).
pub fn planted_jwt() -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = r#"{"kid":"0123456789abcdef0123456789abcdef","typ":"JWT","alg":"RS256"}"#;
    let payload = r#"{"aud":"https://platform.ringcentral.com/restapi/oauth/token","sub":"62000000016","iss":"https://platform.ringcentral.com","exp":3897483647,"iat":1750000000,"jti":"PLANTEDJTIAAAAAAAAAAAA"}"#;
    format!(
        "{}.{}.{}",
        b64.encode(header),
        b64.encode(payload),
        "UExBTlRFRFNJR05BVFVSRQ".repeat(15)
    )
}

/// The credentials the server accepts.
#[derive(Clone)]
pub struct Creds {
    pub client_id: String,
    pub client_secret: String,
    pub jwt: String,
}

/// What a route answers.
#[derive(Clone, Debug)]
pub enum Answer {
    /// As the real service would for the credentials sent.
    Normal,
    /// This status, content type and body.
    Reply {
        status: u16,
        content_type: &'static str,
        body: String,
    },
    /// 429 with this `Retry-After` for the next `times` requests, then normal.
    TooMany { times: usize, retry_after: String },
    /// Never answers (until the server stops).
    Hang,
}

impl Answer {
    pub fn json(status: u16, body: &str) -> Answer {
        Answer::Reply {
            status,
            content_type: "application/json",
            body: body.to_owned(),
        }
    }

    /// The token endpoint's error envelope with one `errorCode`.
    pub fn oauth_error(status: u16, error: &str, code: &str, message: &str) -> Answer {
        Answer::json(
            status,
            &format!(
                r#"{{"error":"{error}","errors":[{{"errorCode":"{code}","message":"{message}"}}],"error_description":"{message}"}}"#
            ),
        )
    }
}

/// Which certificate the server presents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cert {
    /// Valid, for 127.0.0.1 and localhost, from the test CA.
    Good,
    /// From the test CA, for 127.0.0.1, expired in 2001.
    Expired,
    /// From the test CA, valid, but only for `localhost`.
    OnlyLocalhost,
}

pub struct Scenario {
    pub token: Answer,
    pub login: Answer,
    pub sub_accounts: Answer,
    pub accounts: Answer,
    /// The WFM list (`/voice/api/integration/...`).
    pub sub_accounts_body: String,
    /// The general list (`/voice/api/v1/admin/accounts`).
    pub accounts_body: String,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            token: Answer::Normal,
            login: Answer::Normal,
            sub_accounts: Answer::Normal,
            accounts: Answer::Normal,
            sub_accounts_body: r#"[{"subAccountId":"15910001","subAccountName":"Cappuccino Engage Development","isActive":true},{"subAccountId":"15910006","subAccountName":"Old Espresso","isActive":false}]"#.to_owned(),
            accounts_body: r#"[{"accountId":"15910001","accountName":"Cappuccino Engage Development","mainAccountId":"99990000"}]"#.to_owned(),
        }
    }
}

#[derive(Default)]
struct Log {
    /// `METHOD /path` of every request, in order.
    requests: Vec<String>,
    problems: Vec<String>,
}

pub struct Mock {
    addr: SocketAddr,
    creds: Creds,
    scenario: Arc<Mutex<Scenario>>,
    log: Arc<Mutex<Log>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
    pub ca_pem: String,
}

impl Mock {
    pub fn start(creds: Creds, cert: Cert) -> Mock {
        let (ca_pem, config) = tls_config(cert);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        let scenario = Arc::new(Mutex::new(Scenario::default()));
        let log = Arc::new(Mutex::new(Log::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let shared = Shared {
            creds: creds.clone(),
            scenario: Arc::clone(&scenario),
            log: Arc::clone(&log),
            stop: Arc::clone(&stop),
        };
        let accept = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if shared.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let shared = shared.clone();
                let config = Arc::clone(&config);
                std::thread::spawn(move || serve(stream, &config, &shared));
            }
        });
        Mock {
            addr,
            creds,
            scenario,
            log,
            stop,
            accept: Some(accept),
            ca_pem,
        }
    }

    /// `https://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.addr.port())
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn scenario(&self, change: impl FnOnce(&mut Scenario)) {
        change(&mut self.scenario.lock().unwrap());
    }

    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().requests.clone()
    }

    /// Requests that broke the reference's contract.
    pub fn problems(&self) -> Vec<String> {
        self.log.lock().unwrap().problems.clone()
    }

    /// Writes the CA certificate where `SSL_CERT_FILE` can name it.
    pub fn ca_file(&self, dir: &Path) -> PathBuf {
        let path = dir.join("test-ca.pem");
        std::fs::write(&path, &self.ca_pem).unwrap();
        path
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr); // wakes the accept loop
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

#[derive(Clone)]
struct Shared {
    creds: Creds,
    scenario: Arc<Mutex<Scenario>>,
    log: Arc<Mutex<Log>>,
    stop: Arc<AtomicBool>,
}

impl Shared {
    fn problem(&self, text: String) {
        self.log.lock().unwrap().problems.push(text);
    }
}

fn tls_config(cert: Cert) -> (String, Arc<rustls::ServerConfig>) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    static SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    // A name of its own: a CA file holding another test CA must not chain to it.
    let name = format!(
        "wfm-wizard throwaway test CA {} {}",
        std::process::id(),
        SERIAL.fetch_add(1, Ordering::SeqCst)
    );
    ca_params.distinguished_name.push(DnType::CommonName, name);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, &ca_key);
    let names: Vec<String> = match cert {
        Cert::OnlyLocalhost => vec!["localhost".into()],
        _ => vec!["127.0.0.1".into(), "localhost".into()],
    };
    let mut params = CertificateParams::new(names).unwrap();
    if cert == Cert::Expired {
        params.not_before = rcgen::date_time_ymd(2000, 1, 1);
        params.not_after = rcgen::date_time_ymd(2001, 1, 1);
    }
    let key = KeyPair::generate().unwrap();
    let server_cert = params.signed_by(&key, &issuer).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(server_cert.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap();
    (ca_cert.pem(), Arc::new(config))
}

struct Request {
    method: String,
    path: String,
    query: HashMap<String, String>,
    headers: HashMap<String, String>,
    form: Option<HashMap<String, String>>,
    form_keys: Vec<String>,
}

struct Response {
    status: u16,
    content_type: &'static str,
    body: String,
    retry_after: Option<String>,
}

fn serve(stream: TcpStream, config: &Arc<rustls::ServerConfig>, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(connection) = rustls::ServerConnection::new(Arc::clone(config)) else {
        return;
    };
    let mut tls = rustls::StreamOwned::new(connection, stream);
    let Some(request) = read_request(&mut tls) else {
        return; // a handshake the client refused, or the waking connect
    };
    let response = respond(&request, shared);
    let Some(response) = response else {
        // Hang: hold the connection until the server stops (bounded).
        let started = Instant::now();
        while !shared.stop.load(Ordering::SeqCst) && started.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(50));
        }
        return;
    };
    let reason = match response.status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        _ => "Error",
    };
    let retry = response
        .retry_after
        .map(|r| format!("Retry-After: {r}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n{retry}Connection: close\r\n\r\n",
        response.status,
        response.content_type,
        response.body.len()
    );
    let _ = tls.write_all(head.as_bytes());
    let _ = tls.write_all(response.body.as_bytes());
    tls.conn.send_close_notify();
    let _ = tls.flush();
}

fn read_request(tls: &mut impl Read) -> Option<Request> {
    let mut reader = BufReader::new(tls);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let is_form = headers
        .get("content-type")
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    let body = String::from_utf8(body).ok()?;
    let form_keys = if is_form {
        body.split('&')
            .filter(|p| !p.is_empty())
            .map(|p| decode(p.split('=').next().unwrap_or("")))
            .collect()
    } else {
        Vec::new()
    };
    Some(Request {
        method,
        path: path.to_owned(),
        query: pairs(query),
        form: is_form.then(|| pairs(&body)),
        form_keys,
        headers,
    })
}

fn pairs(text: &str) -> HashMap<String, String> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// `application/x-www-form-urlencoded` decoding.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn json(status: u16, body: &str) -> Option<Response> {
    Some(Response {
        status,
        content_type: "application/json",
        body: body.to_owned(),
        retry_after: None,
    })
}

fn text(status: u16, body: &str) -> Option<Response> {
    Some(Response {
        status,
        content_type: "text/plain",
        body: body.to_owned(),
        retry_after: None,
    })
}

/// The answer to `request`; `None`: hang.
fn respond(request: &Request, shared: &Shared) -> Option<Response> {
    shared
        .log
        .lock()
        .unwrap()
        .requests
        .push(format!("{} {}", request.method, request.path));
    let sub_accounts_path =
        format!("/voice/api/integration/v1/admin/accounts/{MAIN_ACCOUNT_ID}/subaccounts");
    let route = match (request.method.as_str(), request.path.as_str()) {
        ("POST", "/restapi/oauth/token") => Route::Token,
        ("POST", "/api/auth/login/rc/accesstoken") => Route::Login,
        ("GET", path) if path == sub_accounts_path => Route::SubAccounts,
        ("GET", path) if path.starts_with("/voice/api/integration/v1/admin/accounts/") => {
            return json(
                404,
                r#"{"details":"The resource you have requested does not exist","generalMessage":"The resource you have requested does not exist","requestUri":"voice/api/integration/v1/admin/accounts/x/subaccounts - GET","timestamp":1611847650696}"#,
            );
        }
        ("GET", "/voice/api/v1/admin/accounts") => Route::Accounts,
        (method, path) => {
            shared.problem(format!("unexpected request {method} {path}"));
            return json(404, r#"{"message":"no such route"}"#);
        }
    };
    if let Some(problem) = contract_problem(route, request) {
        shared.problem(problem);
        return json(400, r#"{"error":"mock-contract-check-failed"}"#);
    }
    let answer = {
        let mut scenario = shared.scenario.lock().unwrap();
        let answer = match route {
            Route::Token => &mut scenario.token,
            Route::Login => &mut scenario.login,
            Route::SubAccounts => &mut scenario.sub_accounts,
            Route::Accounts => &mut scenario.accounts,
        };
        let now = answer.clone();
        if let Answer::TooMany { times, .. } = answer {
            *times -= 1;
            if *times == 0 {
                *answer = Answer::Normal;
            }
        }
        now
    };
    match answer {
        Answer::Hang => None,
        Answer::Reply {
            status,
            content_type,
            body,
        } => Some(Response {
            status,
            content_type,
            body,
            retry_after: None,
        }),
        Answer::TooMany { retry_after, .. } => Some(Response {
            status: 429,
            content_type: "application/json",
            body: r#"{"errorCode":"CMN-301","message":"Request rate exceeded","errors":[{"errorCode":"CMN-301","message":"Request rate exceeded"}]}"#.to_owned(),
            retry_after: Some(retry_after),
        }),
        Answer::Normal => normal(route, request, shared),
    }
}

#[derive(Clone, Copy)]
enum Route {
    Token,
    Login,
    SubAccounts,
    Accounts,
}

/// What breaks the reference's request shapes, whatever the credentials.
fn contract_problem(route: Route, request: &Request) -> Option<String> {
    let header = |name: &str| request.headers.get(name).map(String::as_str);
    match route {
        Route::Token => {
            let Some(form) = &request.form else {
                return Some("token: body is not application/x-www-form-urlencoded".into());
            };
            if !header("authorization").is_some_and(|a| a.starts_with("Basic ")) {
                return Some("token: no Basic Authorization header".into());
            }
            if header("accept") != Some("application/json") {
                return Some("token: Accept is not application/json".into());
            }
            if form.get("grant_type").map(String::as_str)
                != Some("urn:ietf:params:oauth:grant-type:jwt-bearer")
            {
                return Some("token: grant_type is not the JWT bearer grant".into());
            }
            let mut keys = request.form_keys.clone();
            keys.sort();
            if keys != ["assertion", "grant_type"] {
                return Some(format!(
                    "token: form fields {keys:?}, expected exactly grant_type and assertion"
                ));
            }
            None
        }
        Route::Login => {
            if request.query.get("includeRefresh").map(String::as_str) != Some("true") {
                return Some("login: includeRefresh=true missing from the query".into());
            }
            let param = |name: &str| {
                request
                    .form
                    .as_ref()
                    .and_then(|f| f.get(name))
                    .or_else(|| request.query.get(name))
            };
            if param("rcTokenType").map(String::as_str) != Some("Bearer") {
                return Some("login: rcTokenType is not Bearer".into());
            }
            if param("rcAccessToken").is_none() {
                return Some("login: no rcAccessToken".into());
            }
            None
        }
        Route::SubAccounts | Route::Accounts => {
            if !header("authorization").is_some_and(|a| a.starts_with("Bearer ")) {
                return Some(format!("{}: no Bearer Authorization header", request.path));
            }
            None
        }
    }
}

/// The real service's answer for the credentials and tokens sent.
fn normal(route: Route, request: &Request, shared: &Shared) -> Option<Response> {
    let creds = &shared.creds;
    let header = |name: &str| request.headers.get(name).cloned().unwrap_or_default();
    match route {
        Route::Token => {
            let expected = format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD
                    .encode(format!("{}:{}", creds.client_id, creds.client_secret))
            );
            if header("authorization") != expected {
                return json(
                    401,
                    r#"{"error":"invalid_client","errors":[{"errorCode":"OAU-146","message":"Invalid client credentials"}],"error_description":"Invalid client credentials"}"#,
                );
            }
            let form = request.form.as_ref()?;
            if form.get("assertion") != Some(&creds.jwt) {
                return json(
                    400,
                    r#"{"error":"invalid_grant","errors":[{"errorCode":"OAU-213","message":"Token not found"}],"error_description":"Token not found"}"#,
                );
            }
            json(
                200,
                &format!(
                    r#"{{"access_token":"{RC_TOKEN}","token_type":"bearer","expires_in":7199,"refresh_token":"PLANTED_REFRESH","refresh_token_expires_in":604799,"scope":"ReadAccounts","owner_id":"62000000016","endpoint_id":"8zXq6oaLT7WvwWITlGiA1A"}}"#
                ),
            )
        }
        Route::Login => {
            let token = request
                .form
                .as_ref()
                .and_then(|f| f.get("rcAccessToken"))
                .or_else(|| request.query.get("rcAccessToken"));
            if token.map(String::as_str) != Some(RC_TOKEN) {
                return text(401, "Unauthorized");
            }
            json(
                200,
                &format!(
                    r#"{{"refreshToken":"PLANTED_RINGCX_REFRESH","accessToken":"{RINGCX_TOKEN}","tokenType":"Bearer","mainAccountId":"{MAIN_ACCOUNT_ID}","agentDetails":[{{"agentId":111111,"firstName":"John","lastName":"Wang","accountId":"{MAIN_ACCOUNT_ID}"}}],"adminId":1111,"adminUrl":"/voice/admin/","agentUrl":"/voice/agent/","ssoLogin":true}}"#
                ),
            )
        }
        Route::SubAccounts | Route::Accounts => {
            if header("authorization") != format!("Bearer {RINGCX_TOKEN}") {
                return text(401, "Jwt is expired");
            }
            let scenario = shared.scenario.lock().unwrap();
            let body = match route {
                Route::SubAccounts => scenario.sub_accounts_body.clone(),
                _ => scenario.accounts_body.clone(),
            };
            json(200, &body)
        }
    }
}

/// The `WFO_ACCESS` refusal of the sub-account list, as documented.
pub fn forbidden_wfo() -> Answer {
    Answer::json(
        403,
        r#"{"generalMessage":"You do not have permission to access this resource","details":"","developerMessage":"Access is denied","cause":"","requestUri":"voice/api/integration/v1/admin/accounts/99990000/subaccounts - GET","timestamp":1611847650696}"#,
    )
}
