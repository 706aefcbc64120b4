//! The draft file's format (`<config>.draft`): the non-secret state of an unsaved
//! session, as serde sees it. Pure data: the wizard builds and applies it
//! (`wizard/resume.rs`), `io/draft_file.rs` and `io/effects/draft.rs` read and write it.

use serde::{Deserialize, Serialize};

use super::Integration;
use crate::secret::SecretRef;

/// The draft file's format version. Version 2 records the namespace; version 3 lists
/// only the integrations that differ from the file. Versions 1 and 2 are still read.
pub const DRAFT_VERSION: u32 = 3;

/// The non-secret state of a session, as written to the draft file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    pub version: u32,
    /// The namespace the session was writing under (absent in version-1 drafts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub platform: String,
    #[serde(default)]
    pub confirmed: Vec<String>,
    pub at: Position,
    /// The integrations that differ from the file: new ones, and those loaded from it
    /// and changed (each with the integration it was loaded from). The file's others
    /// are resumed as the file has them, in its order; before version 3 every
    /// integration is here. At 10,000 integrations a full list cost each step ~100 ms.
    pub integrations: Vec<DraftIntegration>,
    /// Integrations loaded from the file and deleted before the draft was saved.
    #[serde(default)]
    pub removed: Vec<Integration>,
    /// Secrets typed while no secret store was ready: not kept anywhere.
    #[serde(default)]
    pub secrets_left_out: usize,
}

/// Where the operator was.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "step", deny_unknown_fields)]
pub enum Position {
    Platform,
    Operation {
        operation: String,
    },
    /// `integration`: from version 3, which of the draft's integrations (the open form
    /// is always among them); before, which of the session's.
    Form {
        integration: usize,
        focus: usize,
    },
    Review,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftIntegration {
    pub platform: String,
    pub operation: String,
    /// The integration as loaded from the config file, when it came from there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<Integration>,
    pub touched: bool,
    pub fields: Vec<DraftField>,
}

/// One field's answer. A secret holds only names of keyring entries, never a value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", deny_unknown_fields)]
pub enum DraftField {
    Text {
        key: String,
        value: String,
    },
    Toggle {
        key: String,
        on: bool,
    },
    Secret {
        key: String,
        /// The draft entry holding what was typed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        typed: Option<SecretRef>,
        /// The entry the config file already refers to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stored: Option<SecretRef>,
    },
}

impl DraftField {
    /// The form field this answer belongs to.
    pub fn key(&self) -> &str {
        match self {
            DraftField::Text { key, .. }
            | DraftField::Toggle { key, .. }
            | DraftField::Secret { key, .. } => key,
        }
    }
}

impl Snapshot {
    /// The draft entries this draft names: the typed secrets waiting in the store.
    pub fn typed_entries(&self) -> Vec<SecretRef> {
        self.integrations
            .iter()
            .flat_map(|i| &i.fields)
            .filter_map(|f| match f {
                DraftField::Secret { typed, .. } => typed.clone(),
                _ => None,
            })
            .collect()
    }
}
