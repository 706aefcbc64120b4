use std::collections::HashMap;

use super::outline::Outline;
use super::*;
use crate::config::{Document, Integration, Setting, Settings, parse_document, render_document};
use crate::secret::{SecretRef, StoreKind};

mod generated;

/// Every document of these tests is built here; fields added to `Document` take their
/// defaults, or are set in this one place.
fn document(integrations: Vec<Integration>) -> Document {
    Document {
        version: 1,
        integrations,
        ..Document::default()
    }
}

fn integration(platform: &str, group: Option<&str>, settings: &[(&str, Setting)]) -> Integration {
    Integration {
        platform: platform.into(),
        operation: "historical".into(),
        group: group.map(Into::into),
        enabled: true,
        settings: Settings(
            settings
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        ),
    }
}

fn text(value: &str) -> Setting {
    Setting::Text(value.into())
}

fn secret(user: &str) -> Setting {
    Setting::Secret(SecretRef {
        store: StoreKind::Keyutils,
        service: "wfm-wizard".into(),
        user: user.into(),
    })
}

fn render(document: &Document) -> String {
    render_document(document).unwrap()
}

fn identity(document: &Document) -> Vec<Option<usize>> {
    (0..document.integrations.len()).map(Some).collect()
}

/// Comment texts of a text, as the parser sees them, counted.
fn comment_counts(text: &str) -> HashMap<String, usize> {
    let outline = Outline::read(text).expect("the text parses");
    let mut counts = HashMap::new();
    for comment in &outline.comments {
        *counts
            .entry(outline.comment_text(comment).to_owned())
            .or_default() += 1;
    }
    counts
}

fn old_has_header_comment(old: &str) -> bool {
    let outline = Outline::read(old).unwrap();
    let first = outline
        .nodes
        .iter()
        .find(|n| n.anchor.is_some())
        .map(|n| n.line);
    outline
        .comments
        .first()
        .is_some_and(|c| first.is_none_or(|line| c.line < line))
}

/// Carries, then checks what must hold for any input: the result reads as the same
/// document as `new`; every old comment is in the result or in `lost`, once; the new
/// text's own comments stay only when the old file has no header; carrying again
/// changes nothing.
fn carry(old: &str, new: &str, successor: &[Option<usize>]) -> Carried {
    let carried = carry_comments(old, new, successor);
    assert_eq!(
        parse_document(&carried.text),
        parse_document(new),
        "the result reads as the same document\n--- result:\n{}",
        carried.text
    );
    let mut expected = comment_counts(old);
    for lost in &carried.lost {
        let count = expected
            .get_mut(&lost.text)
            .expect("a lost comment was in the old text");
        *count -= 1;
    }
    if !old_has_header_comment(old) {
        for (text, count) in comment_counts(new) {
            *expected.entry(text).or_default() += count;
        }
    }
    expected.retain(|_, count| *count > 0);
    assert_eq!(
        comment_counts(&carried.text),
        expected,
        "each comment once\n--- result:\n{}",
        carried.text
    );
    let again = carry_comments(&carried.text, new, &identity(&parse_document(new).unwrap()));
    assert_eq!(
        again.text, carried.text,
        "carrying twice changes nothing\n--- old:\n{old}\n--- new:\n{new}"
    );
    assert!(again.lost.is_empty());
    carried
}

fn lost(carried: &Carried) -> Vec<(usize, &str)> {
    carried
        .lost
        .iter()
        .map(|l| (l.line, l.text.as_str()))
        .collect()
}

fn east_and_west() -> Document {
    document(vec![
        integration("p1", Some("east"), &[("client_id", text("abc"))]),
        integration("p1", Some("west"), &[("client_id", text("def"))]),
    ])
}

#[test]
fn the_issue_header_schema_note_and_do_not_rename_survive() {
    let old = "\
# ACME contact centers. Owner: ops@acme.example
#
# Edit with wfm-wizard; hand edits are kept.

version: 1  # schema version: bump only with the migration script
integrations:
- platform: p1
  operation: historical
  group: east  # do not rename: the WFM side keys on it
  enabled: true
  settings:
    client_id: abc
- platform: p1
  operation: historical
  group: west
  enabled: true
  settings:
    client_id: def
";
    let mut document = east_and_west();
    document.integrations[1].enabled = false;
    let carried = carry(old, &render(&document), &identity(&document));
    assert_eq!(
        carried.text,
        "\
# ACME contact centers. Owner: ops@acme.example
#
# Edit with wfm-wizard; hand edits are kept.

version: 1  # schema version: bump only with the migration script
integrations:
- platform: p1
  operation: historical
  group: east  # do not rename: the WFM side keys on it
  enabled: true
  settings:
    client_id: abc
- platform: p1
  operation: historical
  group: west
  enabled: false
  settings:
    client_id: def
"
    );
    assert!(carried.lost.is_empty());
}

