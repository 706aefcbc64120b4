//! The YAML parser's event loop, in a crate of its own (issue 15 item 3).
//!
//! granit-parser is generic over its input, so its code is generated in whichever
//! crate names the input type. Naming it here, behind one function that takes a
//! callback, makes this crate the place the parser is compiled: the release profile
//! gives it `opt-level = 3` while wfm-wizard stays at `"s"`. At 10,000 integrations the
//! parser's events take ~2.5x less time that way, for a fraction of what `opt-level = 3`
//! for the whole program would add to the binary (docs/performance.md).

#![forbid(unsafe_code)]

pub use granit_parser::{Event, ScalarStyle};

/// How the walk over the events ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// Every event of the text was given.
    Finished,
    /// The callback asked to stop.
    Stopped,
    /// The parser found a syntax error; the events before it were given.
    Malformed,
}

/// Gives `each` every event of `text`, in order, while it returns `true`.
pub fn for_each_event(text: &str, each: &mut dyn FnMut(Event<'_>) -> bool) -> End {
    for next in granit_parser::Parser::new_from_str(text) {
        let Ok((event, _span)) = next else {
            return End::Malformed;
        };
        if !each(event) {
            return End::Stopped;
        }
    }
    End::Finished
}
