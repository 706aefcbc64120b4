//! `wfm-wizard history`: one line per recorded save, newest last.

pub mod rollback;

use crate::utc::utc;
use std::io::Write;
use std::path::Path;

use super::{EXIT_FAILURE, EXIT_OK};
use crate::config::{Document, parse_document};
use crate::io::config_file;
use crate::io::history_file::{self, AuditRecord};
use crate::safe_text::escape;

/// The revision a document records. The file format gains `revision` with the
/// journaled save; until then every file reads as revision 0 and the audit trail
/// says which revision is current (see [`current_revision`]).
pub fn revision_of(document: &Document) -> u64 {
    document.revision
}

/// The revision the file at `path` records, when it can be read.
fn file_revision(path: &Path) -> Option<u64> {
    let text = config_file::read(path).ok()??;
    parse_document(&text).ok().map(|d| revision_of(&d))
}

/// The file's revision: what it records, or the newest save the history knows of
/// when that is later (a file from before revisions were recorded).
pub fn current_revision(file: Option<u64>, records: &[AuditRecord], kept: &[u64]) -> u64 {
    let newest_record = records.iter().map(|r| r.revision).max();
    let newest_backup = kept.iter().copied().max();
    [file, newest_record, newest_backup]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0)
}

/// `wfm-wizard history`.
pub fn history(path: &Path, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let real = crate::io::config_file::real_path_or_given(path);
    let loaded = history_file::records(&real)
        .and_then(|records| history_file::kept_backups(&real).map(|kept| (records, kept)));
    let (mut records, kept) = match loaded {
        Ok(found) => found,
        Err(e) => {
            let _ = writeln!(err, "error: {}: {e}", path.display());
            return EXIT_FAILURE;
        }
    };
    if records.is_empty() {
        let _ = writeln!(
            out,
            "No saves recorded for {} yet; each save from now on is listed here.",
            path.display()
        );
        return EXIT_OK;
    }
    records.sort_by_key(|r| r.revision);
    let file_revision = file_revision(path);
    let current = current_revision(file_revision, &records, &kept);
    let user_width = records
        .iter()
        .map(|r| escape(&r.user).chars().count())
        .max()
        .unwrap_or(0);
    for record in &records {
        let backup = if kept.contains(&record.revision) {
            "backup kept"
        } else if record.revision == current {
            "the current file"
        } else {
            "no backup (only the last 10 are kept)"
        };
        let _ = writeln!(
            out,
            "{:>5}  {}  {:user_width$}  {}  [{backup}]",
            record.revision,
            utc(record.at),
            escape(&record.user),
            record.counts,
        );
    }
    let _ = writeln!(
        out,
        "`wfm-wizard rollback N` puts back the file of a revision whose backup is kept."
    );
    EXIT_OK
}

#[cfg(test)]
mod tests;
