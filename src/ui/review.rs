//! Review: everything a save writes, secrets masked, each with its store. And the
//! saving / failed / done screens.

use std::rc::Rc;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Theme, text};
use crate::secret::StoreKind;
use crate::wizard::review_text::{self, store_description};
use crate::wizard::{StampMap, Step, StoreInfo, StoreStatus, Wizard};

const LABEL_COLUMN: usize = 31;

/// Builds only what is on screen: with 10,000 integrations and 20,000 problems,
/// building every line cost ~150 ms each time the content changed. The heights are
/// counted from the same texts, so scrolling is exact; `measured` comes from the view
/// cache, built once per change of content, and `wizard` is the one it was measured
/// from (the same content generation).
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    wizard: &Wizard,
    measured: &Measured,
    scroll: usize,
    theme: Theme,
) {
    let lines = window(
        wizard,
        measured,
        usize::from(area.width),
        scroll,
        usize::from(area.height),
        theme,
    );
    frame.render_widget(Paragraph::new(lines), area);
}

/// The `height` lines on screen at `scroll` (clamped as Review clamps it), built from
/// the blocks they fall in.
pub(super) fn window(
    wizard: &Wizard,
    measured: &Measured,
    width: usize,
    scroll: usize,
    height: usize,
    theme: Theme,
) -> Vec<Line<'static>> {
    let top = scroll.min(measured.total.saturating_sub(height));
    let bottom = top + height;
    let mut lines = Vec::with_capacity(height);
    let new_store = new_store(wizard);
    let mut at = 0;
    for block in &measured.blocks {
        let block_height = block.height();
        if at + block_height > top && at < bottom {
            for (i, line) in block_lines(block, wizard, width, new_store, theme)
                .into_iter()
                .enumerate()
            {
                if (top..bottom).contains(&(at + i)) {
                    lines.push(line);
                }
            }
        }
        at += block_height;
        if at >= bottom {
            break;
        }
    }
    lines
}

fn block_lines(
    block: &Block,
    wizard: &Wizard,
    width: usize,
    new_store: Option<StoreKind>,
    theme: Theme,
) -> Vec<Line<'static>> {
    match block {
        Block::Line(line) => vec![line.clone()],
        Block::Note {
            mark, text, style, ..
        } => text::wrapped_lines(&shown_note(mark, text, theme), width, 0, *style),
        Block::Integration { index, .. } => {
            let mut built = vec![Line::default()];
            built.extend(integration_rows(wizard, *index, new_store, theme).lines(width, theme));
            built
        }
    }
}

/// Every line of Review, each block built in full and its height ignored: what the
/// measured heights and [`window`] must agree with.
#[cfg(test)]
pub(super) fn all_lines(
    wizard: &Wizard,
    measured: &Measured,
    width: usize,
    theme: Theme,
) -> Vec<Line<'static>> {
    let new_store = new_store(wizard);
    measured
        .blocks
        .iter()
        .flat_map(|block| block_lines(block, wizard, width, new_store, theme))
        .collect()
}

#[cfg(test)]
pub(super) fn total(measured: &Measured) -> usize {
    measured.total
}

/// How far Review can scroll in `area` (its body on screen), as `measured` at its width.
pub fn scroll_limit(measured: &Measured, area: Rect) -> usize {
    measured.total.saturating_sub(usize::from(area.height))
}

/// Review at one width: its parts in order, each with its height in lines. Only the
/// few lines above the problems are built; a problem, a warning or an integration is
/// built when it is on screen.
pub struct Measured {
    blocks: Vec<Block>,
    total: usize,
}

