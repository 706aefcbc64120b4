//! The one place that sends HTTP: ureq over rustls, checked against the system's trust
//! store, HTTPS only, through `HTTPS_PROXY` unless `NO_PROXY` says otherwise, with
//! connect and overall timeouts. Failures come back typed, never as ureq's text.

use std::sync::Arc;
use std::time::Duration;

use rustls::CertificateError;
use ureq::tls::{RootCerts, TlsConfig, TlsProvider};
use ureq::{Agent, Proxy};

use crate::connection_verdict::{NetworkProblem, TimeoutPhase, TlsProblem};

/// Bodies larger than this are not read (the answers here are a few kilobytes).
const BODY_LIMIT: u64 = 4 * 1024 * 1024;

/// An HTTP answer.
pub struct Reply {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: String,
}

pub struct Http {
    agent: Agent,
    proxy: Option<Proxy>,
}

impl Http {
    pub fn new(connect_timeout: Duration, timeout: Duration) -> Http {
        let proxy = Proxy::try_from_env();
        let tls = TlsConfig::builder()
            .provider(TlsProvider::Rustls)
            .root_certs(RootCerts::PlatformVerifier)
            .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .build();
        let agent = Agent::config_builder()
            .https_only(true)
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(connect_timeout))
            .timeout_global(Some(timeout))
            .proxy(proxy.clone())
            .user_agent(concat!("wfm-wizard/", env!("CARGO_PKG_VERSION")))
            .tls_config(tls)
            .build()
            .new_agent();
        Http { agent, proxy }
    }

    /// `POST url` with a form body and an optional `Authorization` header.
    pub fn post_form(
        &self,
        url: &str,
        authorization: Option<&str>,
        form: &[(&str, &str)],
    ) -> Result<Reply, NetworkProblem> {
        let mut request = self.agent.post(url).header("Accept", "application/json");
        if let Some(value) = authorization {
            request = request.header("Authorization", value);
        }
        let result = request.send_form(form.iter().copied());
        self.reply(url, result)
    }

    /// `GET url` with a bearer token.
    pub fn get(&self, url: &str, bearer: &str) -> Result<Reply, NetworkProblem> {
        let result = self
            .agent
            .get(url)
            .header("Accept", "application/json")
            .header("Authorization", &format!("Bearer {bearer}"))
            .call();
        self.reply(url, result)
    }

    fn reply(
        &self,
        url: &str,
        result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Reply, NetworkProblem> {
        let mut response = result.map_err(|e| self.classify(url, &e))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        // A body that cannot be read (cut off, not UTF-8) reads as empty: the status
        // still says what happened.
        let body = response
            .body_mut()
            .with_config()
            .limit(BODY_LIMIT)
            .read_to_string()
            .or_else(|e| match e {
                ureq::Error::Timeout(_) => Err(self.classify(url, &e)),
                _ => Ok(String::new()),
            })?;
        Ok(Reply {
            status,
            retry_after,
            body,
        })
    }

    /// The proxy used for `url`, as `host:port` (never its credentials).
    fn proxy_for(&self, url: &str) -> Option<String> {
        let proxy = self.proxy.as_ref()?;
        let uri: ureq::http::Uri = url.parse().ok()?;
        (!proxy.is_no_proxy(&uri)).then(|| format!("{}:{}", proxy.host(), proxy.port()))
    }

    fn classify(&self, url: &str, error: &ureq::Error) -> NetworkProblem {
        let host = super::endpoints::host_of(url)
            .unwrap_or("the server")
            .to_owned();
        let proxy = self.proxy_for(url);
        let unreachable = |direct: NetworkProblem| match &proxy {
            Some(proxy) => NetworkProblem::ProxyUnreachable {
                proxy: proxy.clone(),
            },
            None => direct,
        };
        match error {
            ureq::Error::HostNotFound => unreachable(NetworkProblem::Dns { host }),
            ureq::Error::ConnectionFailed => unreachable(NetworkProblem::Refused { host }),
            ureq::Error::ConnectProxyFailed(_) => NetworkProblem::ProxyRefused {
                proxy: proxy.unwrap_or_else(|| "(from HTTPS_PROXY)".to_owned()),
            },
            ureq::Error::Timeout(timeout) => NetworkProblem::TimedOut {
                host,
                phase: match timeout {
                    ureq::Timeout::Resolve | ureq::Timeout::Connect => TimeoutPhase::Connect,
                    _ => TimeoutPhase::Response,
                },
            },
            ureq::Error::Rustls(tls) => NetworkProblem::Tls {
                host,
                tls: tls_problem(tls),
            },
            ureq::Error::Tls(what) => NetworkProblem::Tls {
                host,
                tls: TlsProblem::Handshake((*what).to_owned()),
            },
            ureq::Error::Io(io) => {
                if let Some(tls) = io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()) {
                    return NetworkProblem::Tls {
                        host,
                        tls: tls_problem(tls),
                    };
                }
                match io.kind() {
                    // The standard library's name-lookup failure has no kind of its own:
                    // look the name up again to tell a DNS failure from the rest.
                    _ if !resolves(proxy.as_deref().unwrap_or(&host)) => {
                        unreachable(NetworkProblem::Dns { host })
                    }
                    std::io::ErrorKind::ConnectionRefused => {
                        unreachable(NetworkProblem::Refused { host })
                    }
                    std::io::ErrorKind::TimedOut => NetworkProblem::TimedOut {
                        host,
                        phase: TimeoutPhase::Response,
                    },
                    kind => NetworkProblem::Other {
                        host,
                        kind: kind.to_string(),
                    },
                }
            }
            other => NetworkProblem::Other {
                host,
                kind: error_kind(other).to_owned(),
            },
        }
    }
}

/// Whether `host` (or `host:port`) has an address.
fn resolves(host: &str) -> bool {
    use std::net::ToSocketAddrs;
    let target = if host.contains(':') && !host.starts_with('[') && host.matches(':').count() == 1 {
        host.to_owned()
    } else {
        format!("{host}:443")
    };
    target
        .to_socket_addrs()
        .is_ok_and(|mut found| found.next().is_some())
}

/// A short name for the errors not classified above (never their text, which may quote a URL).
fn error_kind(error: &ureq::Error) -> &'static str {
    match error {
        ureq::Error::BadUri(_) => "bad URL",
        ureq::Error::Protocol(_) | ureq::Error::Http(_) => "HTTP protocol error",
        ureq::Error::RequireHttpsOnly(_) => "not HTTPS",
        ureq::Error::InvalidProxyUrl => "invalid HTTPS_PROXY",
        ureq::Error::LargeResponseHeader(..) => "response header too large",
        _ => "connection error",
    }
}

fn tls_problem(error: &rustls::Error) -> TlsProblem {
    match error {
        rustls::Error::InvalidCertificate(certificate) => match certificate {
            CertificateError::UnknownIssuer => TlsProblem::UnknownIssuer,
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                TlsProblem::Expired
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                TlsProblem::NotYetValid
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                TlsProblem::WrongName
            }
            CertificateError::Revoked => TlsProblem::Revoked,
            CertificateError::BadSignature => TlsProblem::BadSignature,
            other => TlsProblem::OtherCertificate(format!("{other:?}").chars().take(80).collect()),
        },
        rustls::Error::AlertReceived(alert) => TlsProblem::Handshake(format!("alert {alert:?}")),
        rustls::Error::PeerIncompatible(why) => {
            TlsProblem::Handshake(format!("{why:?}").chars().take(80).collect())
        }
        _ => TlsProblem::Handshake("the server's TLS answer was refused".to_owned()),
    }
}
