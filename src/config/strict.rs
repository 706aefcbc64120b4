//! What the YAML layer cannot refuse by itself, checked on the parser's events before
//! the document is built: explicit tags, anchors and aliases, control characters, keys
//! the schema does not have, a version not written as a plain number, and values longer
//! than their place allows. Each refusal names the node by its path
//! (`integrations[0].settings.client_id`) and never quotes the file: a secret pasted
//! in the wrong place must not come back in a message or a log.

use std::collections::HashSet;

use wfm_yaml_events::{End, Event, ScalarStyle};

use super::{MAX_DEPTH, ParseError};
use crate::catalog::Catalog;

/// The longest Group name, in characters (README "Limits").
pub const MAX_GROUP_CHARS: usize = 64;
/// The longest keyring user name a reference may hold: a namespace, platform,
/// operation, a Group at its longest and a field fit well inside.
pub const MAX_KEYRING_USER_CHARS: usize = 256;
/// Platform, operation, store, service and setting names.
pub const MAX_NAME_CHARS: usize = 64;
/// Any other value (the recorded path is the longest legitimate one: `PATH_MAX`).
/// Settings have their own, shorter limits in the catalog.
pub const MAX_VALUE_CHARS: usize = 4096;

/// Where a node is in the schema, so its keys and its value can be checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Place {
    Root,
    Version,
    Revision,
    Namespace,
    RecordedPath,
    ConfirmedList,
    Confirmed,
    IntegrationList,
    Integration,
    Name,
    Group,
    Enabled,
    Settings,
    SettingValue,
    Keyring,
    KeyringUser,
    /// An answers file (`apply --answers`): its root, integrations, settings and the
    /// `{env|file|stdin}` mapping that says where a secret comes from.
    AnswersRoot,
    AnswersIntegrationList,
    AnswersIntegration,
    AnswersSettings,
    AnswersSettingValue,
    SourcePath,
    /// A place the serde layer reports (a wrong type), nothing to check here.
    Other,
}

const ROOT_KEYS: &[(&str, Place)] = &[
    ("version", Place::Version),
    ("namespace", Place::Namespace),
    ("path", Place::RecordedPath),
    ("revision", Place::Revision),
    ("confirmed", Place::ConfirmedList),
    ("integrations", Place::IntegrationList),
];
const INTEGRATION_KEYS: &[(&str, Place)] = &[
    ("platform", Place::Name),
    ("operation", Place::Name),
    ("group", Place::Group),
    ("enabled", Place::Enabled),
    ("settings", Place::Settings),
];
const ANSWERS_ROOT_KEYS: &[(&str, Place)] = &[
    ("version", Place::Version),
    ("confirmed", Place::ConfirmedList),
    ("integrations", Place::AnswersIntegrationList),
];
const ANSWERS_INTEGRATION_KEYS: &[(&str, Place)] = &[
    ("platform", Place::Name),
    ("operation", Place::Name),
    ("group", Place::Group),
    ("state", Place::Name),
    ("enabled", Place::Enabled),
    ("settings", Place::AnswersSettings),
];
const SOURCE_KEYS: &[(&str, Place)] = &[
    ("env", Place::Name),
    ("file", Place::SourcePath),
    ("stdin", Place::Enabled),
];
const SETTING_VALUE_KEYS: &[(&str, Place)] = &[("keyring", Place::Keyring)];
const KEYRING_KEYS: &[(&str, Place)] = &[
    ("store", Place::Name),
    ("service", Place::Name),
    ("user", Place::KeyringUser),
];

impl Place {
    /// The keys a mapping here may have; `None` for settings, whose names the catalog
    /// checks (by position, so an unknown one is not quoted either).
    fn keys(self) -> Option<&'static [(&'static str, Place)]> {
        match self {
            Place::Root => Some(ROOT_KEYS),
            Place::Integration => Some(INTEGRATION_KEYS),
            Place::SettingValue => Some(SETTING_VALUE_KEYS),
            Place::Keyring => Some(KEYRING_KEYS),
            Place::AnswersRoot => Some(ANSWERS_ROOT_KEYS),
            Place::AnswersIntegration => Some(ANSWERS_INTEGRATION_KEYS),
            Place::AnswersSettingValue => Some(SOURCE_KEYS),
            _ => None,
        }
    }

    fn item(self) -> Place {
        match self {
            Place::IntegrationList => Place::Integration,
            Place::AnswersIntegrationList => Place::AnswersIntegration,
            Place::ConfirmedList => Place::Confirmed,
            _ => Place::Other,
        }
    }

    fn max_chars(self) -> usize {
        match self {
            Place::Version | Place::Revision => 20,
            Place::Enabled => 5,
            Place::Namespace | Place::Name => MAX_NAME_CHARS,
            Place::Group => MAX_GROUP_CHARS,
            Place::KeyringUser | Place::Confirmed => MAX_KEYRING_USER_CHARS,
            _ => MAX_VALUE_CHARS,
        }
    }
}

