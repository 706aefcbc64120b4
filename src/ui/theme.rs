//! Every style and glyph the views use. Focus is shown with a marker and bold text,
//! never by recolouring whole borders or rows, so moving focus rewrites few cells.
//!
//! What the terminal can show is decided once at start-up ([`Theme::detect`], from the
//! environment's values passed in) and the theme travels to every view: ASCII glyphs
//! where the locale is not UTF-8 or the terminal is a Linux console or a VT, and no
//! colour under `NO_COLOR` (bold and reverse stay, and every state also has a mark).

use std::borrow::Cow;

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    /// Only bytes up to 0x7F reach the terminal (the operator's own typing excepted).
    pub ascii: bool,
    /// Colour codes may be sent.
    pub colour: bool,
}

impl Default for Theme {
    /// UTF-8 and colour: what a modern terminal over SSH has.
    fn default() -> Self {
        Theme {
            ascii: false,
            colour: true,
        }
    }
}

/// The environment values the theme depends on, read once by the caller.
#[derive(Clone, Copy, Debug, Default)]
pub struct Environment<'a> {
    pub lc_all: Option<&'a str>,
    pub lc_ctype: Option<&'a str>,
    pub lang: Option<&'a str>,
    pub term: Option<&'a str>,
    pub no_color: Option<&'a str>,
}

impl Theme {
    /// `ascii_flag` is `--ascii` (or `WFM_WIZARD_ASCII=1`).
    pub fn detect(env: &Environment, ascii_flag: bool) -> Theme {
        Theme {
            ascii: ascii_flag
                || !locale_is_utf8(env.lc_all, env.lc_ctype, env.lang)
                || term_lacks_unicode(env.term),
            colour: env.no_color.is_none_or(str::is_empty),
        }
    }

