//! The document built in the strict pass itself (issue 15 item 3): the parser's events
//! are read once, checked by `strict.rs` and turned into the model here, instead of a
//! second full parse by serde-saphyr (two thirds of a load's time at 10,000
//! integrations).
//!
//! It builds only what it is sure serde-saphyr would build the same way: plain
//! scalars that serde-saphyr could read as something else (null, a boolean, a number
//! not written in plain decimal), a missing field, an unexpected shape, a second
//! document, a merge key, a syntax error, or a count near a parser budget make it give
//! up, and `parse_document` then runs the serde-saphyr pass as before, which refuses
//! or explains. So every budget and refusal stays where it was; a test compares the
//! two on the loader's fuzz corpus.

use wfm_yaml_events::{Event, ScalarStyle};

use super::strict::{Place, Sink};
use super::{Document, Integration, MAX_EVENTS, MAX_NODES, ParseError, Setting, Settings};
use crate::secret::{SecretRef, StoreKind};

/// Builds the document from a checked walk; `Ok(None)` when it gave up (see above),
/// `Err` when the strict checks refused the file.
pub(super) fn parse(text: &str) -> Result<Option<Document>, ParseError> {
    let builder = super::strict::walk_config(text, Builder::default())?;
    Ok(builder.finish())
}

/// A margin below the parser budgets: serde-saphyr counts events as this does, but
/// near a limit the two passes are not worth comparing; the serde pass decides.
const BUDGET_MARGIN: usize = 64;

#[derive(Default)]
struct Builder {
    gave_up: bool,
    events: usize,
    nodes: usize,
    documents: usize,
    /// The places of the open collections.
    open: Vec<Place>,
    version: Option<u32>,
    namespace: Option<String>,
    path: Option<String>,
    revision: Option<u64>,
    confirmed: Vec<String>,
    integrations: Vec<Integration>,
    root_done: bool,
    /// The last key read at each level that has fields.
    root_key: Option<RootKey>,
    integration_key: Option<IntegrationKey>,
    keyring_key: Option<KeyringKey>,
    setting_key: Option<String>,
    integration: PartialIntegration,
    keyring: PartialKeyring,
    /// The setting value mapping held its `keyring`.
    secret: Option<SecretRef>,
}

#[derive(Clone, Copy)]
enum RootKey {
    Version,
    Namespace,
    Path,
    Revision,
    Confirmed,
    Integrations,
}

#[derive(Clone, Copy)]
enum IntegrationKey {
    Platform,
    Operation,
    Group,
    Enabled,
    Settings,
}

#[derive(Clone, Copy)]
enum KeyringKey {
    Store,
    Service,
    User,
}

#[derive(Default)]
struct PartialIntegration {
    platform: Option<String>,
    operation: Option<String>,
    group: Option<String>,
    enabled: Option<bool>,
    settings: Vec<(String, Setting)>,
}

#[derive(Default)]
struct PartialKeyring {
    store: Option<StoreKind>,
    service: Option<String>,
    user: Option<String>,
}

impl Builder {
    fn finish(self) -> Option<Document> {
        if self.gave_up || !self.root_done {
            return None;
        }
        Some(Document {
            version: self.version?,
            namespace: self.namespace,
            path: self.path,
            revision: self.revision.unwrap_or(0),
            confirmed: self.confirmed,
            integrations: self.integrations,
        })
    }

    fn give_up(&mut self) {
        self.gave_up = true;
    }

    fn top(&self) -> Option<Place> {
        self.open.last().copied()
    }

    fn open_ok(&mut self, place: Place, mapping: bool) -> bool {
        match (place, mapping) {
            (Place::Root, true) => self.open.is_empty() && !self.root_done,
            (Place::IntegrationList, false) => {
                matches!(self.root_key, Some(RootKey::Integrations))
            }
            (Place::ConfirmedList, false) => matches!(self.root_key, Some(RootKey::Confirmed)),
            (Place::Integration, true) => {
                self.integration = PartialIntegration::default();
                true
            }
            (Place::Settings, true) => {
                matches!(self.integration_key, Some(IntegrationKey::Settings))
            }
            (Place::SettingValue, true) => {
                self.secret = None;
                true
            }
            (Place::Keyring, true) => {
                self.keyring = PartialKeyring::default();
                true
            }
            _ => false,
        }
    }

