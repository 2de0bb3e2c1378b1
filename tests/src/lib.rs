//! Test support for memdb: [`TestDb`], a fresh, migrated database per test.
//!
//! By default each [`TestDb`] is a new SQLite file in a temporary directory. When
//! `TEST_DATABASE_URL` is a PostgreSQL URL (`postgres://user@host:port/db`), each one is a
//! uniquely named PostgreSQL database (`memdb_t_<uuid>`) created on that server and dropped
//! when the guard is dropped. Set `MEMDB_KEEP_TEST_DB=1` to keep the databases for debugging;
//! their locations are printed.
//!
//! [`TestDb::new`] does not run the migrations for every test: the first test of a process
//! that needs a migrated database migrates a template once, and every test gets a copy of it.
//! The template is named after a fingerprint of the migration sources (taken at build time),
//! so editing a migration, even in place, makes the next run build a new template.
//!
//! - PostgreSQL: the template is the database `tplmemdb_<fingerprint>` (a template database
//!   that accepts no connections), built under an advisory lock by whichever test process gets
//!   there first and copied with `CREATE DATABASE ... TEMPLATE`. It stays on the server across
//!   runs, which is what makes later runs fast; building a new one drops the older ones except
//!   the two newest (other checkouts sharing the server keep theirs). Its name cannot match
//!   the `memdb_t_%` pattern that counts test databases left behind.
//! - SQLite: the template is the file `<temp dir>/memdb-test-templates/<fingerprint>.sqlite`,
//!   kept across runs as well, and each test copies it into its own temporary directory.
//!
//! [`TestDb::empty`] and [`TestDb::empty_on`] start from an empty database, for tests of the
//! migrations themselves, which run the real migrators.

mod postgres;
mod postgres_template;
mod sqlite;

use sea_orm::{DatabaseConnection, DbBackend, DbErr};
use uuid::Uuid;

pub mod checks;
pub mod content;

use memdb_enhanced_migration::EnhancedMigrator;
use memdb_migration::{Migrator, MigratorTrait};

/// The workspace README's examples, compiled and run as doctests here, where every crate they
/// use is a dependency: the legacy examples and the enhanced one.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// The environment variable naming the server tests run against.
pub const TEST_DATABASE_URL: &str = "TEST_DATABASE_URL";

/// Identifies the migration sources this crate was built with; names the templates.
const MIGRATIONS_FINGERPRINT: &str = env!("MEMDB_MIGRATIONS_FINGERPRINT");

/// How many templates of other fingerprints building a template leaves in place, newest first:
/// other checkouts (branches) testing against the same server or temporary directory at the
/// same time keep theirs instead of rebuilding them over and over.
const OTHER_TEMPLATES_KEPT: usize = 2;

/// What a failed setup step reports; test setup turns it into a panic with context.
type SetupError = Box<dyn std::error::Error + Send + Sync>;

/// Applies every migration of every track memdb has to `db` (legacy, then enhanced): the one
/// place that lists the migration tracks. Tests of the legacy schema alone start from
/// [`TestDb::empty`] and run the legacy migrator themselves.
///
/// # Errors
/// The first migration that fails.
pub async fn migrate_all(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await?;
    EnhancedMigrator::up(db, None).await
}

/// The backend `TEST_DATABASE_URL` selects: PostgreSQL for `postgres://` URLs, else SQLite.
///
/// # Panics
/// When `TEST_DATABASE_URL` names a backend memdb does not support.
#[must_use]
pub fn configured_backend() -> DbBackend {
    match std::env::var(TEST_DATABASE_URL) {
        Ok(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            DbBackend::Postgres
        }
        Ok(url) if url.is_empty() || url.starts_with("sqlite:") => DbBackend::Sqlite,
        Err(_) => DbBackend::Sqlite,
        Ok(url) => panic!(
            "{TEST_DATABASE_URL} must be a postgres:// or sqlite: URL, got {}",
            memdb_repository::redact_url(&url)
        ),
    }
}