enum Block {
    Line(Line<'static>),
    /// A problem or a warning: its mark and text, wrapped when drawn.
    Note {
        mark: &'static str,
        text: Rc<str>,
        style: Style,
        height: usize,
    },
    /// An integration of `wizard.forms()`: a blank line, its title and its fields.
    Integration {
        index: usize,
        height: usize,
    },
}

impl Block {
    fn height(&self) -> usize {
        match self {
            Block::Line(_) => 1,
            Block::Note { height, .. } | Block::Integration { height, .. } => *height,
        }
    }
}

/// What Review measured before, at one width and theme: a problem's or warning's
/// height under its text (the same shared allocation until its integration changes,
/// kept alive here so its address names nothing else), an integration's under its
/// stamp. Entering Review at 10,000 integrations then measures only what changed.
#[derive(Default)]
pub struct Heights {
    at: Option<(usize, Theme)>,
    /// Counts the measurements: what the last one did not use is dropped.
    pass: u64,
    notes: StampMap<*const u8, (Rc<str>, usize, u64)>,
    integrations: StampMap<u64, (Option<StoreKind>, usize, u64)>,
}

impl Heights {
    pub(super) fn measured_at(&self, width: usize, theme: Theme) -> bool {
        self.at == Some((width, theme))
    }

    fn begin(&mut self, width: usize, theme: Theme) {
        if self.at != Some((width, theme)) {
            self.notes.clear();
            self.integrations.clear();
            self.at = Some((width, theme));
        }
        self.pass += 1;
    }

    fn note(&mut self, mark: &str, text: &Rc<str>, width: usize, theme: Theme) -> usize {
        let pass = self.pass;
        let kept = self
            .notes
            .entry(Rc::as_ptr(text).cast::<u8>())
            .or_insert_with(|| {
                let height = wrapped_height(&shown_note(mark, text, theme), width);
                (Rc::clone(text), height, pass)
            });
        kept.2 = pass;
        kept.1
    }