#[test]
fn without_an_old_header_the_new_header_stays() {
    let document = east_and_west();
    let new = render(&document);
    let old = new
        .replace(
            "# Managed by wfm-wizard. Secrets are not in this file: each secret field\n",
            "",
        )
        .replace("# names the keyring entry that holds it.\n", "")
        .replace("  group: west\n", "  group: west  # new region\n");
    let carried = carry(&old, &new, &identity(&document));
    assert_eq!(
        carried.text,
        new.replace("  group: west\n", "  group: west  # new region\n")
    );
}

#[test]
fn blank_lines_and_section_comments_between_integrations_stay() {
    let document = east_and_west();
    let old = "\
version: 1
integrations:

# --- East ---
- platform: p1
  operation: historical
  group: east
  enabled: true
  settings:
    client_id: abc


# --- West ---
- platform: p1
  operation: historical
  group: west
  enabled: true
  settings:
    client_id: def

# end of file
";
    let carried = carry(old, &render(&document), &identity(&document));
    let body = carried.text.split_once("version: 1\n").unwrap().1;
    assert_eq!(
        body,
        "\
integrations:

# --- East ---
- platform: p1
  operation: historical
  group: east
  enabled: true
  settings:
    client_id: abc


# --- West ---
- platform: p1
  operation: historical
  group: west
  enabled: true
  settings:
    client_id: def

# end of file
"
    );
}

#[test]
fn comments_inside_settings_follow_their_key_even_when_the_style_changes() {
    let document = document(vec![integration(
        "p1",
        None,
        &[
            ("client_id", text("abc")),
            ("jwt", secret("p1/historical/default/jwt")),
            ("sub_account_id", text("42")),
        ],
    )]);
    // Hand-written: keys in another order, the secret as a flow mapping.
    let old = "\
version: 1
integrations:
- platform: p1
  operation: historical
  enabled: true
  settings:
    # issued by the vendor portal
    jwt: {keyring: {store: keyutils, service: wfm-wizard, user: p1/historical/default/jwt}}  # rotated monthly
    sub_account_id: '42'  # the parent account
      # odd indentation is fine
    client_id: abc
";
    let carried = carry(old, &render(&document), &identity(&document));
    let settings = carried.text.split_once("  settings:\n").unwrap().1;
    assert_eq!(
        settings,
        "    # odd indentation is fine
    client_id: abc
    # issued by the vendor portal
    jwt:  # rotated monthly
      keyring:
        store: keyutils
        service: wfm-wizard
        user: p1/historical/default/jwt
    sub_account_id: \"42\"  # the parent account
"
    );
}

#[test]
fn a_deleted_integration_loses_exactly_its_comments() {
    let old = "\
version: 1
integrations:
# East: the first site
- platform: p1
  operation: historical
  group: east  # do not rename
  enabled: true
  settings:
    # from the portal
    client_id: abc
# West: opened in 2026
- platform: p1
  operation: historical
  group: west  # keep
  enabled: true
  settings:
    client_id: def
";
    let mut document = east_and_west();
    document.integrations.remove(0);
    let carried = carry(old, &render(&document), &[None, Some(0)]);
    assert_eq!(
        lost(&carried),
        [
            (3, "# East: the first site"),
            (6, "# do not rename"),
            (9, "# from the portal"),
        ]
    );
    assert!(
        carried
            .text
            .contains("# West: opened in 2026\n- platform: p1\n")
    );
    assert!(carried.text.contains("  group: west  # keep\n"));
}

#[test]
fn a_removed_setting_loses_its_comment_and_an_added_integration_gets_none() {
    let old = "\
version: 1
integrations:
- platform: p1
  operation: historical
  group: east
  enabled: true
  settings:
    client_id: abc
    legacy_id: x9  # from the old system
";
    let mut document = east_and_west();
    document.integrations[1].group = Some("north".into());
    let carried = carry(old, &render(&document), &[Some(0)]);
    assert_eq!(lost(&carried), [(9, "# from the old system")]);
    assert_eq!(carried.text, render(&document));
}

#[test]
fn reordered_integrations_keep_their_own_comments() {
    let old = "\
version: 1
integrations:
# East
- platform: p1
  operation: historical
  group: east  # e
  enabled: true
  settings:
    client_id: abc
# West
- platform: p1
  operation: historical
  group: west  # w
  enabled: true
  settings:
    client_id: def
";
    let mut document = east_and_west();
    document.integrations.swap(0, 1);
    let carried = carry(old, &render(&document), &[Some(1), Some(0)]);
    let body = carried.text.split_once("integrations:\n").unwrap().1;
    assert_eq!(
        body,
        "\
# West
- platform: p1
  operation: historical
  group: west  # w
  enabled: true
  settings:
    client_id: def
# East
- platform: p1
  operation: historical
  group: east  # e
  enabled: true
  settings:
    client_id: abc
"
    );
}

