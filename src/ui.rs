//! Pure views: `draw` reads the wizard and paints a frame. Same state, same screen.

mod form;
mod help_keys;
mod lists;
mod loading;
mod overlay;
pub mod resume;
mod review;
mod store_notice;
mod test_panel;
mod text;
pub mod theme;
mod view_cache;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub use self::theme::Theme;
pub use self::view_cache::ViewCache;
use crate::keymap;
use crate::wizard::{Layer, Level, Step, Wizard};

/// Below this the wizard shows a "terminal too small" screen instead of clipped fields.
pub const MIN_WIDTH: u16 = 44;
pub const MIN_HEIGHT: u16 = 12;

/// How far Review can scroll on a screen of `size`; `None` on any other step.
pub fn review_scroll_limit(wizard: &Wizard, size: Rect, theme: Theme) -> Option<usize> {
    review_scroll_limit_cached(wizard, size, theme, &mut ViewCache::default())
}

/// As [`review_scroll_limit`], with what `cache` keeps from the last draw.
pub fn review_scroll_limit_cached(
    wizard: &Wizard,
    size: Rect,
    theme: Theme,
    cache: &mut ViewCache,
) -> Option<usize> {
    if !matches!(wizard.step(), Step::Review { .. })
        || size.width < MIN_WIDTH
        || size.height < MIN_HEIGHT
    {
        return None;
    }
    let notice_lines = notice_lines(wizard, size.width, theme);
    let [_, _, _, body, _, _] = screen_areas(size, notice_lines.len());
    let body = inset(body);
    let measured = cache.review(wizard, usize::from(body.width), theme);
    Some(review::scroll_limit(&measured, body))
}

/// Measures Review ahead of the key that enters it, after something other than a key
/// changed the integrations (the file landing, the stored-secret check, the store
/// resolved). At 10,000 integrations measuring them all takes tens of milliseconds;
/// done here it is done between keys, and the key that enters Review then measures
/// only the integrations it changed. Does nothing while nothing it measures changed.
pub fn measure_review_ahead(wizard: &Wizard, size: Rect, theme: Theme, cache: &mut ViewCache) {
    if wizard.is_loading() || too_small(size) {
        return;
    }
    let body = inset(screen_areas(size, 1)[3]);
    cache.review_ahead(wizard, usize::from(body.width), theme);
}

/// What Review's measurement depends on beyond one key's reach: the integrations (their
/// generation) and the store. An effect that changes them has Review measured ahead.
pub fn review_inputs(wizard: &Wizard) -> (u64, Option<crate::secret::StoreKind>) {
    let store = match wizard.store() {
        crate::wizard::StoreStatus::Ready(info) => Some(info.kind),
        _ => None,
    };
    (wizard.forms_generation(), store)
}

/// How far the open help can scroll on a screen of `size`; `None` without one.
pub fn help_scroll_limit(wizard: &Wizard, size: Rect, theme: Theme) -> Option<usize> {
    if too_small(size) {
        return None;
    }
    overlay::help_scroll_limit(wizard, size, theme)
}

fn screen_areas(area: Rect, notice_lines: usize) -> [Rect; 6] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(notice_lines.max(1) as u16),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// The body without its one-column margins.
fn inset(body: Rect) -> Rect {
    Rect {
        x: body.x + 1,
        width: body.width.saturating_sub(2),
        ..body
    }
}

/// Whether `area` is too small for the wizard: only "terminal too small" is shown.
pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

pub fn draw(frame: &mut Frame, wizard: &Wizard, theme: Theme) {
    draw_cached(frame, wizard, theme, &mut ViewCache::default());
}

/// As [`draw`], reusing what `cache` measured while the wizard's content is the same.
pub fn draw_cached(frame: &mut Frame, wizard: &Wizard, theme: Theme, cache: &mut ViewCache) {
    let area = frame.area();
    if too_small(area) {
        draw_too_small(frame, area, wizard, theme);
        return;
    }
    let notice_lines = notice_lines(wizard, area.width, theme);
    let [header, progress, rule, body, notice, footer] = screen_areas(area, notice_lines.len());
    frame.render_widget(Paragraph::new(header_line(wizard, theme)), header);
    frame.render_widget(Paragraph::new(progress_line(wizard, theme)), progress);
    frame.render_widget(
        Paragraph::new(theme.rule().repeat(usize::from(rule.width))).style(theme.dim()),
        rule,
    );
    let body = inset(body);
    match &wizard.step() {
        _ if wizard.is_loading() => loading::draw(frame, body, wizard, theme),
        Step::Platform { selected } => {
            lists::draw_platforms(frame, body, wizard, *selected, theme);
        }
        Step::Operation { op, selected } => {
            lists::draw_operation(frame, body, wizard, *op, *selected, theme);
        }
        Step::Form {
            form: draft,
            focus,
            revealed,
        } => form::draw(frame, body, wizard, *draft, *focus, *revealed, theme),
        Step::StoreGate { .. } => store_notice::draw(frame, body, wizard, theme),
        Step::Review { scroll } => {
            let measured = cache.review(wizard, usize::from(body.width), theme);
            review::draw(frame, body, wizard, &measured, *scroll, theme);
        }
        Step::Saving | Step::SaveFailed { .. } | Step::Done(_) => {
            review::draw_outcome(frame, body, wizard, theme);
        }
    }
    frame.render_widget(Paragraph::new(notice_lines), notice);
    frame.render_widget(
        Paragraph::new(hints_line(wizard, footer.width, theme)),
        footer,
    );
    match wizard.layer() {
        Layer::ResumeOffer(offer) => resume::draw(frame, area, wizard, offer, theme),
        Layer::Overlay(overlay) => overlay::draw(frame, area, wizard, overlay, theme),
        Layer::Step(_) => {}
    }
}

