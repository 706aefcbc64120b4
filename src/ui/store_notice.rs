//! The store gate: where secrets will go, shown before the first secret field.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::text;
use super::theme::Theme;
use crate::wizard::{StoreStatus, Wizard, explain_store};

pub fn draw(frame: &mut Frame, area: Rect, wizard: &Wizard, theme: Theme) {
    let width = usize::from(area.width);
    let mut lines = vec![Line::styled(
        "Where your secrets will be kept",
        theme.title(),
    )];
    lines.push(Line::raw(""));
    let mut para = |words: &str, style: Style| {
        lines.extend(text::wrapped_lines(&theme.text(words), width, 0, style));
        lines.push(Line::raw(""));
    };
    match &wizard.store() {
        StoreStatus::Resolving => para(
            "Checking which secret store to use (the Secret Service gets at most 3 s)…",
            theme.dim(),
        ),
        StoreStatus::Unavailable(reason) => {
            para(
                &format!(
                    "{}No secret store can be used: {reason}",
                    theme.error_mark()
                ),
                theme.error(),
            );
            para(
                "Fix the store and press r to check again, or press Ctrl-C and start wfm-wizard \
                 with another --secret-store.",
                Style::new(),
            );
        }
        StoreStatus::Ready(info) => {
            let e = explain_store(info);
            para(&e.headline, theme.title());
            let lifetime_style = if e.survives_reboot {
                Style::new()
            } else {
                theme.warning()
            };
            para(
                &format!("{}{}", theme.warning_mark(), e.lifetime),
                lifetime_style,
            );
            if let Some(why) = &e.why_skipped {
                para(why, Style::new());
            }
            if let Some(fix) = &e.fix {
                para(
                    &format!("To keep secrets across reboots: {fix}"),
                    Style::new(),
                );
            }
            if e.needs_ack {
                let retry = if e.why_skipped.is_some() {
                    ", r to check the Secret Service again"
                } else {
                    ""
                };
                para(
                    &format!("Press Enter to continue with this store{retry}, or Esc to go back."),
                    theme.title(),
                );
            }
        }
    }
    if lines.len() > usize::from(area.height) {
        // Short on rows: drop the blank lines between paragraphs before anything is cut.
        lines.retain(|line| line.width() > 0);
    }
    frame.render_widget(Paragraph::new(lines), area);
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use crate::secret::{StoreKind, StoreProblem, StoreReason};
    use crate::test_support::{act, gated_wizard};
    use crate::wizard::{Action, Msg, StoreInfo, Wizard};

    fn at_gate(store: Option<Result<StoreInfo, String>>) -> Wizard {
        let mut w = gated_wizard();
        if let Some(result) = store {
            w.update(Msg::StoreResolved(result));
        }
        act(&mut w, Action::Enter);
        act(&mut w, Action::Enter);
        w
    }

    fn screen(w: &Wizard, width: u16, height: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|frame| crate::ui::draw(frame, w, crate::ui::Theme::default()))
            .unwrap();
        format!("{}", terminal.backend())
    }

    fn snapshot(name: &str, w: &Wizard) {
        for (width, height) in [(80, 24), (60, 20)] {
            insta::assert_snapshot!(format!("{name}_{width}x{height}"), screen(w, width, height));
        }
    }

    #[test]
    fn gate_states() {
        snapshot("store_gate_checking", &at_gate(None));
        snapshot(
            "store_gate_kernel_keyring_locked_secret_service",
            &at_gate(Some(Ok(StoreInfo {
                kind: StoreKind::Keyutils,
                // The words io::secrets gives for a locked gnome-keyring.
                note: Some(StoreReason::new(
                    StoreProblem::Locked,
                    "the keyring is locked or has no default (login) collection; unlock it by \
                     piping its password to `gnome-keyring-daemon --replace --components=secrets \
                     --daemonize --unlock`, or choose --secret-store keyutils (Couldn't access \
                     platform storage: SS error: prompt dismissed)",
                )),
                systemd_creds_skipped: None,
            }))),
        );
        snapshot(
            "store_gate_unavailable",
            &at_gate(Some(Err(
                "keyutils: the kernel keyring refused access".into()
            ))),
        );
    }

    #[test]
    fn the_gate_names_the_store_its_lifetime_and_the_fix() {
        let w = at_gate(Some(Ok(StoreInfo {
            kind: StoreKind::Keyutils,
            note: Some(StoreReason::new(
                StoreProblem::NoAnswer,
                "the Secret Service did not answer within 3 s",
            )),
            systemd_creds_skipped: None,
        })));
        let text: String = screen(&w, 200, 40)
            .lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n");
        for words in [
            "kernel keyring (keyutils)",
            "do NOT survive a reboot",
            "did not answer within 3 s",
            "gnome-keyring-daemon --replace --components=secrets --daemonize --unlock",
            "Enter continue",
            "r check again",
        ] {
            assert!(text.contains(words), "{words:?} missing from:\n{text}");
        }
    }
}
