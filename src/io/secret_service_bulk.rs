//! Many Secret Service entries in a few D-Bus calls, for `validate` and `status` over
//! thousands of secrets (issue 10 item 10: one read per entry costs about 0.9 ms).
//!
//! The entries are those the keyring-core zbus store writes: items with the attributes
//! `service` and `username` (and `target` when a collection was named, which
//! wfm-wizard never does), found in every collection. The per-entry read
//! searches `{service, username}`; here ONE `SearchItems({service})` finds the same
//! items, their `Attributes` are read pipelined on one connection, and their values
//! come from `GetSecrets`. Anything the per-entry read would treat specially (a
//! locked item, two items for one user, a value that is not UTF-8) is left to it: the
//! answer lists those users in [`Bulk::read_one_by_one`].

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};

use secrecy::SecretString;
use zbus::blocking::{Connection, MessageIterator};
use zbus::message::{Message, Type};
use zbus::zvariant::{ObjectPath, OwnedObjectPath, OwnedValue, Value};
use zeroize::Zeroize;

const DESTINATION: &str = "org.freedesktop.secrets";
const SERVICE_PATH: &str = "/org/freedesktop/secrets";
const SERVICE_INTERFACE: &str = "org.freedesktop.Secret.Service";
const ITEM_INTERFACE: &str = "org.freedesktop.Secret.Item";

/// Calls in flight at once while reading attributes: below zbus's default queue of 64
/// incoming messages, so the connection never stalls waiting for us to read.
const WINDOW: usize = 48;

/// Items per `GetSecrets` call: keeps each reply far below the bus's message limit, and
/// each call short, so that the caller sees answers keep coming (gnome-keyring spends
/// about 1 ms per item at 20,000 items).
const SECRETS_PER_CALL: usize = 200;

/// What one bulk read found.
#[derive(Default)]
pub struct Bulk {
    /// Users with exactly one readable item, and its value.
    pub values: HashMap<String, SecretString>,
    /// Users the bulk read cannot answer for the per-entry read: read them one by one.
    pub read_one_by_one: Vec<String>,
    /// Users with no item at all.
    pub absent: Vec<String>,
}

/// Why the bulk read gave up; the caller then reads every entry one by one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkError {
    /// The session bus or the Secret Service did not answer a call properly.
    Call { method: &'static str, why: String },
    /// Some items are locked: the per-entry read unlocks them as it always has.
    Locked,
}

impl std::fmt::Display for BulkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BulkError::Call { method, why } => write!(
                f,
                "the Secret Service's {method} failed ({why}); the entries are read one by one instead"
            ),
            BulkError::Locked => write!(
                f,
                "some Secret Service items are locked; the entries are read one by one, which unlocks them"
            ),
        }
    }
}

impl std::error::Error for BulkError {}

fn failed(method: &'static str) -> impl Fn(zbus::Error) -> BulkError {
    move |e| BulkError::Call {
        method,
        why: e.to_string(),
    }
}

/// Reads the entries of `users` under `service` from the Secret Service on the session
/// bus (`DBUS_SESSION_BUS_ADDRESS`). Blocks; run it under a deadline. Each answer
/// from the Secret Service is counted on `answered`, so that the deadline can be
/// the longest silence rather than the whole time.
pub fn read(service: &str, users: &[&str], answered: &AtomicUsize) -> Result<Bulk, BulkError> {
    let connection = Connection::session().map_err(failed("connection"))?;
    let (unlocked, locked) = search(&connection, service)?;
    answered.fetch_add(1, Ordering::SeqCst);
    if !locked.is_empty() {
        return Err(BulkError::Locked);
    }
    let owners = attributes_of(&connection, &unlocked, answered)?;
    let mut items_of: HashMap<&str, Vec<&OwnedObjectPath>> = HashMap::new();
    for (path, attributes) in unlocked.iter().zip(&owners) {
        if attributes.get("service").map(String::as_str) == Some(service)
            && let Some(user) = attributes.get("username")
        {
            items_of.entry(user.as_str()).or_default().push(path);
        }
    }
    let mut bulk = Bulk::default();
    let mut wanted: Vec<(&str, &OwnedObjectPath)> = Vec::new();
    for user in users {
        match items_of.get(user).map(Vec::as_slice) {
            None | Some([]) => bulk.absent.push((*user).to_owned()),
            Some([only]) => wanted.push((user, only)),
            Some(_) => bulk.read_one_by_one.push((*user).to_owned()),
        }
    }
    let mut secrets = secrets_of(&connection, wanted.iter().map(|(_, path)| *path), answered)?;
    for (user, path) in wanted {
        match secrets.remove(path.as_str()) {
            Some(value) => {
                bulk.values.insert(user.to_owned(), value);
            }
            None => bulk.read_one_by_one.push(user.to_owned()),
        }
    }
    Ok(bulk)
}

/// ONE search by service: (unlocked, locked) item paths.
fn search(
    connection: &Connection,
    service: &str,
) -> Result<(Vec<OwnedObjectPath>, Vec<OwnedObjectPath>), BulkError> {
    let query = HashMap::from([("service", service)]);
    connection
        .call_method(
            Some(DESTINATION),
            SERVICE_PATH,
            Some(SERVICE_INTERFACE),
            "SearchItems",
            &query,
        )
        .map_err(failed("SearchItems"))?
        .body()
        .deserialize()
        .map_err(failed("SearchItems"))
}

