//! Test support for memdb: [`TestDb`], a fresh, migrated database per test.
//!
//! By default each [`TestDb`] is a new SQLite file in a temporary directory. When
//! `TEST_DATABASE_URL` is a PostgreSQL URL (`postgres://user@host:port/db`), each one is a
//! uniquely named PostgreSQL database created on that server and dropped when the guard is
//! dropped. Set `MEMDB_KEEP_TEST_DB=1` to keep the databases for debugging; their locations are
//! printed.

pub mod checks;

use memdb_migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend};
use uuid::Uuid;

/// The environment variable naming the server tests run against.
pub const TEST_DATABASE_URL: &str = "TEST_DATABASE_URL";

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
    /// A fresh database with every legacy migration applied.
    ///
    /// # Panics
    /// When the database cannot be created or migrated: the test cannot run.
    pub async fn new() -> Self {
        let test_db = Self::empty().await;
        Migrator::up(test_db.conn(), None)
            .await
            .expect("legacy migrations apply to a fresh database");
        test_db
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
        let (url, location) = if backend == DbBackend::Postgres {
            {
                let admin_url = std::env::var(TEST_DATABASE_URL)
                    .expect("TEST_DATABASE_URL names the PostgreSQL server");
                let name = format!("memdb_t_{}", Uuid::now_v7().simple());
                let admin = Database::connect(admin_url.as_str())
                    .await
                    .expect("connect to the PostgreSQL server of TEST_DATABASE_URL");
                // A linguistic (ICU) collation, as production servers usually have, so a
                // query that only sorts right under the C collation fails here too.
                admin
                    .execute_unprepared(&format!(
                        "CREATE DATABASE \"{name}\" TEMPLATE template0 \
                         LOCALE_PROVIDER icu ICU_LOCALE 'en-US'"
                    ))
                    .await
                    .expect("create a test database (the server needs ICU support)");
                admin.close().await.ok();
                let url = with_database(&admin_url, &name);
                (url, Location::Postgres { admin_url, name })
            }
        } else {
            {
                let dir = tempfile::tempdir().expect("create a temporary directory");
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("test.sqlite").display()
                );
                (url, Location::Sqlite(dir))
            }
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

/// `admin_url` with its database name replaced by `name`.
fn with_database(admin_url: &str, name: &str) -> String {
    let mut url = url::Url::parse(admin_url).expect("TEST_DATABASE_URL is a valid URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
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
                // on a thread with a runtime of its own. FORCE ends the pool's open sessions.
                let dropped = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()?;
                    runtime.block_on(async {
                        let admin = Database::connect(admin_url.as_str()).await?;
                        admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                            ))
                            .await?;
                        admin.close().await?;
                        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
                    })
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
