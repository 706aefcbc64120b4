use super::*;
use crate::secret::StoreKind;

const EXAMPLE: &str = include_str!("../../assets/example.yaml");

#[test]
fn the_documented_example_parses_and_round_trips() {
    let document = parse_document(EXAMPLE).unwrap();
    assert_eq!(document.version, 2);
    assert_eq!(document.namespace.as_deref(), Some("3f9a0c2e7b14"));
    assert_eq!(document.integrations.len(), 2);
    let first = &document.integrations[0];
    assert_eq!(first.group.as_deref(), Some("east"));
    let Some(Setting::Secret(jwt)) = first.settings.get("jwt") else {
        panic!("jwt is a reference")
    };
    assert_eq!(jwt.store, StoreKind::SecretService);
    assert_eq!(jwt.user, "3f9a0c2e7b14/ringcentral-v1/historical/east/jwt");
    assert_eq!(
        first.settings.get("sub_account_id"),
        Some(&Setting::Text("15910001".into()))
    );
    let rendered = render_document(&document).unwrap();
    assert!(rendered.starts_with("# Managed by wfm-wizard."));
    assert_eq!(parse_document(&rendered).unwrap(), document);
}

#[test]
fn an_unquoted_numeric_sub_account_id_reads_as_text() {
    let text = "version: 1\nintegrations:\n- {platform: p, operation: o, enabled: true, settings: {sub_account_id: 15910001}}\n";
    let document = parse_document(text).unwrap();
    assert_eq!(
        document.integrations[0].settings.get("sub_account_id"),
        Some(&Setting::Text("15910001".into()))
    );
}

fn refused(text: &str) -> String {
    parse_document(text).expect_err("should be refused").0
}

#[test]
fn hostile_or_wrong_files_are_refused_with_a_message_that_says_why() {
    let big = format!("version: 1\n#{}\n", "x".repeat(MAX_FILE_BYTES));
    assert!(refused(&big).contains("limit is 8388608 bytes"));
    let deep = format!(
        "version: 1\nintegrations: {}{}\n",
        "[".repeat(40),
        "]".repeat(40)
    );
    assert!(
        refused(&deep).contains("nesting is deeper than 32"),
        "{}",
        refused(&deep)
    );
    let very_deep = format!(
        "version: 1\nx: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(refused(&very_deep).contains("nesting"));
    let duplicate = "version: 1\nversion: 1\nintegrations: []\n";
    assert!(
        refused(duplicate).contains("duplicate key `version`"),
        "{}",
        refused(duplicate)
    );
    let dup_setting = "version: 1\nintegrations:\n- platform: p\n  operation: o\n  enabled: true\n  settings:\n    jwt: a\n    jwt: b\n";
    assert!(
        refused(dup_setting).contains("duplicate"),
        "{}",
        refused(dup_setting)
    );
    assert!(
        refused("version: 1\nintegrations: [\n").contains("line"),
        "a syntax error names its place"
    );
    let not_a_mapping = refused("just some text");
    assert!(
        not_a_mapping.contains("not a YAML mapping"),
        "{not_a_mapping}"
    );
    assert!(refused("").contains("empty"));
    assert!(refused("version: 3\nintegrations: []\n").contains("newer than this program knows"));
    assert!(
        refused("version: 2\nintegrations: []\n").contains("`namespace` is missing"),
        "{}",
        refused("version: 2\nintegrations: []\n")
    );
    assert!(refused("integrations: []\n").contains("`version` is missing"));
    assert!(refused("version: 1\nintegrations: []\nextra: 1\n").contains("unknown field"));
    let laughs = "version: 1\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
    parse_document(laughs).expect_err("a billion laughs is refused");
}

#[test]
fn a_secret_reference_with_unknown_fields_or_store_is_refused() {
    let text = "version: 1\nintegrations:\n- platform: p\n  operation: o\n  enabled: true\n  settings:\n    jwt: {keyring: {store: file, service: s, user: u}}\n";
    assert!(refused(text).contains("file"), "{}", refused(text));
    let text = text.replace("store: file", "store: keyutils, extra: 1");
    assert!(refused(&text).contains("extra"));
}

#[test]
fn parse_errors_never_quote_the_file() {
    let text = "version: 1\nintegrations:\n- platform: p\n  settings:\n    client_secret: hunter2-the-secret\n   bad: [\n";
    let message = refused(text);
    assert!(!message.contains("hunter2"), "{message}");
    assert_eq!(message.lines().count(), 1, "{message}");
}
