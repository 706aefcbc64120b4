use super::*;
use crate::connection_verdict::cause::IssuerProblem;

/// One of every cause, with typed fields filled.
pub fn every_cause() -> Vec<Cause> {
    let host = || "platform.ringcentral.com".to_owned();
    let mut causes = vec![
        Cause::IssuerUnusable {
            why: IssuerProblem::Unreadable,
        },
        Cause::IssuerUnusable {
            why: IssuerProblem::Missing,
        },
        Cause::IssuerUnusable {
            why: IssuerProblem::NotHttps,
        },
        Cause::IssuerUnusable {
            why: IssuerProblem::NotRingCentral { host: host() },
        },
        Cause::InvalidClient {
            code: Some("OAU-146".into()),
        },
        Cause::JwtFlowNotEnabled,
        Cause::JwtBadSignature,
        Cause::JwtUnsupportedAlgorithm,
        Cause::JwtRejected { code: None },
        Cause::SandboxAppOnProduction,
        Cause::UserDisabled {
            code: "OAU-141".into(),
        },
        Cause::NotLinkedToRingCx,
        Cause::RingCxLoginForbidden,
        Cause::MissingWfoAccess {
            sub_account_listed: Some(true),
        },
        Cause::SubAccountAbsent {
            sub_account_id: "1".into(),
            main_account_id: "2".into(),
            listed: 3,
        },
        Cause::SubAccountInactive {
            sub_account_id: "1".into(),
        },
        Cause::RateLimited {
            retry_after_secs: 42,
        },
        Cause::Unexpected {
            status: 500,
            code: None,
        },
        Cause::Cancelled,
    ];
    let problems = [
        NetworkProblem::Dns { host: host() },
        NetworkProblem::Refused { host: host() },
        NetworkProblem::TimedOut {
            host: host(),
            phase: TimeoutPhase::Connect,
        },
        NetworkProblem::TimedOut {
            host: host(),
            phase: TimeoutPhase::Response,
        },
        NetworkProblem::ProxyUnreachable {
            proxy: "proxy:3128".into(),
        },
        NetworkProblem::ProxyRefused {
            proxy: "proxy:3128".into(),
        },
        NetworkProblem::Other {
            host: host(),
            kind: "x".into(),
        },
    ];
    causes.extend(
        problems
            .into_iter()
            .map(|problem| Cause::Network { problem }),
    );
    for tls in [
        TlsProblem::UnknownIssuer,
        TlsProblem::Expired,
        TlsProblem::NotYetValid,
        TlsProblem::WrongName,
        TlsProblem::Revoked,
        TlsProblem::BadSignature,
        TlsProblem::OtherCertificate("x".into()),
        TlsProblem::Handshake("y".into()),
    ] {
        causes.push(Cause::Network {
            problem: NetworkProblem::Tls { host: host(), tls },
        });
    }
    causes
}

#[test]
fn every_cause_says_what_happened_and_what_to_do_in_one_line_each() {
    for cause in every_cause() {
        let (said, todo) = (cause.to_string(), cause.what_to_do());
        assert!(!said.is_empty() && !todo.is_empty(), "{cause:?}");
        assert!(!said.contains('\n') && !todo.contains('\n'), "{cause:?}");
        assert!(todo.ends_with('.'), "{todo}");
    }
}

#[test]
fn the_documented_cases_name_their_fix() {
    let expect = [
        (Cause::JwtFlowNotEnabled, "JWT auth flow"),
        (
            Cause::InvalidClient { code: None },
            "client ID and client secret",
        ),
        (Cause::NotLinkedToRingCx, "link this RingCentral user"),
        (
            Cause::MissingWfoAccess {
                sub_account_listed: None,
            },
            "WFO_ACCESS",
        ),
        (
            Cause::Network {
                problem: NetworkProblem::Tls {
                    host: "h".into(),
                    tls: TlsProblem::UnknownIssuer,
                },
            },
            "add its CA certificate to the system trust store",
        ),
    ];
    for (cause, words) in expect {
        assert!(cause.what_to_do().contains(words), "{cause:?}");
    }
    assert_eq!(
        Cause::RateLimited {
            retry_after_secs: 42
        }
        .to_string(),
        "rate limited (429): the server asks to wait 42 s"
    );
}

#[test]
fn a_verdict_passes_only_when_every_stage_passed_and_names_its_first_failure() {
    let mut verdict = Verdict::new();
    assert!(!verdict.passed());
    verdict.set(Stage::RingCentralToken, Outcome::Passed { reused: true });
    verdict.set(
        Stage::RingCxLogin,
        Outcome::Failed {
            cause: Cause::NotLinkedToRingCx,
        },
    );
    assert_eq!(
        verdict.failure(),
        Some((Stage::RingCxLogin, &Cause::NotLinkedToRingCx))
    );
    assert_eq!(verdict.outcome(Stage::SubAccount), &Outcome::NotRun);
    for stage in Stage::ALL {
        verdict.set(stage, Outcome::Passed { reused: false });
    }
    assert!(verdict.passed());
    assert!(verdict.failure().is_none());
}

#[test]
fn the_json_shape_is_flat_and_kebab_case() {
    let report = StageReport {
        stage: Stage::SubAccount,
        outcome: Outcome::Failed {
            cause: Cause::Network {
                problem: NetworkProblem::Tls {
                    host: "h".into(),
                    tls: TlsProblem::WrongName,
                },
            },
        },
    };
    assert_eq!(
        serde_json::to_value(&report).unwrap(),
        serde_json::json!({"stage":"sub-account","outcome":"failed","cause":"network",
            "problem":"tls","host":"h","tls":"wrong-name"})
    );
}
