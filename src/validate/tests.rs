use super::jwt::Expiry;
use super::*;
use crate::catalog::Catalog;
use crate::config::parse_document;
use crate::test_support::{NOW, jwt, jwt_never_expires};

fn field(key: &str) -> FieldDef {
    Catalog::builtin()
        .platform("ringcentral-v1")
        .unwrap()
        .field(key)
        .unwrap()
        .clone()
}

#[test]
fn a_never_expiring_jwt_shows_its_issuer() {
    let info = inspect_jwt(&jwt_never_expires(), NOW).unwrap();
    assert_eq!(
        info.issuer.as_deref(),
        Some("https://platform.ringcentral.com")
    );
    assert_eq!(info.expires, Expiry::Never);
    assert_eq!(
        info.summary(),
        "Issuer https://platform.ringcentral.com; never expires"
    );
}

#[test]
fn a_jwt_with_an_expiry_shows_the_date_and_an_expired_one_is_an_error() {
    let future =
        jwt(r#"{"iss":"https://platform.ringcentral.com","exp":1900000000,"iat":1800000000}"#);
    assert_eq!(
        inspect_jwt(&future, NOW).unwrap().summary(),
        "Issuer https://platform.ringcentral.com; expires 2030-03-17"
    );
    let past = jwt(r#"{"iss":"x","exp":1700000000,"iat":1600000000}"#);
    let error = inspect_jwt(&past, NOW).unwrap_err();
    assert!(
        error.contains("expired on 2023-11-14") && error.contains("Create a new JWT"),
        "{error}"
    );
    let check = check_field(
        &field("jwt"),
        Value::Secret {
            typed: Some(&past),
            stored: false,
        },
        NOW,
    );
    assert!(check.error.is_some());
}

#[test]
fn malformed_jwts_say_what_is_wrong() {
    for (token, expected) in [
        ("abc", "three parts"),
        ("a.b", "three parts"),
        ("a..c", "three parts"),
        ("!!!.e30.sig", "header is not valid base64url"),
        ("bm90IGpzb24.e30.sig", "header does not decode to JSON"),
        ("e30.WzFd.sig", "payload is not a JSON object"),
        ("e30 .e30.sig", "spaces or line breaks"),
    ] {
        let error = inspect_jwt(token, NOW).unwrap_err();
        assert!(error.contains(expected), "{token}: {error}");
    }
}

#[test]
fn required_fields_say_what_to_do_and_a_stored_secret_counts() {
    let check = check_field(&field("client_id"), Value::Text("  "), NOW);
    assert_eq!(
        check.error.as_deref(),
        Some("Required: enter the RingCentral CX client ID.")
    );
    let check = check_field(
        &field("client_secret"),
        Value::Secret {
            typed: None,
            stored: false,
        },
        NOW,
    );
    assert_eq!(
        check.error.as_deref(),
        Some("Required: paste or type the RingCentral CX client secret.")
    );
    let check = check_field(
        &field("client_secret"),
        Value::Secret {
            typed: None,
            stored: true,
        },
        NOW,
    );
    assert_eq!(check, FieldCheck::default());
}

#[test]
fn client_id_and_sub_account_formats_are_warnings_not_errors() {
    let check = check_field(&field("client_id"), Value::Text("short"), NOW);
    assert!(check.error.is_none());
    assert!(check.warning.unwrap().contains("(this one has 5)"));
    assert_eq!(
        check_field(
            &field("client_id"),
            Value::Text("AbCdEfGhIjKlMnOpQrSt_-"),
            NOW
        ),
        FieldCheck::default()
    );
    let check = check_field(&field("sub_account_id"), Value::Text("15a"), NOW);
    assert!(check.error.is_none() && check.warning.unwrap().contains("digits only"));
    assert_eq!(
        check_field(&field("sub_account_id"), Value::Text("15910001"), NOW),
        FieldCheck::default()
    );
}

#[test]
fn group_rules() {
    assert_eq!(
        check_group("", &[], "Historical settings"),
        None,
        "blank while alone"
    );
    assert!(
        check_group("", &["east"], "Historical settings")
            .unwrap()
            .starts_with("Required: there are 2")
    );
    assert!(
        check_group(" EAST ", &["east"], "Historical settings")
            .unwrap()
            .contains("already uses the Group \"EAST\"")
    );
    assert_eq!(
        check_group("west", &["east", "north"], "Historical settings"),
        None
    );
    assert!(check_group("a/b", &[], "x").unwrap().contains("'/'"));
}

#[test]
fn dates_are_calendar_dates() {
    assert_eq!(format_date(0), "1970-01-01");
    assert_eq!(format_date(951_782_400), "2000-02-29");
    assert_eq!(format_date(3_897_483_647), "2093-07-03");
}

fn problems(text: &str) -> Vec<String> {
    let document = parse_document(text).unwrap();
    check_document(&document, &Catalog::builtin(), NOW)
        .iter()
        .map(ToString::to_string)
        .collect()
}

const REF: &str = "{keyring: {store: keyutils, service: wfm-wizard, user: p/o/default/f}}";

fn integration(operation: &str, group: &str, jwt: &str) -> String {
    format!(
        "- platform: ringcentral-v1\n  operation: {operation}\n{group}  enabled: true\n  settings:\n    client_id: AbCdEfGhIjKlMnOpQrStUv\n    client_secret: {REF}\n    jwt: {jwt}\n    sub_account_id: '1'\n"
    )
}

#[test]
fn a_valid_document_has_no_problems() {
    let text = format!(
        "version: 1\nintegrations:\n{}",
        integration("historical", "", REF)
    );
    assert_eq!(problems(&text), Vec::<String>::new());
}

#[test]
fn document_problems_name_the_integration_and_the_rule() {
    let text = format!(
        "version: 1\nintegrations:\n{}",
        integration("historical", "", "eyJhbGciOi.plain.text")
    );
    let found = problems(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("error: integrations[0] (ringcentral-v1/historical/default): `jwt` holds a secret in plain text"), "{found:?}");

    let text = format!(
        "version: 1\nintegrations:\n{}{}",
        integration("historical", "", REF),
        integration("historical", "", REF)
    );
    assert!(
        problems(&text)
            .iter()
            .all(|p| p.contains("each needs a Group name"))
    );
    let text = format!(
        "version: 1\nintegrations:\n{}{}",
        integration("historical", "  group: a\n", REF),
        integration("historical", "  group: A\n", REF)
    );
    assert!(
        problems(&text)
            .iter()
            .any(|p| p.contains("already uses the Group"))
    );

    let text = format!(
        "version: 1\nintegrations:\n{}",
        integration("real-time", "", REF)
    );
    assert!(problems(&text)[0].contains(
        "`operation` is not an operation of ringcentral-v1 (known: historical, user-import)"
    ));
    let text = format!(
        "version: 1\nintegrations:\n{}",
        integration("historical", "", REF).replace("ringcentral-v1", "genesys")
    );
    assert!(problems(&text)[0].contains("`platform` is not a known platform"));
    let text = format!(
        "version: 1\nintegrations:\n{}",
        integration("historical", "", REF).replace("client_id:", "client_idd:")
    );
    let found = problems(&text);
    assert!(
        found.iter().any(|p| p.contains("its setting number")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|p| p.contains("Required: enter the RingCentral CX client ID")),
        "{found:?}"
    );

    let text = format!(
        "version: 1\nintegrations:\n{}",
        integration("user-import", "", REF)
    );
    let found = problems(&text);
    // The same weight as in the wizard, which will not save it (operation_rules).
    assert!(
        found[0].starts_with("error:") && found[0].contains("set-employee-defaults"),
        "{found:?}"
    );
}

#[test]
fn a_document_with_an_operation_whose_requirement_is_missing_is_an_error() {
    let catalog = crate::test_support::catalog_with_real_time();
    let text = "version: 1\nintegrations:\n- {platform: ringcentral-v1, operation: real-time, enabled: true, settings: {client_id: AbCdEfGhIjKlMnOpQrStUv}}\n";
    let found = check_document(&parse_document(text).unwrap(), &catalog, NOW);
    assert_eq!(found.len(), 1);
    assert!(
        found[0]
            .message
            .contains("needs a `historical` integration of ringcentral-v1 first"),
        "{found:?}"
    );
}

#[test]
fn look_alike_groups_are_the_same_group_or_refused() {
    // Decomposed ÖST (O + U+0308) is Öst; full case folding makes STRASSE straße.
    assert_eq!(group_key("O\u{308}ST"), group_key("\u{d6}st"));
    assert_eq!(group_key("STRASSE"), group_key("stra\u{df}e"));
    assert_eq!(
        check_group("O\u{308}ST", &["\u{d6}st"], "Historical settings").as_deref(),
        Some(
            "Another Historical settings integration already uses the Group \"O\u{308}ST\"; \
             choose a different name."
        )
    );
    for hidden in [
        "East\u{200b}",
        "Ea\u{202e}st",
        "\u{feff}East",
        "East\u{e0041}",
        "Ea\u{7}st",
    ] {
        let message = check_group(hidden, &[], "Historical settings").expect("refused");
        assert!(message.contains("invisible"), "{message}");
    }
    let long = "g".repeat(MAX_GROUP_CHARS + 1);
    assert!(check_group(&long, &[], "x").is_some_and(|m| m.contains("at most 64")));
    assert_eq!(check_group(&"g".repeat(MAX_GROUP_CHARS), &[], "x"), None);
}

#[test]
fn values_longer_than_the_catalog_allows_or_with_control_characters_are_errors() {
    let catalog = Catalog::builtin();
    let platform = catalog.platform("ringcentral-v1").unwrap();
    let client_id = platform.field("client_id").unwrap();
    let long = "A".repeat(client_id.max_length.unwrap() + 1);
    let check = check_field(client_id, Value::Text(&long), NOW);
    assert!(check.error.is_some_and(|e| e.contains("at most 256")));
    let jwt = platform.field("jwt").unwrap();
    let pasted = "x".repeat(300_000);
    let check = check_field(
        jwt,
        Value::Secret {
            typed: Some(&pasted),
            stored: false,
        },
        NOW,
    );
    assert!(check.error.is_some_and(|e| e.contains("at most 262144")));
    let check = check_field(client_id, Value::Text("AbCdEfGhIj\nKlMnOpQrStUv"), NOW);
    assert!(check.error.is_some_and(|e| e.contains("control character")));
}
