//! Plain mode on a terminal that cannot show UTF-8 (`LANG=C`): every line and prompt
//! goes out in ASCII, the values the operator typed included (a group `Öst` as
//! `Ost`), as the full-screen wizard shows them. Answers come back untouched.

use crate::line_io::{Answer, LineIo};
use crate::ui::theme::Theme;

pub struct AsciiLines<'a> {
    inner: &'a mut dyn LineIo,
    theme: Theme,
}

impl<'a> AsciiLines<'a> {
    pub fn new(inner: &'a mut dyn LineIo) -> AsciiLines<'a> {
        AsciiLines {
            inner,
            theme: Theme {
                ascii: true,
                ..Theme::default()
            },
        }
    }
}

impl LineIo for AsciiLines<'_> {
    fn say(&mut self, line: &str) {
        self.inner.say(&self.theme.transliterate(line));
    }

    fn ask(&mut self, prompt: &str) -> Answer {
        self.inner.ask(&self.theme.transliterate(prompt))
    }

    fn ask_secret(&mut self, prompt: &str) -> Answer {
        self.inner.ask_secret(&self.theme.transliterate(prompt))
    }
}
