//! `wfm-wizard history`: one line per recorded save, newest last.

pub mod rollback;

use std::io::Write;
use std::path::Path;

use super::{EXIT_FAILURE, EXIT_OK};
use crate::config::diff::escape;
use crate::config::{Document, parse_document};
use crate::io::config_file;
use crate::io::history_file::{self, AuditRecord};

/// The revision a document records. The file format gains `revision` with the
/// journaled save; until then every file reads as revision 0 and the audit trail
/// says which revision is current (see [`current_revision`]).
pub fn revision_of(_document: &Document) -> u64 {
    0
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
    let real = history_file::real_path(path);
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

/// `2027-01-15 08:00:00Z`, from seconds since the epoch, without a date crate.
pub fn utc(at: i64) -> String {
    let days = at.div_euclid(86_400);
    let seconds = at.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}Z",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (year, month, day)
/// in the proleptic Gregorian calendar.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests;
