//! The view cache never goes stale: after every kind of change Review drawn from the
//! cache (and its scroll limit) is the same as drawn from scratch, and a key that
//! only scrolls reuses what was measured.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

use crate::catalog::{Catalog, FieldKind};
use crate::config::Integration;
use crate::secret::StoreKind;
use crate::test_support::{NOW, act, loaded_document, to_review, type_text};
use crate::ui::Theme;
use crate::ui::review;
use crate::ui::{ViewCache, draw, draw_cached, review_scroll_limit, review_scroll_limit_cached};
use crate::wizard::connection_test::tests::{failed_with, passed, start, tested};
use crate::wizard::{Action, Effect, Msg, Reloaded, Startup, Step, StoreInfo, Wizard};

/// A file with three Historical integrations, groups g0..g2.
fn three() -> crate::config::Document {
    let mut document = loaded_document(StoreKind::Keyutils, true);
    let first = document.integrations[0].clone();
    document.integrations = (0..3)
        .map(|i| Integration {
            group: Some(format!("g{i}")),
            ..first.clone()
        })
        .collect();
    document
}

fn ready(document: &crate::config::Document) -> Wizard {
    let mut w = Wizard::new(Catalog::builtin(), Some(document), "x", NOW).past_store_gate();
    w.update(Msg::StoreResolved(Ok(StoreInfo {
        kind: StoreKind::Keyutils,
        note: None,
        systemd_creds_skipped: None,
    })));
    w
}

/// Draws `w` through `cache` and from scratch: the same screens and the same scroll
/// limits. One size throughout, as on a terminal, so the cache answers across calls.
#[track_caller]
fn same_as_uncached(w: &Wizard, cache: &mut ViewCache, what: &str) {
    let theme = Theme::default();
    let (width, height) = (120, 60);
    let mut cached = Terminal::new(TestBackend::new(width, height)).unwrap();
    let mut fresh = Terminal::new(TestBackend::new(width, height)).unwrap();
    cached.draw(|f| draw_cached(f, w, theme, cache)).unwrap();
    fresh.draw(|f| draw(f, w, theme)).unwrap();
    assert_eq!(
        cached.backend().buffer(),
        fresh.backend().buffer(),
        "{what}"
    );
    let area = Rect::new(0, 0, width, height);
    assert_eq!(
        review_scroll_limit_cached(w, area, theme, cache),
        review_scroll_limit(w, area, theme),
        "{what}: scroll limit"
    );
    windows_are_the_full_lines(w, what);
}

/// Review's measured heights, and the lines built only for the window on screen, agree
/// with every line built in full: at every scroll position, at wide, middle and narrow
/// (stacked) widths, in both themes.
#[track_caller]
fn windows_are_the_full_lines(w: &Wizard, what: &str) {
    if !matches!(w.step(), Step::Review { .. }) {
        return;
    }
    let ascii = Theme {
        ascii: true,
        colour: false,
    };
    for theme in [Theme::default(), ascii] {
        for width in [30, 50, 78, 118] {
            let measured = review::measure(w, width, theme);
            let all = review::all_lines(w, &measured, width, theme);
            assert_eq!(
                all.len(),
                review::total(&measured),
                "{what}: lines at width {width}"
            );
            for height in [1, 7, 20] {
                for scroll in 0..=all.len() {
                    let top = scroll.min(all.len().saturating_sub(height));
                    let want = &all[top..(top + height).min(all.len())];
                    assert_eq!(
                        review::window(w, &measured, width, scroll, height, theme),
                        want,
                        "{what}: width {width}, height {height}, scroll {scroll}"
                    );
                }
            }
        }
    }
}

#[test]
fn review_windows_with_problems_warnings_and_a_verdict_change() {
    // Problems: the same group three times.
    let mut document = three();
    for integration in &mut document.integrations {
        integration.group = Some("the-same-group-name-that-is-long-enough-to-wrap".into());
    }
    let mut w = ready(&document);
    let mut cache = ViewCache::default();
    to_review(&mut w);
    assert!(!w.problems().is_empty());
    same_as_uncached(&w, &mut cache, "problems");

    let mut w = crate::test_support::review_with_warnings();
    assert!(!crate::wizard::review_text::warnings(&w).is_empty());
    same_as_uncached(&w, &mut cache, "warnings");
    act(&mut w, Action::Next);
    same_as_uncached(&w, &mut cache, "warnings scrolled");

    // A verdict, then another one for the same integration.
    let mut w = tested(passed());
    act(&mut w, Action::Back);
    to_review(&mut w);
    same_as_uncached(&w, &mut cache, "a passed test");
    let id = start(&mut w);
    same_as_uncached(&w, &mut cache, "a test running from Review");
    let before = screen(&w, &mut cache);
    w.update(Msg::TestDone {
        id,
        result: Ok(failed_with(
            crate::connection_verdict::Cause::NotLinkedToRingCx,
        )),
    });
    same_as_uncached(&w, &mut cache, "a failed test");
    assert_ne!(screen(&w, &mut cache), before, "the verdict shows");
}

