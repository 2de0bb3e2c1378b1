//! Opening the database for the migrate binaries, and redacting its URL for messages.
//!
//! `memdb` itself connects through memdb-repository (which this crate does not depend on);
//! the settings that matter to migrating are the same: SQLite in WAL mode with foreign keys on
//! and a busy timeout, the file created only when the URL's `mode` allows it.

use std::time::Duration;

use sea_orm_migration::sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm_migration::sea_orm::{ConnectOptions, Database, DatabaseConnection};

use super::error::CliError;

/// The default database: a SQLite file in the working directory, created when missing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://memdb.sqlite?mode=rwc";

/// Opens a small pool on `url` for migrating.
///
/// # Errors
/// [`CliError::UnsupportedBackend`] for a URL that is neither SQLite nor PostgreSQL;
/// [`CliError::Connect`] (URL redacted) when the database cannot be opened.
pub async fn connect(url: &str) -> Result<DatabaseConnection, CliError> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        // Migrations report what they do themselves; statement logs would only repeat it.
        .sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(5));
    if url.starts_with("sqlite:") {
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let read_only = url.contains("mode=ro");
        options.max_connections(4).map_sqlx_sqlite_opts(move |o| {
            let o = o
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true);
            if in_memory || read_only {
                o
            } else {
                o.journal_mode(SqliteJournalMode::Wal)
            }
        });
        if in_memory {
            options
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None);
        }
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        options.max_connections(4);
    } else {
        return Err(CliError::UnsupportedBackend {
            url: redact_url(url),
        });
    }
    Database::connect(options)
        .await
        .map_err(|source| CliError::Connect {
            url: redact_url(url),
            source,
        })
}

/// An in-memory SQLite database, what a dry run reads instead of a SQLite file that does not
/// exist (opening the file would create it).
pub const EMPTY_SQLITE_URL: &str = "sqlite::memory:";

/// The file a `sqlite:` URL names (as written, before the `?` options); `None` for another
/// URL.
#[must_use]
pub fn sqlite_file_path(url: &str) -> Option<std::path::PathBuf> {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .map(|rest| std::path::PathBuf::from(rest.split('?').next().unwrap_or(rest)))
}

/// Whether `url` names a SQLite file that does not exist.
#[must_use]
pub fn is_missing_sqlite_file(url: &str) -> bool {
    sqlite_file_path(url).is_some_and(|path| {
        !path.as_os_str().is_empty()
            && !path.to_string_lossy().contains(":memory:")
            && !path.exists()
    })
}

/// The URL a command connects to: a read-only command never creates a missing SQLite file
/// (`mode=rw` instead of `rwc`), and a dry run on one reads an empty in-memory database.
#[must_use]
pub fn url_for(url: &str, read_only: bool, dry_run: bool) -> String {
    if dry_run && is_missing_sqlite_file(url) {
        EMPTY_SQLITE_URL.to_owned()
    } else if read_only && url.contains("mode=rwc") {
        with_sqlite_mode(url, "rw")
    } else {
        url.to_owned()
    }
}

/// `url` with SQLite's `mode` set to `mode` (other backends' URLs come back unchanged): `rw`
/// opens an existing file only, so a read-only command never creates one.
#[must_use]
pub fn with_sqlite_mode(url: &str, mode: &str) -> String {
    if !url.starts_with("sqlite:") {
        return url.to_owned();
    }
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut params: Vec<String> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("mode="))
        .map(str::to_owned)
        .collect();
    params.push(format!("mode={mode}"));
    format!("{base}?{}", params.join("&"))
}

/// The URL with any password replaced by `***` (in `user:password@` and in every query
/// parameter whose name contains `password`), safe for messages.
#[must_use]
pub fn redact_url(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        // Not a URL we understand: show only the scheme, never the rest.
        return match url.split_once(':') {
            Some((scheme, _)) => format!("{scheme}:<unparsable url>"),
            None => "<unparsable url>".to_owned(),
        };
    };
    let mut redacted = false;
    if parsed.password().is_some() {
        // Only fails for URLs that cannot have a password, which this one has.
        let _ = parsed.set_password(Some("***"));
        redacted = true;
    }
    if let Some(query) = parsed.query() {
        let mut hidden = false;
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, value))
                    if !value.is_empty() && name.to_lowercase().contains("password") =>
                {
                    hidden = true;
                    format!("{name}=***")
                }
                _ => pair.to_owned(),
            })
            .collect();
        if hidden {
            parsed.set_query(Some(&pairs.join("&")));
            redacted = true;
        }
    }
    if redacted {
        parsed.to_string()
    } else {
        url.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::{redact_url, with_sqlite_mode};

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/memdb?password=two&sslmode=disable"),
            "postgres://app:***@db:5432/memdb?password=***&sslmode=disable"
        );
        assert_eq!(
            redact_url("sqlite://memdb.sqlite?mode=rwc"),
            "sqlite://memdb.sqlite?mode=rwc"
        );
        assert!(!redact_url("not a url with s3cret").contains("s3cret"));
    }

    #[test]
    fn sqlite_mode_is_replaced_or_added() {
        assert_eq!(
            with_sqlite_mode("sqlite://a.db?mode=rwc", "rw"),
            "sqlite://a.db?mode=rw"
        );
        assert_eq!(with_sqlite_mode("postgres://h/db", "rw"), "postgres://h/db");
    }
}