/// How a node is reached from its parent; a path is built from these only for a
/// message, so a good file costs no string per node.
#[derive(Clone, Copy)]
enum Segment {
    Root,
    /// A key of the schema's own (`integrations`, `platform`, ...).
    Field(&'static str),
    /// A setting the catalog knows, by its index in the walker's names.
    Setting(usize),
    /// A setting the catalog does not know, by its ordinal: never quoted.
    UnknownSetting(usize),
    /// A key where the schema has none, by its ordinal.
    Key(usize),
    Item(usize),
}

struct Frame {
    place: Place,
    segment: Segment,
    mapping: bool,
    /// Mapping: the place and segment of the value whose key was just read.
    pending: Option<(Place, Segment)>,
    /// Keys (mapping) or items (sequence) read so far.
    count: usize,
    /// Keys seen, by their index in the key table or the known settings' names.
    seen: u128,
    /// Keys seen that are in neither.
    seen_other: HashSet<String>,
}

/// What the next node is.
enum Position {
    Key,
    Value(Place, Segment),
    /// After the first document: the parser proper refuses a second one.
    Outside,
}

struct Walker<S: Sink> {
    /// What the document is: a config (`Root`) or an answers file (`AnswersRoot`).
    root: Place,
    stack: Vec<Frame>,
    root_seen: bool,
    setting_names: Vec<String>,
    sink: S,
}

/// What else watches the walk: every node the checks let through, in order, so the
/// document can be built in the same pass (`single_pass.rs`). Each is told after the
/// node passed its checks; `malformed` when the parser stops on a syntax error.
pub(super) trait Sink {
    fn event(&mut self, _event: &Event<'_>) {}
    fn key(&mut self, _parent: Place, _key: &str, _style: ScalarStyle) {}
    fn value(&mut self, _place: Place, _value: &str, _style: ScalarStyle) {}
    fn open(&mut self, _place: Place, _mapping: bool) {}
    fn close(&mut self) {}
    fn malformed(&mut self) {}
}

/// Only the checks.
struct NoSink;
impl Sink for NoSink {}

/// Checks the text's nodes; `Ok` also when the YAML is malformed, which the parser
/// proper reports next.
pub fn check_nodes(text: &str) -> Result<(), ParseError> {
    check_nodes_from(text, Place::Root)
}

/// [`check_nodes`] for an answers file (`apply --answers`): the same refusals, over
/// its own keys.
pub fn check_answer_nodes(text: &str) -> Result<(), ParseError> {
    check_nodes_from(text, Place::AnswersRoot)
}

fn check_nodes_from(text: &str, root: Place) -> Result<(), ParseError> {
    walk(text, root, NoSink).map(|_| ())
}

/// Checks a config's nodes while `sink` watches them; gives the sink back.
pub(super) fn walk_config<S: Sink>(text: &str, sink: S) -> Result<S, ParseError> {
    walk(text, Place::Root, sink)
}

fn walk<S: Sink>(text: &str, root: Place, sink: S) -> Result<S, ParseError> {
    let mut walker = Walker {
        root,
        stack: Vec::new(),
        root_seen: false,
        setting_names: known_setting_names(),
        sink,
    };
    let mut refused = None;
    let end = wfm_yaml_events::for_each_event(text, &mut |event| {
        walker.sink.event(&event);
        match walker.event(event) {
            Ok(()) => true,
            Err(refusal) => {
                refused = Some(refusal);
                false
            }
        }
    });
    if let Some(refusal) = refused {
        return Err(refusal);
    }
    if end == End::Malformed {
        walker.sink.malformed();
    }
    Ok(walker.sink)
}

fn known_setting_names() -> Vec<String> {
    let mut names: Vec<String> = Catalog::builtin()
        .platforms
        .iter()
        .flat_map(|p| p.fields.iter().map(|f| f.key.clone()))
        .collect();
    names.sort();
    names.dedup();
    names
}

impl<S: Sink> Walker<S> {
    fn event(&mut self, event: Event<'_>) -> Result<(), ParseError> {
        match event {
            Event::Scalar(value, style, anchor, tag) => match self.position() {
                Position::Key => {
                    let parent = self.key(&value, anchor, tag.is_some())?;
                    self.sink.key(parent, &value, style);
                    Ok(())
                }
                Position::Value(place, segment) => {
                    if tag.is_some() || anchor != 0 {
                        refuse_decorations(&self.path_to(segment), anchor, tag.is_some())?;
                    }
                    if let Err(what) = check_scalar(place, &value, style) {
                        return Err(refusal(&self.path_to(segment), &what));
                    }
                    self.sink.value(place, &value, style);
                    self.value_done();
                    Ok(())
                }
                Position::Outside => {
                    self.sink.value(Place::Other, &value, style);
                    Ok(())
                }
            },
            Event::MappingStart(_, anchor, tag) => self.open(true, anchor, tag.is_some()),
            Event::SequenceStart(_, anchor, tag) => self.open(false, anchor, tag.is_some()),
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.sink.close();
                self.value_done();
                Ok(())
            }
            Event::Alias(_) | Event::UnresolvedAlias(_) => {
                let path = match self.position() {
                    Position::Value(_, segment) => self.path_to(segment),
                    _ => self.path(),
                };
                Err(refusal(
                    &path,
                    "is a YAML alias (`*`); wfm-wizard files do not use anchors or aliases: \
                     write the value out",
                ))
            }
            _ => Ok(()),
        }
    }

