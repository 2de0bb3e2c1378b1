//! [`Endpoint`]: a database the copy reads or writes, identified so that two URLs of the same
//! database are recognised (the same SQLite file by canonical path, symbolic links resolved;
//! the same PostgreSQL server and database), and checked before anything connects.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use sea_orm::{DatabaseConnection, DbBackend};

use memdb_migration::cli::SQLITE_HEADER;
use memdb_migration::cli::connect::sqlite_file_path;

use super::error::CopyError;

/// One side of a copy. Its `Debug` shows the URL with the password redacted.
#[derive(Clone)]
pub struct Endpoint {
    url: String,
    backend: DbBackend,
    identity: String,
    /// A SQLite target file that did not exist when the endpoint was made (connecting creates
    /// it).
    new_file: Option<PathBuf>,
}

impl Endpoint {
    /// The source: a SQLite file that must exist and be a SQLite database (opened read-only),
    /// or a PostgreSQL database.
    ///
    /// # Errors
    /// [`CopyError::BadUrl`], [`CopyError::SourceMissing`], [`CopyError::SourceNotSqlite`].
    pub fn source(url: &str) -> Result<Self, CopyError> {
        let endpoint = Self::parse(url)?;
        if let Some(path) = sqlite_file_path(url) {
            check_sqlite_file(&path)?;
            return Ok(Self {
                url: memdb_repository::with_sqlite_mode(url, "ro"),
                ..endpoint
            });
        }
        Ok(endpoint)
    }

    /// The target: a SQLite file (created when missing) or a PostgreSQL database.
    ///
    /// # Errors
    /// [`CopyError::BadUrl`].
    pub fn target(url: &str) -> Result<Self, CopyError> {
        let endpoint = Self::parse(url)?;
        if let Some(path) = sqlite_file_path(url) {
            return Ok(Self {
                url: memdb_repository::with_sqlite_mode(url, "rwc"),
                new_file: (!path.exists()).then_some(path),
                ..endpoint
            });
        }
        Ok(endpoint)
    }

    fn parse(url: &str) -> Result<Self, CopyError> {
        let bad = |reason: &str| CopyError::BadUrl {
            url: memdb_repository::redact_url(url),
            reason: reason.to_owned(),
        };
        if let Some(path) = sqlite_file_path(url) {
            if path.as_os_str().is_empty() || url.contains(":memory:") {
                return Err(bad(
                    "an in-memory or unnamed SQLite database cannot be copied",
                ));
            }
            // An existing file is canonicalised itself (a symbolic link names its file); one
            // that does not exist yet (a target), through its directory.
            let canonical = match (path.parent(), path.file_name()) {
                _ if path.exists() => path.canonicalize().unwrap_or_else(|_| path.clone()),
                (Some(dir), Some(name)) => {
                    let dir = if dir.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        dir
                    };
                    dir.canonicalize()
                        .map_or_else(|_| path.clone(), |d| d.join(name))
                }
                _ => path.clone(),
            };
            return Ok(Self {
                url: url.to_owned(),
                backend: DbBackend::Sqlite,
                identity: format!("sqlite:{}", canonical.display()),
                new_file: None,
            });
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let parsed = url::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
            let host = match parsed.host_str().unwrap_or("localhost") {
                "localhost" | "::1" | "[::1]" => "127.0.0.1",
                other => other,
            }
            .to_owned();
            let user = match parsed.username() {
                "" => "postgres",
                user => user,
            };
            let database = match parsed.path().trim_start_matches('/') {
                "" => user,
                name => name,
            };
            return Ok(Self {
                url: url.to_owned(),
                backend: DbBackend::Postgres,
                identity: format!(
                    "postgres://{host}:{}/{database}",
                    parsed.port().unwrap_or(5432)
                ),
                new_file: None,
            });
        }
        Err(bad("not a sqlite: or postgres:// URL"))
    }

    /// The URL to connect with (read-only for a SQLite source).
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The backend.
    #[must_use]
    pub fn backend(&self) -> DbBackend {
        self.backend
    }

    /// What identifies the database, without credentials: `sqlite:/abs/path` or
    /// `postgres://host:port/database`. The target's progress records are keyed by the
    /// source's identity.
    #[must_use]
    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// The URL for messages, password redacted.
    #[must_use]
    pub fn redacted(&self) -> String {
        memdb_repository::redact_url(&self.url)
    }

    /// Connects with memdb's settings.
    ///
    /// # Errors
    /// [`CopyError::Connect`] when the database cannot be opened.
    pub async fn connect(&self) -> Result<DatabaseConnection, CopyError> {
        memdb_repository::connect(&self.url)
            .await
            .map_err(|err| CopyError::Connect(Box::new(err)))
    }
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("url", &self.redacted())
            .field("backend", &self.backend)
            .field("identity", &self.identity)
            .field("new_file", &self.new_file)
            .finish()
    }
}

impl Endpoint {
    /// Removes the SQLite target file connecting created (with its WAL and shared-memory
    /// files), after a refused copy wrote nothing into it.
    pub(crate) fn discard_new_file(&self) {
        if let Some(path) = &self.new_file {
            for suffix in ["", "-wal", "-shm"] {
                let mut file = path.clone().into_os_string();
                file.push(suffix);
                // Best effort: a file that cannot be removed is left as the empty file it is.
                let _ = std::fs::remove_file(file);
            }
        }
    }
}

/// Refuses a copy of a database into itself.
///
/// # Errors
/// [`CopyError::SameDatabase`].
pub fn check_distinct(source: &Endpoint, target: &Endpoint) -> Result<(), CopyError> {
    if source.identity == target.identity {
        return Err(CopyError::SameDatabase {
            database: source.identity.clone(),
        });
    }
    Ok(())
}

/// A source file must exist and start with SQLite's header.
fn check_sqlite_file(path: &Path) -> Result<(), CopyError> {
    let shown = path.display().to_string();
    let mut file = std::fs::File::open(path).map_err(|_| CopyError::SourceMissing {
        path: shown.clone(),
    })?;
    let mut header = [0_u8; 16];
    match file.read_exact(&mut header) {
        Ok(()) if &header == SQLITE_HEADER => Ok(()),
        _ => Err(CopyError::SourceNotSqlite { path: shown }),
    }
}
