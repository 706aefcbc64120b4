use super::*;
use crate::safe_text::is_bidi_control;
use crate::secret::StoreKind;
use crate::test_support::{document_of, integration_in};

const KEYS: StoreKind = StoreKind::SecretService;

fn east() -> Integration {
    integration_in("historical", Some("east"), KEYS)
}

fn west() -> Integration {
    integration_in("historical", Some("west"), KEYS)
}

fn lines(changes: &[Change]) -> Vec<String> {
    changes.iter().map(ToString::to_string).collect()
}

fn entry(integration: &Integration, key: &str) -> SecretRef {
    match integration.settings.get(key) {
        Some(Setting::Secret(reference)) => reference.clone(),
        other => panic!("{key} is not a secret: {other:?}"),
    }
}

fn set_text(integration: &mut Integration, key: &str, value: &str) {
    for (k, v) in &mut integration.settings.0 {
        if k == key {
            *v = Setting::Text(value.to_owned());
        }
    }
}

#[test]
fn the_same_document_has_no_changes_and_reordering_is_none() {
    let old = document_of(vec![east(), west()]);
    assert_eq!(diff(Some(&old), &old, None, &[]), []);
    let swapped = document_of(vec![west(), east()]);
    assert_eq!(diff(Some(&old), &swapped, None, &[]), []);
    assert_eq!(
        diff(Some(&old), &swapped, Some(&[Some(1), Some(0)]), &[]),
        []
    );
    assert_eq!(ChangeCounts::of(&[]).to_string(), "no changes");
}

#[test]
fn an_added_integration_lists_its_new_secrets_and_a_removed_one_is_named() {
    let old = document_of(vec![east()]);
    let new = document_of(vec![west()]);
    let rewritten = [entry(&west(), "jwt")];
    let changes = diff(Some(&old), &new, None, &rewritten);
    assert_eq!(
        lines(&changes),
        [
            "historical/west: added",
            "historical/west: client_secret now refers to secret-service \
             000000000000/ringcentral-v1/historical/west/client_secret",
            "historical/west: jwt new value",
            "historical/east: removed",
        ]
    );
    assert_eq!(
        ChangeCounts::of(&changes).to_string(),
        "+1 integration, -1 integration, 1 new secret, 1 secret moved"
    );
}

#[test]
fn no_file_yet_means_every_integration_is_added() {
    let new = document_of(vec![east(), integration_in("user-import", None, KEYS)]);
    let changes = diff(None, &new, None, &[]);
    let added: Vec<_> = changes
        .iter()
        .filter(|c| matches!(c, Change::IntegrationAdded { .. }))
        .collect();
    assert_eq!(added.len(), 2);
    assert_eq!(
        added[1].to_string(),
        "user-import/default: added",
        "no group reads as default"
    );
}

#[test]
fn a_renamed_group_with_the_successor_map_is_a_rename_and_its_secrets_move() {
    let old = document_of(vec![east()]);
    let new = document_of(vec![west()]);
    let changes = diff(Some(&old), &new, Some(&[Some(0)]), &[]);
    assert_eq!(
        lines(&changes),
        [
            "historical/east: group renamed to historical/west",
            "historical/west: client_secret moved from secret-service \
             000000000000/ringcentral-v1/historical/east/client_secret to secret-service \
             000000000000/ringcentral-v1/historical/west/client_secret",
            "historical/west: jwt moved from secret-service 000000000000/ringcentral-v1/historical/east/jwt \
             to secret-service 000000000000/ringcentral-v1/historical/west/jwt",
        ]
    );
    assert_eq!(
        ChangeCounts::of(&changes).to_string(),
        "1 field changed, 2 secrets moved"
    );
}

#[test]
fn a_deleted_integration_in_the_successor_map_is_removed() {
    let old = document_of(vec![east(), west()]);
    let new = document_of(vec![west()]);
    let changes = diff(Some(&old), &new, Some(&[None, Some(0)]), &[]);
    assert_eq!(lines(&changes), ["historical/east: removed"]);
    // A map that does not fit the documents is not trusted past its end.
    let changes = diff(Some(&old), &new, Some(&[Some(7)]), &[]);
    assert_eq!(
        changes.len(),
        1 + 2 + 2,
        "west added (two secrets), east and west removed: {changes:?}"
    );
}