    /// The path of the innermost open collection.
    fn path(&self) -> String {
        let mut out = String::new();
        for frame in &self.stack {
            self.push_segment(&mut out, frame.segment);
        }
        out
    }

    /// The path of a child of the innermost open collection.
    fn path_to(&self, segment: Segment) -> String {
        let mut out = self.path();
        self.push_segment(&mut out, segment);
        out
    }

    fn push_segment(&self, out: &mut String, segment: Segment) {
        match segment {
            Segment::Root => {}
            Segment::Field(name) => *out = join(out, name),
            Segment::Setting(index) => *out = join(out, &self.setting_names[index]),
            Segment::UnknownSetting(n) => *out = format!("{}.<setting {n}>", shown(out)),
            Segment::Key(n) => *out = format!("{}.<key {n}>", shown(out)),
            Segment::Item(n) => *out = format!("{out}[{n}]"),
        }
    }

    fn position(&mut self) -> Position {
        let Some(top) = self.stack.last_mut() else {
            if self.root_seen {
                return Position::Outside;
            }
            self.root_seen = true;
            return Position::Value(self.root, Segment::Root);
        };
        if top.mapping {
            match top.pending {
                None => Position::Key,
                Some((place, segment)) => Position::Value(place, segment),
            }
        } else {
            let segment = Segment::Item(top.count);
            top.count += 1;
            Position::Value(top.place.item(), segment)
        }
    }

    /// A mapping's value is complete: its next node is a key.
    fn value_done(&mut self) {
        if let Some(top) = self.stack.last_mut()
            && top.mapping
        {
            top.pending = None;
        }
    }

    fn open(&mut self, mapping: bool, anchor: usize, tagged: bool) -> Result<(), ParseError> {
        let (place, segment) = match self.position() {
            Position::Key => {
                return Err(refusal(&self.path(), "has a key that is not plain text"));
            }
            Position::Value(place, segment) => (place, segment),
            Position::Outside => (Place::Other, Segment::Root),
        };
        if tagged || anchor != 0 {
            refuse_decorations(&self.path_to(segment), anchor, tagged)?;
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(ParseError(format!(
                "nesting is deeper than {MAX_DEPTH} levels (at `{}`)",
                shown(&self.path_to(segment))
            )));
        }
        self.sink.open(place, mapping);
        self.stack.push(Frame {
            place,
            segment,
            mapping,
            pending: None,
            count: 0,
            seen: 0,
            seen_other: HashSet::new(),
        });
        Ok(())
    }