    fn end(&mut self) {
        let pass = self.pass;
        self.notes.retain(|_, kept| kept.2 == pass);
        self.integrations.retain(|_, kept| kept.2 == pass);
    }
}

#[cfg(test)]
pub(super) fn measure(wizard: &Wizard, width: usize, theme: Theme) -> Measured {
    measure_with(wizard, width, theme, &mut Heights::default())
}

pub(super) fn measure_with(
    wizard: &Wizard,
    width: usize,
    theme: Theme,
    heights: &mut Heights,
) -> Measured {
    heights.begin(width, theme);
    let mut blocks = head_lines(wizard, width, theme, heights);
    let new_store = new_store(wizard);
    let hidden = theme.mask().to_string().repeat(8);
    // One buffer for every field's value: no string per field.
    let mut value = String::new();
    for index in 0..wizard.forms().len() {
        let pass = heights.pass;
        let kept = heights
            .integrations
            .entry(wizard.form_stamp(index))
            .or_insert((new_store, usize::MAX, pass));
        if kept.0 != new_store || kept.1 == usize::MAX {
            let draft = &wizard.forms()[index];
            let mut fields = 0;
            for (def, state) in wizard.form_fields(index).iter().zip(&draft.fields) {
                value.clear();
                review_text::write_field_value(
                    &mut value,
                    def,
                    state,
                    new_store,
                    &hidden,
                    theme.arrow(),
                );
                fields += pair_height(&theme.text(&value), width);
            }
            *kept = (new_store, fields, pass);
        }
        kept.2 = pass;
        let mut fields = kept.1;
        if let Some(verdict) = super::test_panel::review_value(wizard, index, theme) {
            fields += pair_height(&verdict, width);
        }
        blocks.push(Block::Integration {
            index,
            height: 2 + fields,
        });
    }
    blocks.extend(
        removed_lines(wizard, width, theme)
            .into_iter()
            .map(Block::Line),
    );
    heights.end();
    let total = blocks.iter().map(Block::height).sum();
    Measured { blocks, total }
}

fn new_store(wizard: &Wizard) -> Option<StoreKind> {
    match &wizard.store() {
        StoreStatus::Ready(info) => Some(info.kind),
        _ => None,
    }
}

/// A problem or warning as shown: `mark` before its text.
fn shown_note(mark: &str, text: &str, theme: Theme) -> String {
    let mut shown = String::with_capacity(mark.len() + text.len());
    shown.push_str(mark);
    shown.push_str(&theme.text(text));
    shown
}

/// How many lines `text::wrap` makes of `text` at `width`.
fn wrapped_height(text: &str, width: usize) -> usize {
    text::wrap_count(text, width)
}

/// The file, the store: the lines above the problems.
fn head_lines(wizard: &Wizard, width: usize, theme: Theme, heights: &mut Heights) -> Vec<Block> {
    let row = |label: &str, value: &str, style| pair(label, &theme.text(value), width, style);
    let mut lines = vec![Line::styled(
        "Review: this is what Ctrl-S writes.",
        theme.title(),
    )];
    lines.extend(row("File", wizard.config_path(), Style::new()));
    let (store_text, store_style) = match &wizard.store() {
        StoreStatus::Resolving => (
            format!("checking which secret store to use{}", theme.ellipsis()),
            theme.dim(),
        ),
        StoreStatus::Ready(info) => (store_description(info.kind), Style::new()),
        StoreStatus::Unavailable(reason) => (format!("unavailable: {reason}"), theme.error()),
    };
    lines.extend(row("Secrets go to", &store_text, store_style));
    if let StoreStatus::Ready(StoreInfo {
        systemd_creds_skipped: Some(why),
        ..
    }) = &wizard.store()
    {
        lines.extend(row(
            "",
            &format!("systemd credentials not used: {why}"),
            theme.warning(),
        ));
    }
    if let StoreStatus::Ready(StoreInfo {
        note: Some(note), ..
    }) = &wizard.store()
    {
        lines.extend(row(
            "",
            &format!("Secret Service not used: {note}"),
            theme.warning(),
        ));
    }
    let mut blocks: Vec<Block> = lines.into_iter().map(Block::Line).collect();
    let notes = wizard.review_notes();
    for (notes, mark, style) in [
        (&notes.problems, theme.error_mark(), theme.error()),
        (&notes.warnings, theme.warning_mark(), theme.warning()),
    ] {
        if notes.is_empty() {
            continue;
        }
        blocks.push(Block::Line(Line::default()));
        for text in notes {
            let height = heights.note(mark, text, width, theme);
            blocks.push(Block::Note {
                mark,
                text: Rc::clone(text),
                style,
                height,
            });
        }
    }
    blocks.push(Block::Line(Line::default()));
    blocks.push(Block::Line(Line::styled(
        review_text::CHANGES_TITLE,
        theme.title(),
    )));
    for change in review_text::change_lines(wizard.pending_changes().iter()) {
        blocks.extend(
            text::wrapped_lines(&theme.text(&change), width, 2, Style::new())
                .into_iter()
                .map(Block::Line),
        );
    }
    if wizard.forms().is_empty() {
        blocks.push(Block::Line(Line::default()));
        blocks.push(Block::Line(Line::styled(
            "No integrations: the file will list none.",
            theme.dim(),
        )));
    }
    blocks
}

/// The integrations deleted in this session, after the others.
fn removed_lines(wizard: &Wizard, width: usize, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for removed in wizard.removed() {
        lines.push(Line::default());
        let group = removed.group.as_deref().unwrap_or("no group");
        lines.extend(text::wrapped_lines(
            &theme.text(&format!(
                "Delete {}/{} ({group}) and remove its keyring entries",
                removed.platform, removed.operation
            )),
            width,
            0,
            theme.warning(),
        ));
    }
    lines
}

/// One integration as text: its title, and each field's label and value.
struct IntegrationRows {
    title: String,
    fields: Vec<(String, String)>,
}

impl IntegrationRows {
    fn lines(&self, width: usize, theme: Theme) -> Vec<Line<'static>> {
        let mut lines = vec![Line::styled(self.title.clone(), theme.title())];
        for (label, value) in &self.fields {
            lines.extend(pair(label, value, width, Style::new()));
        }
        lines
    }
}