/// Each item's `Attributes`, in the order of `items`: requests are sent [`WINDOW`] at a
/// time ahead of their replies, so the round trips overlap instead of adding up.
fn attributes_of(
    connection: &Connection,
    items: &[OwnedObjectPath],
    answered: &AtomicUsize,
) -> Result<Vec<HashMap<String, String>>, BulkError> {
    let call_failed = failed("Attributes");
    // Made before the first request, so no reply can arrive unseen.
    let mut incoming = MessageIterator::from(connection);
    let mut answers: Vec<Option<HashMap<String, String>>> = vec![None; items.len()];
    let mut waiting: HashMap<NonZeroU32, usize> = HashMap::new();
    let mut next = 0;
    while next < items.len() || !waiting.is_empty() {
        while next < items.len() && waiting.len() < WINDOW {
            let request = Message::method_call(items[next].as_str(), "Get")
                .and_then(|b| b.destination(DESTINATION))
                .and_then(|b| b.interface("org.freedesktop.DBus.Properties"))
                .and_then(|b| b.build(&(ITEM_INTERFACE, "Attributes")))
                .map_err(&call_failed)?;
            waiting.insert(request.primary_header().serial_num(), next);
            connection.send(&request).map_err(&call_failed)?;
            next += 1;
        }
        let Some(message) = incoming.next() else {
            return Err(BulkError::Call {
                method: "Attributes",
                why: "the connection closed".to_owned(),
            });
        };
        let message = message.map_err(&call_failed)?;
        let header = message.header();
        let Some(index) = header.reply_serial().and_then(|s| waiting.remove(&s)) else {
            continue; // a signal, or a reply to someone else's call
        };
        if message.message_type() != Type::MethodReturn {
            return Err(BulkError::Call {
                method: "Attributes",
                why: format!("item {} answered with an error", items[index].as_str()),
            });
        }
        let value: OwnedValue = message.body().deserialize().map_err(&call_failed)?;
        let attributes =
            HashMap::<String, String>::try_from(value).map_err(|e| BulkError::Call {
                method: "Attributes",
                why: e.to_string(),
            })?;
        answers[index] = Some(attributes);
        answered.fetch_add(1, Ordering::SeqCst);
    }
    Ok(answers.into_iter().map(Option::unwrap_or_default).collect())
}

/// The values of `items` by path, from `GetSecrets` in a "plain" session. Values that
/// are not UTF-8 are left out (the per-entry read reports them).
///
/// "plain": the values travel over the session bus unencrypted. The "dh" session the
/// per-entry read uses encrypts them against the bus itself, which only the same user
/// can reach; the value is in this process's memory either way.
fn secrets_of<'a>(
    connection: &Connection,
    items: impl Iterator<Item = &'a OwnedObjectPath>,
    answered: &AtomicUsize,
) -> Result<HashMap<String, SecretString>, BulkError> {
    let items: Vec<ObjectPath<'_>> = items.map(|p| p.as_ref()).collect();
    if items.is_empty() {
        return Ok(HashMap::new());
    }
    let (_, session): (OwnedValue, OwnedObjectPath) = connection
        .call_method(
            Some(DESTINATION),
            SERVICE_PATH,
            Some(SERVICE_INTERFACE),
            "OpenSession",
            &("plain", Value::from("")),
        )
        .map_err(failed("OpenSession"))?
        .body()
        .deserialize()
        .map_err(failed("OpenSession"))?;
    let read = read_secrets(connection, &items, &session, answered);
    // The session ends with the connection anyway; closing early is a courtesy.
    let _ = connection.call_method(
        Some(DESTINATION),
        session.as_str(),
        Some("org.freedesktop.Secret.Session"),
        "Close",
        &(),
    );
    read
}

type Secret = (OwnedObjectPath, Vec<u8>, Vec<u8>, String);

fn read_secrets(
    connection: &Connection,
    items: &[ObjectPath<'_>],
    session: &OwnedObjectPath,
    answered: &AtomicUsize,
) -> Result<HashMap<String, SecretString>, BulkError> {
    let mut values = HashMap::with_capacity(items.len());
    for chunk in items.chunks(SECRETS_PER_CALL) {
        let reply = connection
            .call_method(
                Some(DESTINATION),
                SERVICE_PATH,
                Some(SERVICE_INTERFACE),
                "GetSecrets",
                &(chunk, session),
            )
            .map_err(failed("GetSecrets"))?;
        answered.fetch_add(1, Ordering::SeqCst);
        let secrets: HashMap<OwnedObjectPath, Secret> =
            reply.body().deserialize().map_err(failed("GetSecrets"))?;
        for (path, (_, mut parameters, value, _)) in secrets {
            parameters.zeroize();
            match String::from_utf8(value) {
                Ok(text) => {
                    values.insert(path.as_str().to_owned(), SecretString::from(text));
                }
                Err(not_text) => not_text.into_bytes().zeroize(),
            }
        }
    }
    Ok(values)
}