    /// A collection closed: what it held goes to its parent.
    fn closed(&mut self, place: Place) -> Option<()> {
        match place {
            Place::Root => self.root_done = true,
            Place::Integration => {
                let partial = std::mem::take(&mut self.integration);
                self.integrations.push(Integration {
                    platform: partial.platform?,
                    operation: partial.operation?,
                    group: partial.group,
                    enabled: partial.enabled?,
                    settings: Settings(partial.settings),
                });
            }
            Place::Keyring => {
                let partial = std::mem::take(&mut self.keyring);
                self.secret = Some(SecretRef {
                    store: partial.store?,
                    service: partial.service?,
                    user: partial.user?,
                });
            }
            Place::SettingValue => {
                let secret = self.secret.take()?;
                let key = self.setting_key.take()?;
                self.integration
                    .settings
                    .push((key, Setting::Secret(secret)));
            }
            _ => {}
        }
        Some(())
    }

    fn key_ok(&mut self, parent: Place, key: &str, style: ScalarStyle) -> Option<()> {
        if is_null(key, style) {
            return None;
        }
        match parent {
            Place::Root => {
                self.root_key = Some(match key {
                    "version" => RootKey::Version,
                    "namespace" => RootKey::Namespace,
                    "path" => RootKey::Path,
                    "revision" => RootKey::Revision,
                    "confirmed" => RootKey::Confirmed,
                    "integrations" => RootKey::Integrations,
                    _ => return None,
                });
            }
            Place::Integration => {
                self.integration_key = Some(match key {
                    "platform" => IntegrationKey::Platform,
                    "operation" => IntegrationKey::Operation,
                    "group" => IntegrationKey::Group,
                    "enabled" => IntegrationKey::Enabled,
                    "settings" => IntegrationKey::Settings,
                    _ => return None,
                });
            }
            Place::Settings => {
                // serde-saphyr counts `<<` as a merge key (budget 0).
                if key == "<<" {
                    return None;
                }
                self.setting_key = Some(key.to_owned());
            }
            Place::SettingValue => {
                if key != "keyring" {
                    return None;
                }
            }
            Place::Keyring => {
                self.keyring_key = Some(match key {
                    "store" => KeyringKey::Store,
                    "service" => KeyringKey::Service,
                    "user" => KeyringKey::User,
                    _ => return None,
                });
            }
            _ => return None,
        }
        Some(())
    }

    fn value_ok(&mut self, place: Place, value: &str, style: ScalarStyle) -> Option<()> {
        match (self.top()?, place) {
            (Place::Root, _) => match self.root_key? {
                RootKey::Version => self.version = Some(value.parse().ok()?),
                RootKey::Revision => self.revision = Some(value.parse().ok()?),
                RootKey::Namespace => self.namespace = Some(text(value, style)?),
                RootKey::Path => self.path = Some(text(value, style)?),
                RootKey::Confirmed | RootKey::Integrations => return None,
            },
            (Place::ConfirmedList, Place::Confirmed) => self.confirmed.push(text(value, style)?),
            (Place::Integration, _) => {
                let partial = &mut self.integration;
                match self.integration_key? {
                    IntegrationKey::Platform => partial.platform = Some(text(value, style)?),
                    IntegrationKey::Operation => partial.operation = Some(text(value, style)?),
                    IntegrationKey::Group => partial.group = Some(text(value, style)?),
                    IntegrationKey::Enabled => {
                        partial.enabled = Some(match (value, style) {
                            ("true", ScalarStyle::Plain) => true,
                            ("false", ScalarStyle::Plain) => false,
                            _ => return None,
                        });
                    }
                    IntegrationKey::Settings => return None,
                }
            }
            (Place::Settings, Place::SettingValue) => {
                let key = self.setting_key.take()?;
                let setting = setting_text(value, style)?;
                self.integration
                    .settings
                    .push((key, Setting::Text(setting)));
            }
            (Place::Keyring, _) => match self.keyring_key? {
                KeyringKey::Store => self.keyring.store = Some(store(value)?),
                KeyringKey::Service => self.keyring.service = Some(text(value, style)?),
                KeyringKey::User => self.keyring.user = Some(text(value, style)?),
            },
            _ => return None,
        }
        Some(())
    }
}