#[test]
fn a_hash_inside_a_value_is_not_a_comment() {
    let document = document(vec![integration(
        "p1",
        None,
        &[
            ("client_id", text("a#b")),
            ("url", text("http://x/#frag")),
            ("notes", text("first\n# not a comment\n")),
            ("quoted", text("q # r")),
        ],
    )]);
    let old = "\
version: 1
integrations:
- platform: p1
  operation: historical
  enabled: true
  settings:
    client_id: \"a#b\"  # one
    url: http://x/#frag # two
    notes: |
      first
      # not a comment
    quoted: 'q # r'
";
    assert_eq!(parse_document(old).unwrap(), document);
    let carried = carry(old, &render(&document), &identity(&document));
    assert!(carried.lost.is_empty());
    let rendered = render(&document);
    let lines: Vec<&str> = carried.text.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("    client_id: a#b") && l.ends_with(" # one"))
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("    url: http://x/#frag") && l.ends_with(" # two"))
    );
    assert_eq!(
        carried.text.matches("# not a comment").count(),
        rendered.matches("# not a comment").count(),
        "the value's line is not carried as a comment"
    );
}

#[test]
fn crlf_line_ends_are_read_and_the_new_line_ends_are_kept() {
    let document = east_and_west();
    let old = "# Site list\r\nversion: 1\r\nintegrations:\r\n- platform: p1\r\n  operation: historical\r\n  group: east  # do not rename\r\n  enabled: true\r\n  settings:\r\n\r\n    client_id: abc\r\n- platform: p1\r\n  operation: historical\r\n  group: west\r\n  enabled: true\r\n  settings:\r\n    client_id: def\r\n";
    let new = render(&document);
    let carried = carry(old, &new, &identity(&document));
    assert!(!carried.text.contains('\r'));
    assert!(carried.text.starts_with("# Site list\nversion: 1\n"));
    assert!(
        carried
            .text
            .contains("  group: east  # do not rename\n  enabled")
    );
    assert!(carried.text.contains("  settings:\n\n    client_id: abc\n"));

    let new_crlf = new.replace('\n', "\r\n");
    let carried = carry(old, &new_crlf, &identity(&document));
    assert!(carried.text.contains("  group: east  # do not rename\r\n"));
    assert!(!carried.text.replace("\r\n", "").contains(['\r', '\n']));
}

#[test]
fn a_file_without_comments_gives_the_new_text() {
    let document = east_and_west();
    let mut changed = document.clone();
    changed.integrations[0].settings.0[0].1 = text("xyz");
    let carried = carry(&render(&document), &render(&changed), &identity(&document));
    assert_eq!(carried.text, render(&changed));
    assert!(carried.lost.is_empty());
}

#[test]
fn a_blank_line_never_joins_a_block_scalar_that_keeps_its_line_ends() {
    // `notes` renders as `|+`: a blank line right after it would become part of its value,
    // so a carried blank line goes after the comment that ends the scalar, or is left out.
    let document = document(vec![integration(
        "p1",
        None,
        &[("notes", text("kept\n\n")), ("client_id", text("abc"))],
    )]);
    let new = render(&document);
    assert!(new.contains("notes: |+"), "{new}");
    let old = "\
version: 1
integrations:
- platform: p1
  operation: historical
  enabled: true
  settings:
    notes: \"kept\\n\\n\"

    # after the blank line
    client_id: abc
";
    let carried = carry(old, &new, &identity(&document));
    assert!(
        carried
            .text
            .contains("      kept\n\n    # after the blank line\n\n    client_id: abc\n"),
        "{}",
        carried.text
    );
    let old = old.replace("    # after the blank line\n", "");
    assert_eq!(carry(&old, &new, &identity(&document)).text, new);
}

#[test]
fn a_comment_that_cannot_follow_its_line_goes_above_it() {
    let document = document(vec![integration("p1", None, &[("client_id", text("a b"))])]);
    let old = "\
version: 1
integrations:
- platform: p1
  operation: historical
  enabled: true
  settings:
    client_id: a b  # from the portal
";
    // A new text whose value spans two lines: a comment after `"a` would end up in it.
    let new = old.replace("a b  # from the portal", "\"a\n      b\"");
    assert_eq!(parse_document(&new).unwrap(), document);
    let carried = carry(old, &new, &identity(&document));
    assert!(
        carried
            .text
            .contains("    # from the portal\n    client_id: \"a\n      b\"\n"),
        "{}",
        carried.text
    );
}