#[test]
fn a_text_change_and_a_status_flip_are_shown_with_their_values() {
    let old = document_of(vec![east()]);
    let mut changed = east();
    set_text(&mut changed, "client_id", "NewClientId");
    changed.enabled = false;
    changed
        .settings
        .0
        .push(("sub_account_id".into(), Setting::Text("42".into())));
    let forth = diff(Some(&old), &document_of(vec![changed.clone()]), None, &[]);
    assert_eq!(
        lines(&forth),
        [
            "historical/east: Status on -> off",
            "historical/east: client_id \"AbCdEfGhIjKlMnOpQrStUv\" -> \"NewClientId\"",
            "historical/east: sub_account_id (none) -> \"42\"",
        ]
    );
    let back = diff(Some(&document_of(vec![changed])), &old, None, &[]);
    assert_eq!(back[0].to_string(), "historical/east: Status off -> on");
    assert_eq!(
        back[2].to_string(),
        "historical/east: sub_account_id \"42\" -> (none)"
    );
}

#[test]
fn a_new_secret_value_shows_only_its_entry_and_fingerprint_never_the_value() {
    let old = document_of(vec![east()]);
    let jwt = entry(&east(), "jwt");
    let mut changes = diff(Some(&old), &old, None, std::slice::from_ref(&jwt));
    assert_eq!(changes.len(), 1);
    if let Change::SecretNewValue { fingerprint, .. } = &mut changes[0] {
        *fingerprint = Some("0a1b2c3d".into());
    }
    assert_eq!(
        changes[0].to_string(),
        "historical/east: jwt new value (fingerprint 0a1b2c3d)"
    );
}

#[test]
fn a_secret_taken_out_is_removed() {
    let old = document_of(vec![east()]);
    let mut new = east();
    new.settings.0.retain(|(k, _)| k != "jwt");
    let changes = diff(Some(&old), &document_of(vec![new]), None, &[]);
    assert_eq!(
        lines(&changes),
        [
            "historical/east: jwt removed (was secret-service 000000000000/ringcentral-v1/historical/east/jwt)"
        ]
    );
    assert_eq!(ChangeCounts::of(&changes).removed_secrets, 1);
}

#[test]
fn hostile_text_is_escaped_and_long_text_is_cut() {
    let old = document_of(vec![east()]);
    let mut new = east();
    new.group = Some("east\u{1b}[2J\u{202e}".into());
    set_text(&mut new, "client_id", "a\\x1b\u{7}b\r\n\u{9b}");
    let changes = diff(Some(&old), &document_of(vec![new]), Some(&[Some(0)]), &[]);
    let text = lines(&changes).join("\n");
    for c in text.chars() {
        assert!(
            c == '\n' || !(c.is_control() || is_bidi_control(c)),
            "{c:?} in {text}"
        );
    }
    assert!(text.contains("east\\x1b[2J\\u{202e}"), "{text}");
    assert!(
        text.contains(r#""a\\x1b\x07b\x0d\x0a\x9b""#),
        "a literal backslash cannot fake an escape: {text}"
    );
    let long = "y".repeat(500);
    let mut new = east();
    set_text(&mut new, "client_id", &long);
    let changes = diff(Some(&old), &document_of(vec![new]), None, &[]);
    let text = changes[0].to_string();
    assert!(text.ends_with("...\" (500 chars)"), "{text}");
    assert!(text.len() < 200, "{text}");
}

#[test]
fn a_rollback_is_counted_and_said() {
    let changes = [Change::RolledBack { revision: 3 }];
    assert_eq!(changes[0].to_string(), "rolled back to revision 3");
    assert_eq!(
        ChangeCounts::of(&changes).to_string(),
        "rolled back to revision 3"
    );
}
