//! Crash recovery's state: the draft offered from an earlier session, the draft
//! keyring entries that hold typed secrets now, and the secrets being read back.
//! `autosave` writes drafts, `draft_plan` says what goes in one, `resume` restores one.

use secrecy::SecretString;

use super::SecretWrite;
use crate::config::draft::Snapshot;
use crate::secret::SecretRef;

#[derive(Debug, Default)]
pub(super) struct Recovery {
    /// A draft from an earlier session, until the operator resumes or discards it.
    pub(super) offer: Option<Snapshot>,
    /// Draft keyring entries that hold typed secrets now (deleted on save or discard).
    pub(super) entries: Vec<SecretRef>,
    /// Counts drafts and discards, so that an older plan carried out late is skipped.
    pub(super) generation: u64,
    /// The last draft left typed secrets out (no store yet): the next one catches up.
    pub(super) secrets_left_out: bool,
    /// (integration, field, draft entry) of secrets being read back after a resume.
    pub(super) restoring: Vec<(usize, usize, SecretRef)>,
    /// The field each draft entry of the last draft parks, in words (to say which
    /// secret a draft could not keep).
    pub(super) parked: Vec<(SecretRef, String)>,
    /// (integration, field) that had focus when the resumed draft was written: the
    /// form opens there, after the store gate if a new session shows one first.
    pub(super) focus: Option<(usize, usize)>,
}

/// What saving a draft writes: the typed secrets into draft entries, then the file,
/// then removing draft entries no longer needed.
#[derive(Debug)]
pub struct DraftPlan {
    /// Later plans win: a plan older than one already carried out is skipped.
    pub generation: u64,
    pub snapshot: Snapshot,
    pub writes: Vec<SecretWrite>,
    pub deletes: Vec<SecretRef>,
}

/// What became of the secrets a resumed draft names.
pub type LoadedSecrets = Vec<(SecretRef, Option<SecretString>)>;
