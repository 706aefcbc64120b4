//! A save writes the loaded file's comments back, and says which ones it cannot keep
//! before it drops them.

use super::*;

const SS: StoreKind = StoreKind::SecretService;

/// A file of two integrations with an operator's notes: a header, one beside east's
/// group, and one about west.
fn commented() -> (Document, String) {
    let complete = |group| {
        let mut integration = integration_in("historical", Some(group), SS);
        integration
            .settings
            .0
            .push(("sub_account_id".into(), Setting::Text("15910001".into())));
        integration
    };
    let document = document_of(vec![complete("east"), complete("west")]);
    let text = render_document(&document)
        .unwrap()
        .replacen(
            "version: 2\n",
            "# Site notes: ticket OPS-1234\nversion: 2\n",
            1,
        )
        .replacen("  group: east\n", "  group: east  # do not rename\n", 1)
        .replacen(
            "  group: west\n",
            "  # west is going away\n  group: west\n",
            1,
        );
    (document, text)
}

fn on_review(document: &Document, text: String, delete_west: bool) -> Wizard {
    let mut w =
        Wizard::new(Catalog::builtin(), Some(document), "x", NOW).with_loaded_text(Some(text));
    w.update(Msg::StoreResolved(Ok(StoreInfo {
        kind: SS,
        note: None,
        systemd_creds_skipped: None,
    })));
    act(&mut w, Action::Enter); // the Historical list
    if delete_west {
        select_row(&mut w, 1);
        act(&mut w, Action::Delete);
        act(&mut w, Action::Yes);
    }
    act(&mut w, Action::Last);
    act(&mut w, Action::Enter); // User import
    act(&mut w, Action::Last);
    act(&mut w, Action::Enter); // Review
    assert!(matches!(w.step, Step::Review { .. }), "{:?}", w.step);
    w
}

fn saved_text(effects: &[Effect]) -> Option<&str> {
    effects.iter().find_map(|e| match e {
        Effect::Save(plan) => Some(plan.text.as_deref().expect("the carried text")),
        _ => None,
    })
}

#[test]
fn a_save_writes_the_operators_comments_back() {
    let (document, text) = commented();
    let mut w = on_review(&document, text, false);
    let effects = act(&mut w, Action::Save);
    let written = saved_text(&effects).expect("saved at once: nothing is lost");
    for note in [
        "# Site notes: ticket OPS-1234",
        "group: east  # do not rename",
        "# west is going away",
    ] {
        assert!(written.contains(note), "{note:?} not in:\n{written}");
    }
    let reread = crate::config::parse_document(written).unwrap();
    assert_eq!(reread.integrations, document.integrations);
}

#[test]
fn comments_of_what_a_save_removes_are_listed_first_and_a_second_save_drops_them() {
    let (document, text) = commented();
    let mut w = on_review(&document, text, true);
    let first = act(&mut w, Action::Save);
    assert!(
        saved_text(&first).is_none(),
        "not saved before the operator is told"
    );
    let notice = w.notice.clone().expect("what cannot be kept").text;
    assert!(notice.contains("# west is going away"), "{notice}");
    assert!(notice.contains("line "), "{notice}");
    let second = act(&mut w, Action::Save);
    let written = saved_text(&second).expect("the second save goes ahead");
    assert!(!written.contains("west"), "{written}");
    assert!(written.contains("# do not rename") && written.contains("# Site notes"));
}
