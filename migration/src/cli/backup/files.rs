//! The backup file: created new (never overwriting), readable by its owner only, under the
//! name given or a default one in the current directory.

use std::fs::OpenOptions;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use sea_orm_migration::sea_orm::DbBackend;

use super::error::BackupError;
use super::{io_err, sqlite};
use crate::cli::render;

/// Creates `path`, which must not exist (readable by its owner only: it will hold every row).
pub(super) fn create_new(path: &Path) -> Result<PathBuf, BackupError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(path.to_owned()),
        Err(err) if err.kind() == ErrorKind::AlreadyExists => {
            Err(BackupError::OutputExists { path: path.into() })
        }
        Err(source) => Err(io_err("creating", path, source)),
    }
}

/// Creates `memdb-backup-<database>-<UTC time>.<ext>` in the current directory, with `-2`,
/// `-3`, ... before the extension when backups of the same second exist.
pub(super) fn create_default(database: &str, backend: DbBackend) -> Result<PathBuf, BackupError> {
    let ext = if backend == DbBackend::Postgres {
        "dump"
    } else {
        "sqlite"
    };
    let base = format!("memdb-backup-{}-{}", file_safe(database), timestamp());
    let mut n = 1;
    loop {
        let name = if n == 1 {
            format!("{base}.{ext}")
        } else {
            format!("{base}-{n}.{ext}")
        };
        match create_new(Path::new(&name)) {
            Err(BackupError::OutputExists { .. }) if n < 100 => n += 1,
            other => return other,
        }
    }
}

/// The current UTC time as `YYYYMMDDTHHMMSSZ`.
fn timestamp() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let digits: String = render::utc(i64::try_from(seconds).unwrap_or(i64::MAX))
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    format!("{}T{}Z", &digits[..8], &digits[8..])
}

/// The SQLite file's name without its extension (`memdb` for `sqlite://memdb.sqlite?mode=rwc`).
pub(super) fn sqlite_name(url: &str) -> String {
    sqlite::options(url, "back up")
        .ok()
        .and_then(|o| {
            o.get_filename()
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
        })
        .unwrap_or_default()
}

/// `name` with everything but ASCII letters, digits, `-`, `_` and `.` replaced by `_`.
fn file_safe(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() {
        "db".to_owned()
    } else {
        safe
    }
}

#[cfg(test)]
mod tests {
    use super::{file_safe, timestamp};

    #[test]
    fn default_names_are_file_safe() {
        assert_eq!(file_safe("memdb_t_01/x y"), "memdb_t_01_x_y");
        assert_eq!(file_safe(""), "db");
        let stamp = timestamp();
        assert_eq!(stamp.len(), 16, "{stamp}");
        assert!(
            stamp.ends_with('Z') && stamp.as_bytes()[8] == b'T',
            "{stamp}"
        );
    }
}