fn integration_rows(
    wizard: &Wizard,
    index: usize,
    new_store: Option<StoreKind>,
    theme: Theme,
) -> IntegrationRows {
    let draft = &wizard.forms()[index];
    let defs = wizard.form_fields(index);
    let platform = wizard
        .catalog()
        .platform(&draft.platform)
        .map_or(draft.platform.clone(), |p| p.label.clone());
    let title = theme
        .text(&format!(
            "{platform}{}{}",
            theme.dot(),
            wizard.draft_name(index)
        ))
        .into_owned();
    let mut fields = Vec::with_capacity(defs.len());
    for (def, state) in defs.iter().zip(&draft.fields) {
        let value = review_text::field_value(
            def,
            state,
            new_store,
            &theme.mask().to_string().repeat(8),
            theme.arrow(),
        );
        fields.push((
            theme.text(&def.label).into_owned(),
            theme.text(&value).into_owned(),
        ));
    }
    if let Some(verdict) = super::test_panel::review_value(wizard, index, theme) {
        fields.push(("Connection test".to_owned(), verdict));
    }
    IntegrationRows { title, fields }
}

/// How many lines [`pair`] makes of `value`.
fn pair_height(value: &str, width: usize) -> usize {
    let (room, extra) = if width >= 64 {
        (width - LABEL_COLUMN, 0)
    } else {
        (width.saturating_sub(4), 1)
    };
    text::wrap_count(value, room) + extra
}

/// A label and its value: side by side when wide, stacked when narrow.
fn pair(label: &str, value: &str, width: usize, style: Style) -> Vec<Line<'static>> {
    if width >= 64 {
        let mut out = Vec::new();
        for (i, part) in text::wrap(value, width - LABEL_COLUMN)
            .into_iter()
            .enumerate()
        {
            let left = if i == 0 {
                format!("  {label:<w$}", w = LABEL_COLUMN - 2)
            } else {
                " ".repeat(LABEL_COLUMN)
            };
            out.push(Line::from(vec![Span::raw(left), Span::styled(part, style)]));
        }
        out
    } else {
        let mut out = vec![Line::from(format!("  {label}"))];
        out.extend(text::wrapped_lines(value, width, 4, style));
        out
    }
}

pub fn draw_outcome(frame: &mut Frame, area: Rect, wizard: &Wizard, theme: Theme) {
    let width = usize::from(area.width);
    let mut lines = Vec::new();
    match &wizard.step() {
        Step::Saving => lines.push(Line::styled(
            format!(
                "Saving: storing secrets, then writing the file{}",
                theme.ellipsis()
            ),
            theme.title(),
        )),
        Step::SaveFailed { reason, .. } => {
            lines.push(Line::styled("Not saved.", theme.error()));
            lines.push(Line::default());
            lines.extend(text::wrapped_lines(
                &theme.text(&crate::keymap::name_keys(reason)),
                width,
                0,
                Style::new(),
            ));
            lines.push(Line::default());
            let next = if wizard.file_changed() {
                "Enter reloads the file; Esc goes back to Review."
            } else {
                "Enter tries again once you have fixed the cause; Esc goes back to Review. Your answers are kept."
            };
            lines.extend(text::wrapped_lines(next, width, 0, theme.dim()));
        }
        Step::Done(report) => {
            lines.push(Line::styled("Saved.", theme.title()));
            lines.push(Line::default());
            lines.extend(text::wrapped_lines(
                &theme.text(&format!(
                    "{} integration(s) written to {}; {} secret(s) stored in the keyring.",
                    report.integrations,
                    wizard.config_path(),
                    report.secrets_written
                )),
                width,
                0,
                Style::new(),
            ));
            for warning in &report.warnings {
                lines.extend(text::wrapped_lines(
                    &format!("{}{}", theme.warning_mark(), theme.text(warning)),
                    width,
                    0,
                    theme.warning(),
                ));
            }
            lines.push(Line::default());
            let answers = wizard.answers_lines();
            if answers.is_empty() {
                lines.extend(text::wrapped_lines(
                    &theme.text(&format!(
                        "Press a to write this session's answers file ({}): the template \
                         for `wfm-wizard apply` on other servers, secrets as env var names only.",
                        wizard.answers_path()
                    )),
                    width,
                    0,
                    Style::new(),
                ));
            }
            for line in answers {
                lines.extend(text::wrapped_lines(
                    &theme.text(&line),
                    width,
                    0,
                    Style::new(),
                ));
            }
            lines.push(Line::default());
            lines.push(Line::from("Press Enter to finish."));
        }
        _ => {}
    }
    frame.render_widget(Paragraph::new(lines), area);
}