fn draw_too_small(frame: &mut Frame, area: Rect, wizard: &Wizard, theme: Theme) {
    let dash = if theme.ascii { "-" } else { "—" };
    // Ctrl-C acts here too; when it asks whether to drop unsaved answers, say what
    // each way out does with the draft, as the full-size question does.
    let quit = if wizard.overlay() == Some(&crate::wizard::Overlay::ConfirmQuit) {
        format!(
            "Enlarge the window. Quit without saving? Press Ctrl-C again to quit and \
             delete this session's draft, or {} to quit and keep the draft for the next start",
            crate::keymap::key_for(crate::wizard::Action::Keep)
        )
    } else {
        "Enlarge the window, or press Ctrl-C to quit".to_owned()
    };
    let text = format!(
        "Terminal too small {dash} need {MIN_WIDTH}x{MIN_HEIGHT}, have {}x{}. {quit}.",
        area.width, area.height
    );
    let lines: Vec<Line> = text::wrap(&text, usize::from(area.width))
        .into_iter()
        .map(Line::from)
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

fn header_line(wizard: &Wizard, theme: Theme) -> Line<'static> {
    let mut spans = vec![
        Span::styled(" wfm-wizard", theme.title()),
        Span::styled(
            format!("  {}", theme.text(wizard.config_path())),
            theme.dim(),
        ),
    ];
    // Said on every screen: the notice that explains it goes at the first key.
    if wizard.read_only().is_some() {
        spans.push(Span::styled("  READ-ONLY", theme.warning()));
    }
    Line::from(spans)
}

/// "Platform › Historical › User import › Review", the current step underlined.
fn progress_line(wizard: &Wizard, theme: Theme) -> Line<'static> {
    let current = match &wizard.step() {
        Step::Platform { .. } => 0,
        Step::Operation { op, .. } => op + 1,
        Step::Form { form: draft, .. } | Step::StoreGate { form: draft } => {
            let d = &wizard.forms()[*draft];
            1 + wizard
                .current_platform()
                .operations
                .iter()
                .position(|o| o.id == d.operation)
                .unwrap_or(0)
        }
        _ => wizard.current_platform().operations.len() + 1,
    };
    let mut names = vec!["Platform".to_owned()];
    names.extend(
        wizard
            .current_platform()
            .operations
            .iter()
            .map(|o| theme.text(&short_label(&o.label)).into_owned()),
    );
    names.push("Review".to_owned());
    let mut spans = vec![Span::raw(" ")];
    for (i, name) in names.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(theme.step_separator(), theme.dim()));
        }
        if i == current {
            spans.push(Span::styled(name, theme.current_step()));
        } else {
            spans.push(Span::raw(name));
        }
    }
    Line::from(spans)
}

pub use crate::wizard::view::short_label;

/// The notice, wrapped (never cut) to at most a few lines.
fn notice_lines(wizard: &Wizard, width: u16, theme: Theme) -> Vec<Line<'static>> {
    const MOST: usize = 4;
    let Some(notice) = &wizard.notice() else {
        return Vec::new();
    };
    let (text, style) = match notice.level {
        Level::Error => (
            format!(
                "{}{}",
                theme.error_mark(),
                theme.text(&keymap::name_keys(&notice.text))
            ),
            theme.error(),
        ),
        Level::Info => (
            theme.text(&keymap::name_keys(&notice.text)).into_owned(),
            ratatui::style::Style::new(),
        ),
    };
    let mut lines = text::wrapped_lines(&text, usize::from(width).saturating_sub(1), 1, style);
    if lines.len() > MOST {
        // Only on a very narrow terminal: keep the start, where the message says what to do.
        lines.truncate(MOST);
    }
    lines
}

/// As many key hints as fit, in order; quit always keeps its place.
fn hints_line(wizard: &Wizard, width: u16, theme: Theme) -> Line<'static> {
    let hints: Vec<(String, String)> = keymap::hints(wizard)
        .into_iter()
        .map(|(key, what)| (theme.text(&key).into_owned(), theme.text(what).into_owned()))
        .collect();
    let cost = |(key, what): &(String, String)| key.chars().count() + what.chars().count() + 3;
    let quit = hints.iter().position(|(key, _)| key == "Ctrl-C");
    let reserved = quit.map_or(0, |i| cost(&hints[i]));
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    for (i, hint) in hints.into_iter().enumerate() {
        let room = if quit.is_some_and(|q| i < q) {
            reserved
        } else {
            0
        };
        if used + cost(&hint) + room > usize::from(width) {
            continue;
        }
        used += cost(&hint);
        let (key, what) = hint;
        spans.push(Span::styled(key, theme.key_hint()));
        spans.push(Span::raw(format!(" {what}  ")));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests;
