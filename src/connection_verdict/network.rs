//! Failures of the network itself: name lookup, connection, timeouts, TLS, proxy.

use serde::Serialize;

/// Why a request never got an HTTP answer. `host` is the server's host name (from the
/// JWT's issuer, the RingCX default or an override), never a URL with credentials.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "kebab-case")]
pub enum NetworkProblem {
    /// The host name did not resolve.
    Dns {
        host: String,
    },
    /// Nothing listens there, or a firewall rejected the connection.
    Refused {
        host: String,
    },
    TimedOut {
        host: String,
        phase: TimeoutPhase,
    },
    Tls {
        host: String,
        tls: TlsProblem,
    },
    /// The proxy in `HTTPS_PROXY`/`https_proxy` could not be reached.
    ProxyUnreachable {
        proxy: String,
    },
    /// The proxy answered the CONNECT with an error (it refused to open the tunnel).
    ProxyRefused {
        proxy: String,
    },
    /// The connection broke, or something else below HTTP failed.
    Other {
        host: String,
        kind: String,
    },
}

/// Which part of a request ran out of time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimeoutPhase {
    /// Resolving the name or opening the connection (connect timeout).
    Connect,
    /// The server accepted the request but did not answer in time (overall timeout).
    Response,
}

/// What was wrong with the server's certificate, or the TLS handshake.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlsProblem {
    /// Signed by a CA the system's trust store does not hold (typical behind a
    /// TLS-inspecting proxy).
    UnknownIssuer,
    Expired,
    NotYetValid,
    /// The certificate is for another name than the host.
    WrongName,
    Revoked,
    BadSignature,
    /// Another certificate problem, named by the TLS library.
    OtherCertificate(String),
    /// The handshake failed for another reason (protocol, no common cipher, no trust store).
    Handshake(String),
}

impl std::fmt::Display for TlsProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TlsProblem::UnknownIssuer => {
                f.write_str("its certificate is signed by a CA this system does not trust")
            }
            TlsProblem::Expired => f.write_str("its certificate has expired"),
            TlsProblem::NotYetValid => f.write_str("its certificate is not valid yet"),
            TlsProblem::WrongName => f.write_str("its certificate is for another host name"),
            TlsProblem::Revoked => f.write_str("its certificate has been revoked"),
            TlsProblem::BadSignature => f.write_str("its certificate's signature is invalid"),
            TlsProblem::OtherCertificate(what) => write!(f, "its certificate is refused ({what})"),
            TlsProblem::Handshake(what) => write!(f, "the TLS handshake failed ({what})"),
        }
    }
}

impl std::fmt::Display for NetworkProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NetworkProblem::Dns { host } => write!(f, "the name {host} does not resolve (DNS)"),
            NetworkProblem::Refused { host } => write!(f, "{host} refused the connection"),
            NetworkProblem::TimedOut {
                host,
                phase: TimeoutPhase::Connect,
            } => write!(f, "connecting to {host} timed out"),
            NetworkProblem::TimedOut {
                host,
                phase: TimeoutPhase::Response,
            } => write!(f, "{host} did not answer in time"),
            NetworkProblem::Tls { host, tls } => write!(f, "TLS with {host} failed: {tls}"),
            NetworkProblem::ProxyUnreachable { proxy } => {
                write!(f, "the proxy {proxy} cannot be reached")
            }
            NetworkProblem::ProxyRefused { proxy } => {
                write!(
                    f,
                    "the proxy {proxy} refused to open the connection (CONNECT)"
                )
            }
            NetworkProblem::Other { host, kind } => {
                write!(f, "the connection to {host} failed ({kind})")
            }
        }
    }
}

impl NetworkProblem {
    pub fn what_to_do(&self) -> String {
        match self {
            NetworkProblem::Dns { host } => format!(
                "Check this server's DNS settings (/etc/resolv.conf) and that {host} is the right \
                 host; behind a proxy, set HTTPS_PROXY."
            ),
            NetworkProblem::Refused { .. } => "Check the firewall lets this server make outgoing \
                 HTTPS connections (port 443); behind a proxy, set HTTPS_PROXY."
                .to_owned(),
            NetworkProblem::TimedOut {
                phase: TimeoutPhase::Connect,
                ..
            } => "Outgoing HTTPS seems blocked: check the firewall, or set HTTPS_PROXY if this \
                  network needs a proxy."
                .to_owned(),
            NetworkProblem::TimedOut {
                phase: TimeoutPhase::Response,
                ..
            } => "The service may be slow or down; try again in a few minutes.".to_owned(),
            NetworkProblem::Tls {
                tls: TlsProblem::UnknownIssuer,
                ..
            } => "If a proxy inspects TLS here, add its CA certificate to the system trust store \
                  (e.g. /usr/local/share/ca-certificates, then update-ca-certificates); otherwise \
                  something is intercepting the connection."
                .to_owned(),
            NetworkProblem::Tls { .. } => "Check the system clock and that nothing intercepts the \
                 connection; a TLS-inspecting proxy must present a valid certificate for this host."
                .to_owned(),
            NetworkProblem::ProxyUnreachable { .. } => {
                "Check HTTPS_PROXY (host and port) and that the proxy is running.".to_owned()
            }
            NetworkProblem::ProxyRefused { .. } => "Ask the proxy's administrator to allow \
                 CONNECT to this host on port 443, or add the host to NO_PROXY if it needs no proxy."
                .to_owned(),
            NetworkProblem::Other { .. } => "Check the network and try again.".to_owned(),
        }
    }
}
