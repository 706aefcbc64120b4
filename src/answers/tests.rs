use super::*;

const ANSWERS: &str = "\
version: 1
confirmed:
- ringcentral-v1/user-import/set-employee-defaults
integrations:
- platform: ringcentral-v1
  operation: historical
  group: east
  enabled: false
  settings:
    client_id: AbCdEfGhIjKlMnOpQrStUv
    client_secret:
      env: RC_SECRET
    jwt:
      file: /run/secrets/jwt
    sub_account_id: '15910001'
- platform: ringcentral-v1
  operation: user-import
  settings:
    jwt:
      stdin: true
- platform: ringcentral-v1
  operation: historical
  group: west
  state: absent
";

#[test]
fn every_source_and_state_parses_and_renders_back_the_same() {
    let answers = parse_answers(ANSWERS).expect("parse");
    let east = &answers.integrations[0];
    assert_eq!(east.enabled, Some(false));
    assert_eq!(
        east.settings.get("client_secret"),
        Some(&AnswerValue::Secret(SecretSource::Env("RC_SECRET".into())))
    );
    assert_eq!(
        east.settings.get("jwt"),
        Some(&AnswerValue::Secret(SecretSource::File(
            "/run/secrets/jwt".into()
        )))
    );
    assert_eq!(
        east.settings.get("sub_account_id"),
        Some(&AnswerValue::Text("15910001".into()))
    );
    assert_eq!(
        answers.integrations[1].settings.get("jwt"),
        Some(&AnswerValue::Secret(SecretSource::Stdin))
    );
    assert_eq!(answers.integrations[2].state, State::Absent);
    let rendered = render_answers(&answers).expect("render");
    assert_eq!(parse_answers(&rendered).expect("parse again"), answers);
}

#[test]
fn a_secret_names_exactly_one_source() {
    for body in ["{env: A, file: B}", "{stdin: false}", "{}", "{value: x}"] {
        let text = format!(
            "version: 1\nintegrations:\n- platform: p\n  operation: o\n  settings:\n    jwt: {body}\n"
        );
        assert!(parse_answers(&text).is_err(), "{body} was accepted");
    }
}

#[test]
fn the_config_loaders_refusals_apply_by_path() {
    let cases = [
        (
            "version: 1\nnamespace: x\n",
            "`the document` has an unknown key",
        ),
        (
            "version: 1\nintegrations:\n- platform: &a p\n",
            "`integrations[0].platform` has a YAML anchor",
        ),
        (
            "version: 1\nintegrations:\n- platform: p\n  operation: o\n  settings:\n    jwt: {env: \"A\\u0000\"}\n",
            "`integrations[0].settings.jwt.env` holds a control character",
        ),
        ("version: '1'\n", "plain whole number"),
        ("", "empty"),
    ];
    for (text, expected) in cases {
        let error = parse_answers(text).expect_err(text).to_string();
        assert!(error.contains(expected), "{text}: {error}");
    }
}

#[test]
fn stdin_secrets_are_one_mapping_and_their_debug_shows_names_only() {
    let secrets = sources::StdinSecrets::parse("a/b/c/jwt: SECRET-VALUE\n").expect("parse");
    assert_eq!(secrets.names().collect::<Vec<_>>(), ["a/b/c/jwt"]);
    assert!(!format!("{secrets:?}").contains("SECRET-VALUE"));
    let error = sources::StdinSecrets::parse("- SECRET-VALUE\n").expect_err("a list");
    assert!(!error.contains("SECRET-VALUE"), "{error}");
}