/// The screen at 120x60, drawn through `cache`.
fn screen(w: &Wizard, cache: &mut ViewCache) -> String {
    let mut t = Terminal::new(TestBackend::new(120, 60)).unwrap();
    t.draw(|f| draw_cached(f, w, Theme::default(), cache))
        .unwrap();
    t.backend()
        .buffer()
        .content()
        .iter()
        .map(ratatui::buffer::Cell::symbol)
        .collect()
}

#[test]
fn review_from_the_cache_is_review_from_scratch_after_every_change() {
    let document = three();
    let mut w = ready(&document);
    let mut cache = ViewCache::default();
    to_review(&mut w);
    same_as_uncached(&w, &mut cache, "Review");

    // Scrolling and help reuse what was measured.
    let generation = w.content_generation();
    for action in [Action::Next, Action::PageDown, Action::Last, Action::Prev] {
        act(&mut w, action);
        same_as_uncached(&w, &mut cache, "scrolled");
    }
    act(&mut w, Action::Help);
    same_as_uncached(&w, &mut cache, "help open");
    act(&mut w, Action::Back);
    same_as_uncached(&w, &mut cache, "help closed");
    assert_eq!(w.content_generation(), generation, "nothing to rebuild");

    // A field changed: back to the Historical list, into the first form, a group edited.
    act(&mut w, Action::Back);
    act(&mut w, Action::Back);
    act(&mut w, Action::First);
    act(&mut w, Action::Enter);
    let on_group = |w: &Wizard| match *w.step() {
        Step::Form { form, focus, .. } => w.form_fields(form)[focus].kind == FieldKind::Group,
        _ => true,
    };
    while !on_group(&w) {
        act(&mut w, Action::Next);
    }
    assert!(
        matches!(w.step(), Step::Form { form: 0, .. }),
        "{:?}",
        w.step()
    );
    type_text(&mut w, "-renamed");
    same_as_uncached(&w, &mut cache, "in the form");
    act(&mut w, Action::Back);
    to_review(&mut w);
    same_as_uncached(&w, &mut cache, "after an edit");
    assert!(screen(&w, &mut cache).contains("g0-renamed"));
    assert_ne!(w.content_generation(), generation);

    // An integration deleted.
    act(&mut w, Action::Back);
    act(&mut w, Action::Back);
    act(&mut w, Action::First);
    act(&mut w, Action::Delete);
    act(&mut w, Action::Yes);
    to_review(&mut w);
    same_as_uncached(&w, &mut cache, "after a delete");
    assert!(!screen(&w, &mut cache).contains("g0-renamed"));

    // Reloaded after someone else changed the file.
    let mut changed = three();
    changed.integrations[1].group = Some("changed-outside".into());
    w.update(Msg::Reloaded(Ok(Reloaded {
        document: Some(changed),
        text: None,
        hash: None,
    })));
    to_review(&mut w);
    same_as_uncached(&w, &mut cache, "after a reload");
    assert!(screen(&w, &mut cache).contains("changed-outside"));
}

#[test]
fn review_from_the_cache_after_resuming_a_draft() {
    let document = three();
    let mut first = ready(&document);
    act(&mut first, Action::Enter);
    act(&mut first, Action::First);
    act(&mut first, Action::Enter);
    type_text(&mut first, "-drafted");
    let snapshot = first
        .update(Msg::Checkpoint)
        .into_iter()
        .find_map(|e| match e {
            Effect::SaveDraft(plan) => Some(plan.snapshot),
            _ => None,
        })
        .expect("a draft of the edit");

    let mut w = ready(&document);
    let mut cache = ViewCache::default();
    same_as_uncached(&w, &mut cache, "the first screen");
    w.update(Msg::Startup(Startup::DraftFound(snapshot)));
    same_as_uncached(&w, &mut cache, "the offer");
    act(&mut w, Action::Yes);
    act(&mut w, Action::Back);
    to_review(&mut w);
    same_as_uncached(&w, &mut cache, "Review after resuming");
    assert!(
        screen(&w, &mut cache).contains("-drafted"),
        "the resumed edit shows"
    );
}