    /// Checks a key; gives the place of the mapping it is in.
    fn key(&mut self, key: &str, anchor: usize, tagged: bool) -> Result<Place, ParseError> {
        let Some(top) = self.stack.last_mut() else {
            return Ok(Place::Other);
        };
        top.count += 1;
        let count = top.count;
        let place = top.place;
        if tagged || anchor != 0 {
            return Err(refusal(
                &self.path(),
                &format!(
                    "has a YAML tag or anchor on its {} key; remove it",
                    ordinal(count)
                ),
            ));
        }
        if key.chars().any(char::is_control) {
            return Err(refusal(
                &self.path(),
                &format!(
                    "has a control character in its {} key; remove it",
                    ordinal(count)
                ),
            ));
        }
        if key.chars().count() > MAX_NAME_CHARS {
            return Err(refusal(
                &self.path(),
                &format!(
                    "has a key longer than {MAX_NAME_CHARS} characters (its {})",
                    ordinal(count)
                ),
            ));
        }
        // The key's index among those this mapping may have, when it is one of them.
        let (child, index) = match place.keys() {
            Some(table) => {
                let Some(index) = table.iter().position(|(name, _)| *name == key) else {
                    let known: Vec<&str> = table.iter().map(|(name, _)| *name).collect();
                    return Err(refusal(
                        &self.path(),
                        &format!(
                            "has an unknown key (its {}); the keys here are: {}",
                            ordinal(count),
                            known.join(", ")
                        ),
                    ));
                };
                let (name, child) = table[index];
                ((child, Segment::Field(name)), Some(index))
            }
            None if matches!(place, Place::Settings | Place::AnswersSettings) => {
                let value = if place == Place::Settings {
                    Place::SettingValue
                } else {
                    Place::AnswersSettingValue
                };
                match self
                    .setting_names
                    .binary_search_by(|name| name.as_str().cmp(key))
                {
                    Ok(index) => ((value, Segment::Setting(index)), Some(index)),
                    Err(_) => ((value, Segment::UnknownSetting(count)), None),
                }
            }
            None => ((Place::Other, Segment::Key(count)), None),
        };
        let Some(top) = self.stack.last_mut() else {
            return Ok(Place::Other);
        };
        let fresh = match index {
            Some(index) if index < 128 => {
                let bit = 1u128 << index;
                let fresh = top.seen & bit == 0;
                top.seen |= bit;
                fresh
            }
            _ => top.seen_other.insert(key.to_owned()),
        };
        top.pending = Some(child);
        if !fresh {
            return Err(refusal(
                &self.path_to(child.1),
                "appears twice; each key may appear once in its mapping",
            ));
        }
        Ok(place)
    }
}

fn refuse_decorations(path: &str, anchor: usize, tagged: bool) -> Result<(), ParseError> {
    if tagged {
        return Err(refusal(
            path,
            "has a YAML tag (`!...`); wfm-wizard files use none: remove it",
        ));
    }
    if anchor != 0 {
        return Err(refusal(
            path,
            "has a YAML anchor (`&`); wfm-wizard files use none: remove it",
        ));
    }
    Ok(())
}

/// What is wrong with a value at `place`, if anything.
fn check_scalar(place: Place, value: &str, style: ScalarStyle) -> Result<(), String> {
    // A setting's block scalar (`|`) holds line feeds; the catalog's rules refuse them
    // in the settings it knows (`validate::check_field`).
    let allowed = |c: char| {
        matches!(place, Place::SettingValue | Place::AnswersSettingValue)
            && matches!(c, '\n' | '\t')
    };
    if value.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(
            "holds a control character (such as NUL, a line break or an escape); remove it"
                .to_owned(),
        );
    }
    let max = place.max_chars();
    // Characters are never more than bytes: only a long value is counted.
    if value.len() > max && value.chars().count() > max {
        return Err(format!("is longer than {max} characters"));
    }
    if matches!(place, Place::Version | Place::Revision) && !is_plain_number(value, style) {
        return Err(
            "must be a plain whole number, as in `version: 2`: no quotes, sign, \
                    prefix or leading zero"
                .to_owned(),
        );
    }
    Ok(())
}

fn is_plain_number(value: &str, style: ScalarStyle) -> bool {
    style == ScalarStyle::Plain
        && !value.is_empty()
        && value.bytes().all(|b| b.is_ascii_digit())
        && (value == "0" || !value.starts_with('0'))
}

fn refusal(path: &str, what: &str) -> ParseError {
    ParseError(format!("`{}` {what}", shown(path)))
}

fn shown(path: &str) -> &str {
    if path.is_empty() {
        "the document"
    } else {
        path
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn ordinal(n: usize) -> String {
    let suffix = if (11..=13).contains(&(n % 100)) {
        "th"
    } else {
        match n % 10 {
            1 => "st",
            2 => "nd",
            3 => "rd",
            _ => "th",
        }
    };
    format!("{n}{suffix}")
}