    pub fn marker(self) -> &'static str {
        if self.ascii { "> " } else { "› " }
    }

    pub fn no_marker(self) -> &'static str {
        "  "
    }

    /// The same in both modes: `*` is one byte on the wire per typed secret character
    /// (`•` was three in UTF-8), and is what whiptail and most password prompts show.
    #[allow(clippy::unused_self)] // kept on the theme beside the other glyphs
    pub fn mask(self) -> char {
        '*'
    }

    pub fn rule(self) -> &'static str {
        if self.ascii { "-" } else { "─" }
    }

    pub fn step_separator(self) -> &'static str {
        if self.ascii { " > " } else { " › " }
    }

    /// Between parts of a title or a status: "east · new integration".
    pub fn dot(self) -> &'static str {
        if self.ascii { " - " } else { " · " }
    }

    pub fn ellipsis(self) -> &'static str {
        if self.ascii { "..." } else { "…" }
    }

    pub fn error_mark(self) -> &'static str {
        if self.ascii { "x " } else { "✗ " }
    }

    pub fn warning_mark(self) -> &'static str {
        "! "
    }

    pub fn arrow(self) -> &'static str {
        if self.ascii { "->" } else { "→" }
    }

    pub fn border(self) -> border::Set<'static> {
        if self.ascii {
            border::Set {
                top_left: "+",
                top_right: "+",
                bottom_left: "+",
                bottom_right: "+",
                vertical_left: "|",
                vertical_right: "|",
                horizontal_top: "-",
                horizontal_bottom: "-",
            }
        } else {
            border::PLAIN
        }
    }

    /// Text (catalog, messages, hints, and values from files and keyrings) as this
    /// terminal can show it: control characters escaped (a cell would carry them to
    /// the terminal, which obeys them), then ASCII where the terminal needs it.
    pub fn text(self, text: &str) -> Cow<'_, str> {
        match crate::safe_text::escape_controls(text) {
            Cow::Borrowed(text) => self.transliterate(text),
            Cow::Owned(text) => Cow::Owned(self.transliterate(&text).into_owned()),
        }
    }

    /// `text` in ASCII where the terminal needs it (`Öst` as `Ost`, `…` as `...`),
    /// control characters left as they are: for a writer that escapes them itself.
    pub fn transliterate(self, text: &str) -> Cow<'_, str> {
        if !self.ascii || text.is_ascii() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '…' => out.push_str("..."),
                '→' => out.push_str("->"),
                c => out.push(to_ascii(c)),
            }
        }
        Cow::Owned(out)
    }

    /// What the operator typed, as this terminal can show it, column for column: on
    /// an ASCII terminal an accented letter shows as its base letter (`Öst` as `Ost`)
    /// and anything else as `?` for each column it takes, so the caret stays put.
    /// The value itself is not changed; only its picture.
    pub fn typed(self, text: &str) -> Cow<'_, str> {
        if !self.ascii || text.is_ascii() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) {
                0 => {} // a combining mark or a control: its column belongs to another
                1 => out.push(to_ascii(c)),
                wide => out.extend(std::iter::repeat_n('?', wide)),
            }
        }
        Cow::Owned(out)
    }

    pub fn title(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn focused(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn current_step(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn dim(self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }

    pub fn error(self) -> Style {
        self.coloured(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn warning(self) -> Style {
        self.coloured(Color::Yellow)
    }

    pub fn key_hint(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    fn coloured(self, colour: Color) -> Style {
        if self.colour {
            Style::new().fg(colour)
        } else {
            Style::new()
        }
    }
}

/// The effective locale (`LC_ALL`, else `LC_CTYPE`, else `LANG`; unset or empty means C)
/// names UTF-8.
pub fn locale_is_utf8(lc_all: Option<&str>, lc_ctype: Option<&str>, lang: Option<&str>) -> bool {
    let effective = [lc_all, lc_ctype, lang]
        .into_iter()
        .flatten()
        .find(|v| !v.is_empty())
        .unwrap_or("C");
    let codeset = effective
        .split_once('.')
        .map_or("", |(_, rest)| rest.split('@').next().unwrap_or(""));
    codeset.eq_ignore_ascii_case("utf-8") || codeset.eq_ignore_ascii_case("utf8")
}

/// The Linux console and DEC VTs (vt52, vt100, vt220, …) draw no Unicode box or marks.
pub fn term_lacks_unicode(term: Option<&str>) -> bool {
    let Some(term) = term else {
        return false;
    };
    let name = term.split('-').next().unwrap_or(term);
    name == "linux"
        || name
            .strip_prefix("vt")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// One character of program text in ASCII; `?` for what has no likeness.
fn to_ascii(c: char) -> char {
    match c {
        c if c.is_ascii() => c,
        '‘' | '’' | '′' => '\'',
        '“' | '”' | '″' => '"',
        '–' | '—' | '─' | '·' | '•' => '-',
        '›' | '»' => '>',
        '‹' | '←' | '«' => '<',
        '↑' => '^',
        '↓' => 'v',
        '×' | '✗' => 'x',
        '\u{a0}' => ' ',
        // A letter with marks (Ö, é, ñ) shows as its base letter.
        c => {
            use unicode_normalization::UnicodeNormalization;
            std::iter::once(c)
                .nfd()
                .next()
                .filter(char::is_ascii)
                .unwrap_or('?')
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(lang: Option<&'a str>, term: Option<&'a str>) -> Environment<'a> {
        Environment {
            lang,
            term,
            ..Environment::default()
        }
    }

    #[test]
    fn the_effective_locale_decides_utf8_with_lc_all_first_and_unset_meaning_c() {
        assert!(locale_is_utf8(None, None, Some("en_US.UTF-8")));
        assert!(locale_is_utf8(None, None, Some("C.utf8")));
        assert!(locale_is_utf8(None, None, Some("de_DE.UTF-8@euro")));
        assert!(!locale_is_utf8(None, None, None), "unset is C");
        assert!(!locale_is_utf8(None, None, Some("C")));
        assert!(!locale_is_utf8(None, None, Some("POSIX")));
        assert!(!locale_is_utf8(None, None, Some("en_US.ISO-8859-1")));
        assert!(!locale_is_utf8(
            Some("C"),
            Some("en_US.UTF-8"),
            Some("en_US.UTF-8")
        ));
        assert!(locale_is_utf8(Some("en_US.UTF-8"), Some("C"), Some("C")));
        assert!(!locale_is_utf8(None, Some("C"), Some("en_US.UTF-8")));
        assert!(
            locale_is_utf8(Some(""), Some(""), Some("C.UTF-8")),
            "empty is unset"
        );
    }

    #[test]
    fn the_linux_console_and_dec_vts_get_ascii_other_terminals_do_not() {
        for term in [
            "linux", "vt52", "vt100", "vt102", "vt220", "vt320", "vt100-am",
        ] {
            assert!(term_lacks_unicode(Some(term)), "{term}");
        }
        for term in [
            "xterm-256color",
            "screen",
            "tmux-256color",
            "vte",
            "rxvt-unicode",
        ] {
            assert!(!term_lacks_unicode(Some(term)), "{term}");
        }
        assert!(!term_lacks_unicode(None));
    }

    #[test]
    fn detect_combines_locale_term_and_flag() {
        let utf8 = Some("C.UTF-8");
        assert_eq!(
            Theme::detect(&env(utf8, Some("xterm-256color")), false),
            Theme::default()
        );
        assert!(Theme::detect(&env(Some("C"), Some("xterm")), false).ascii);
        assert!(Theme::detect(&env(utf8, Some("linux")), false).ascii);
        assert!(
            Theme::detect(&env(utf8, Some("xterm")), true).ascii,
            "--ascii"
        );
    }

    #[test]
    fn any_non_empty_no_color_turns_colour_off() {
        let with = |value| Environment {
            no_color: Some(value),
            ..env(Some("C.UTF-8"), Some("xterm"))
        };
        assert!(!Theme::detect(&with("1"), false).colour);
        assert!(!Theme::detect(&with("yes"), false).colour);
        assert!(Theme::detect(&with(""), false).colour, "empty means unset");
        let plain = Theme::detect(&with("1"), false);
        assert_eq!(plain.error().fg, None, "no colour");
        assert!(plain.error().add_modifier.contains(Modifier::BOLD));
    }

    #[test]
    fn ascii_text_and_glyphs_stay_below_0x80() {
        let ascii = Theme {
            ascii: true,
            colour: false,
        };
        let glyphs = [
            ascii.marker(),
            ascii.rule(),
            ascii.step_separator(),
            ascii.dot(),
            ascii.ellipsis(),
            ascii.error_mark(),
            ascii.warning_mark(),
            ascii.arrow(),
            ascii.border().top_left,
            ascii.border().horizontal_top,
            ascii.border().vertical_left,
        ];
        assert!(glyphs.iter().all(|g| g.is_ascii()), "{glyphs:?}");
        assert!(ascii.mask().is_ascii());
        assert_eq!(
            ascii.text("↑↓ move · ‘quoted’ — ok…"),
            "^v move - 'quoted' - ok..."
        );
        assert_eq!(Theme::default().text("↑↓"), "↑↓");
    }

    #[test]
    fn typed_text_on_an_ascii_terminal_keeps_its_columns_and_its_letters() {
        let ascii = Theme {
            ascii: true,
            colour: true,
        };
        assert_eq!(ascii.typed("Öst"), "Ost");
        assert_eq!(
            ascii.typed("O\u{308}st"),
            "Ost",
            "decomposed: the mark takes no column"
        );
        assert_eq!(ascii.typed("東京 1"), "???? 1", "wide: two columns each");
        assert_eq!(ascii.typed("Grüße"), "Gru?e");
        assert_eq!(ascii.text("Öst"), "Ost");
        assert_eq!(
            Theme::default().typed("Öst"),
            "Öst",
            "a UTF-8 terminal shows it"
        );
    }
}
