//! The database a run measures: a SQLite file in a temporary directory, or a uniquely named
//! scratch database on a PostgreSQL server, dropped at the end whatever happened.

use std::str::FromStr as _;

use anyhow::{Context as _, Result};
use memdb_repository::redact_url;
use memdb_repository::sea_orm::sqlx::postgres::{PgConnectOptions, PgConnection};
use memdb_repository::sea_orm::sqlx::{self, Connection as _};
use tempfile::TempDir;

use crate::args::Backend;

/// A scratch database; call [`Target::drop_database`] when done with it.
pub(crate) struct Target {
    /// The URL memdb and the raw pool open.
    pub(crate) url: String,
    /// What to drop at the end.
    scratch: Scratch,
}

enum Scratch {
    /// Removed with the directory when dropped.
    Sqlite(#[allow(dead_code)] TempDir),
    Postgres {
        server_url: String,
        name: String,
    },
}

impl Target {
    /// Creates the scratch database.
    ///
    /// # Errors
    /// When the temporary directory or the PostgreSQL database cannot be created.
    pub(crate) async fn create(backend: Backend, server_url: &str) -> Result<Self> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().context("creating a temporary directory")?;
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("bench.sqlite").display()
                );
                Ok(Self {
                    url,
                    scratch: Scratch::Sqlite(dir),
                })
            }
            Backend::Postgres => {
                let name = format!("memdbbench_{}", uuid::Uuid::now_v7().simple());
                admin(server_url, &format!("CREATE DATABASE \"{name}\"")).await?;
                let mut url = url::Url::parse(server_url).context("parsing --database-url")?;
                url.set_path(&name);
                Ok(Self {
                    url: url.to_string(),
                    scratch: Scratch::Postgres {
                        server_url: server_url.to_owned(),
                        name,
                    },
                })
            }
        }
    }

    /// Drops the scratch database (every pool on it must be closed first).
    ///
    /// # Errors
    /// When PostgreSQL refuses the drop.
    pub(crate) async fn drop_database(self) -> Result<()> {
        match self.scratch {
            Scratch::Sqlite(dir) => dir.close().context("removing the temporary directory"),
            Scratch::Postgres { server_url, name } => {
                admin(
                    &server_url,
                    &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
                )
                .await
            }
        }
    }
}

/// Runs one statement on the server's administrative connection.
async fn admin(server_url: &str, statement: &str) -> Result<()> {
    let options = PgConnectOptions::from_str(server_url)
        .with_context(|| format!("parsing {}", redact_url(server_url)))?;
    let mut connection = PgConnection::connect_with(&options)
        .await
        .with_context(|| format!("connecting to {}", redact_url(server_url)))?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
        .execute(&mut connection)
        .await
        .with_context(|| format!("running {statement}"))?;
    connection.close().await?;
    Ok(())
}