impl Sink for Builder {
    fn event(&mut self, event: &Event<'_>) {
        self.events += 1;
        match event {
            Event::Scalar(..) | Event::MappingStart(..) | Event::SequenceStart(..) => {
                self.nodes += 1;
            }
            Event::DocumentStart(..) => self.documents += 1,
            // The comment and anchor events are off; an alias is refused by the walk.
            _ => {}
        }
        if self.documents > 1
            || self.events + BUDGET_MARGIN > MAX_EVENTS
            || self.nodes + BUDGET_MARGIN > MAX_NODES
        {
            self.give_up();
        }
    }

    fn key(&mut self, parent: Place, key: &str, style: ScalarStyle) {
        if !self.gave_up && self.key_ok(parent, key, style).is_none() {
            self.give_up();
        }
    }

    fn value(&mut self, place: Place, value: &str, style: ScalarStyle) {
        if !self.gave_up && self.value_ok(place, value, style).is_none() {
            self.give_up();
        }
    }

    fn open(&mut self, place: Place, mapping: bool) {
        if self.gave_up {
            return;
        }
        if self.open_ok(place, mapping) {
            self.open.push(place);
        } else {
            self.give_up();
        }
    }

    fn close(&mut self) {
        if self.gave_up {
            return;
        }
        let Some(place) = self.open.pop() else {
            self.give_up();
            return;
        };
        if self.closed(place).is_none() {
            self.give_up();
        }
    }

    fn malformed(&mut self) {
        self.give_up();
    }
}

/// serde-saphyr reads an empty, `~` or `null` plain scalar as null, not as text.
fn is_null(value: &str, style: ScalarStyle) -> bool {
    style == ScalarStyle::Plain && matches!(value, "" | "~" | "null" | "Null" | "NULL")
}

/// A `String` field: any scalar but a plain null is its text.
fn text(value: &str, style: ScalarStyle) -> Option<String> {
    (!is_null(value, style)).then(|| value.to_owned())
}

/// A setting is read as "any" value: quoted text is text; a plain scalar is text only
/// when serde-saphyr could not read it as null, a boolean or a float, and a number
/// only in plain decimal (its text is then what `visit_u64` gives back).
fn setting_text(value: &str, style: ScalarStyle) -> Option<String> {
    if style != ScalarStyle::Plain {
        return Some(value.to_owned());
    }
    let first = value.bytes().next()?;
    if first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.') {
        let decimal = value.bytes().all(|b| b.is_ascii_digit())
            && (value == "0" || !value.starts_with('0'))
            && value.parse::<u64>().is_ok();
        return decimal.then(|| value.to_owned());
    }
    let reads_as_other = [
        "true", "false", "yes", "no", "y", "n", "on", "off", "null", "inf", "infinity", "nan",
    ]
    .iter()
    .any(|word| value.eq_ignore_ascii_case(word))
        || value == "~"
        // Angle forms such as `deg(90)`, when a parser option turns them on.
        || value.contains('(');
    (!reads_as_other).then(|| value.to_owned())
}

fn store(value: &str) -> Option<StoreKind> {
    Some(match value {
        "secret-service" => StoreKind::SecretService,
        "keyutils" => StoreKind::Keyutils,
        "keychain" => StoreKind::Keychain,
        "windows" => StoreKind::Windows,
        "systemd-creds" => StoreKind::SystemdCreds,
        _ => return None,
    })
}