/// What a new test database starts with.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Contents {
    /// No table at all.
    Empty,
    /// Every migration applied, copied from the template.
    Migrated,
}

enum Location {
    Sqlite(tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

/// A fresh database for one test, removed again when dropped.
pub struct TestDb {
    db: DatabaseConnection,
    url: String,
    location: Location,
}

impl TestDb {
    /// A fresh database with every migration of every track applied (a copy of the migrated
    /// template): the legacy schema with the enhanced schema beside it.
    ///
    /// # Panics
    /// When the database cannot be created or the template cannot be migrated: the test
    /// cannot run.
    pub async fn new() -> Self {
        Self::create(configured_backend(), Contents::Migrated).await
    }

    /// A fresh database without any table.
    ///
    /// # Panics
    /// When the database cannot be created.
    pub async fn empty() -> Self {
        Self::empty_on(configured_backend()).await
    }

    /// A fresh, empty database on `backend` (PostgreSQL needs `TEST_DATABASE_URL`).
    ///
    /// # Panics
    /// When the database cannot be created, or PostgreSQL is asked for without a URL.
    pub async fn empty_on(backend: DbBackend) -> Self {
        Self::create(backend, Contents::Empty).await
    }

    async fn create(backend: DbBackend, contents: Contents) -> Self {
        let (url, location) = if backend == DbBackend::Postgres {
            let admin_url = std::env::var(TEST_DATABASE_URL)
                .expect("TEST_DATABASE_URL names the PostgreSQL server");
            let name = format!("memdb_t_{}", Uuid::now_v7().simple());
            if let Err(err) = postgres::create_database(&admin_url, &name, contents).await {
                panic!(
                    "could not create the test database {name} on {} \
                     (the server needs ICU support): {err}",
                    memdb_repository::redact_url(&admin_url)
                );
            }
            let url = postgres::with_database(&admin_url, &name);
            (url, Location::Postgres { admin_url, name })
        } else {
            let dir = tempfile::tempdir().expect("create a temporary directory");
            let file = dir.path().join("test.sqlite");
            if contents == Contents::Migrated
                && let Err(err) = sqlite::copy_template_to(&file).await
            {
                panic!("could not copy the migrated SQLite template: {err}");
            }
            (sqlite::url_of(&file), Location::Sqlite(dir))
        };
        let db = memdb_repository::connect(&url)
            .await
            .expect("connect to the fresh test database");
        Self { db, url, location }
    }

    /// The connection pool.
    #[must_use]
    pub fn conn(&self) -> &DatabaseConnection {
        &self.db
    }

    /// A clone of the connection pool, for repositories that own one.
    #[must_use]
    pub fn pool(&self) -> DatabaseConnection {
        self.db.clone()
    }

    /// The database's URL.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The backend this database runs on.
    #[must_use]
    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let keep = std::env::var("MEMDB_KEEP_TEST_DB").is_ok_and(|v| v == "1");
        match &mut self.location {
            Location::Sqlite(dir) => {
                if keep {
                    dir.disable_cleanup(true);
                    eprintln!(
                        "kept test database {}",
                        memdb_repository::redact_url(&self.url)
                    );
                }
            }
            Location::Postgres { admin_url, name } => {
                if keep {
                    eprintln!("kept test database {name}");
                    return;
                }
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs inside the test's runtime, which cannot be blocked on: the DROP runs
                // on a thread with a runtime of its own.
                let dropped = std::thread::spawn(move || {
                    tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()?
                        .block_on(postgres::drop_database(&admin_url, &name))
                })
                .join();
                let url = memdb_repository::redact_url(&self.url);
                match dropped {
                    Ok(Ok(())) => {}
                    Ok(Err(err)) => eprintln!("warning: could not drop test database {url}: {err}"),
                    Err(_) => eprintln!("warning: could not drop test database {url}: panicked"),
                }
            }
        }
    }
}