#[test]
fn text_that_is_not_a_document_keeps_the_new_text_and_reports_its_comments() {
    let new = render(&east_and_west());
    let carried = carry_comments("# a\nversion: [\n# b\n", &new, &[]);
    assert_eq!(carried.text, new);
    assert_eq!(lost(&carried), [(1, "# a"), (3, "# b")]);
    let carried = carry_comments("# a\nversion: 1\n", "version: [\n", &[]);
    assert_eq!(carried.text, "version: [\n");
    assert_eq!(lost(&carried), [(1, "# a")]);
}

#[test]
fn ten_thousand_integrations_with_a_comment_each_are_carried() {
    let integrations: Vec<Integration> = (0..10_000)
        .map(|i| {
            integration(
                "p1",
                Some(&format!("g{i}")),
                &[
                    ("client_id", text("abc")),
                    ("jwt", secret(&format!("p1/historical/g{i}/jwt"))),
                ],
            )
        })
        .collect();
    let document = document(integrations);
    let new = render(&document);
    let mut old = String::with_capacity(new.len() * 2);
    let mut n = 0;
    for line in new.lines() {
        if line.starts_with("- ") {
            old.push_str("# integration ");
            old.push_str(&n.to_string());
            old.push('\n');
            n += 1;
        }
        old.push_str(line);
        old.push('\n');
    }
    let successor: Vec<Option<usize>> = (0..10_000).map(|i| Some(9_999 - i)).collect();
    let mut reversed = document.clone();
    reversed.integrations.reverse();
    let carried = carry_comments(&old, &render(&reversed), &successor);
    assert!(carried.lost.is_empty());
    assert_eq!(carried.text.matches("# integration ").count(), 10_000);
    let first_item = carried.text.split_once("integrations:\n").unwrap().1;
    assert!(first_item.starts_with("# integration 9999\n- platform: p1\n"));
}

#[test]
fn confirmed_items_keep_their_comments_by_text() {
    let mut document = document(Vec::new());
    document.confirmed = vec!["p1/historical/a".into(), "p1/historical/b".into()];
    let old = "\
version: 1
confirmed:
# asked on the phone
- p1/historical/a
- p1/historical/b  # in writing
";
    document.confirmed.reverse();
    let carried = carry(old, &render(&document), &[]);
    assert!(
        carried.text.contains(
            "confirmed:\n- p1/historical/b  # in writing\n# asked on the phone\n- p1/historical/a\n"
        ),
        "{}",
        carried.text
    );
}

#[test]
fn odd_but_accepted_shapes_carry_without_harm() {
    let long_block = (0..200)
        .map(|i| format!("# note {i}\n"))
        .collect::<Vec<_>>()
        .concat();
    let old = format!(
        "\u{feff}# header\n--- # start\nversion: 1\nintegrations:\n{long_block}\
         - {{platform: p1, operation: historical, group: east, enabled: true,\n   \
         # inside a flow mapping\n   settings: {{client_id: abc}}}}  # flow item\n\
         - # after the dash\n  platform: p1\n  operation: historical\n  group: west\n  \
         enabled: true\n  settings:\n    client_id: abc\n...\n# after the end\n"
    );
    let document = east_and_west();
    let mut document = document;
    document.integrations[1].settings.0[0].1 = text("abc");
    assert_eq!(parse_document(&old).unwrap(), document);
    let carried = carry(&old, &render(&document), &identity(&document));
    assert!(carried.lost.is_empty());
    let text = &carried.text;
    assert!(
        text.starts_with("# header\n# start\nversion: 1\n"),
        "{text}"
    );
    assert!(
        text.contains("# note 199\n# inside a flow mapping\n- platform: p1  # flow item\n"),
        "{text}"
    );
    assert!(
        text.contains("# after the dash\n- platform: p1\n"),
        "{text}"
    );
    assert!(text.ends_with("# after the end\n"), "{text}");
}

#[test]
fn a_long_comment_block_can_move_before_the_first_integration() {
    // serde-saphyr's `comments` feature once made parse_document refuse more than 32
    // comment lines before a sequence's first item (but not between items).
    let long_block = (0..100)
        .map(|i| format!("# west {i}\n"))
        .collect::<Vec<_>>()
        .concat();
    let old = format!(
        "version: 1\nintegrations:\n{long_block}- platform: p1\n  operation: historical\n  \
         group: east\n  enabled: true\n  settings:\n    client_id: abc\n"
    );
    let mut document = east_and_west();
    document.integrations.truncate(1);
    assert_eq!(parse_document(&old).unwrap(), document);
    let mut new = east_and_west();
    new.integrations.swap(0, 1);
    let carried = carry(&old, &render(&new), &[Some(1)]);
    assert!(
        carried
            .text
            .contains("# west 99\n- platform: p1\n  operation: historical\n  group: east\n")
    );
}
