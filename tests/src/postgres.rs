//! PostgreSQL test databases: created and dropped over a plain connection to the server's
//! admin database (`TEST_DATABASE_URL`), one session, so session-level locks behave.

use std::str::FromStr as _;

use sea_orm::sqlx::postgres::{PgConnectOptions, PgConnection};
use sea_orm::sqlx::{self, AssertSqlSafe, Connection as _};

use crate::{Contents, SetupError, postgres_template};

/// How a database is created from scratch: from the pristine `template0` with a linguistic
/// (ICU) collation, as production servers usually have, so a query that only sorts right under
/// the C collation fails here too. Copies of the migrated template inherit its collation.
pub(crate) const FROM_SCRATCH: &str = "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'";

/// A new session on the admin database.
pub(crate) async fn connect_admin(admin_url: &str) -> Result<PgConnection, sqlx::Error> {
    PgConnection::connect_with(&PgConnectOptions::from_str(admin_url)?).await
}

/// Runs one statement. Only for SQL built from constants and names this crate generates
/// (hex digits and underscores), never from input.
pub(crate) async fn execute(admin: &mut PgConnection, sql: String) -> Result<(), sqlx::Error> {
    sqlx::raw_sql(AssertSqlSafe(sql)).execute(admin).await?;
    Ok(())
}

/// The SQLSTATE of a server error, if `err` is one.
pub(crate) fn sqlstate(err: &sqlx::Error) -> Option<String> {
    err.as_database_error()?
        .code()
        .map(std::borrow::Cow::into_owned)
}

/// Creates the database `name`, empty or as a copy of the migrated template.
pub(crate) async fn create_database(
    admin_url: &str,
    name: &str,
    contents: Contents,
) -> Result<(), SetupError> {
    let mut admin = connect_admin(admin_url).await?;
    let created = match contents {
        Contents::Empty => execute(
            &mut admin,
            format!("CREATE DATABASE \"{name}\" {FROM_SCRATCH}"),
        )
        .await
        .map_err(SetupError::from),
        Contents::Migrated => postgres_template::copy_template(&mut admin, admin_url, name).await,
    };
    admin.close().await.ok();
    created
}

/// Drops the database `name`; `FORCE` ends the sessions the test's pool still holds.
pub(crate) async fn drop_database(admin_url: &str, name: &str) -> Result<(), SetupError> {
    let mut admin = connect_admin(admin_url).await?;
    execute(
        &mut admin,
        format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
    )
    .await?;
    admin.close().await?;
    Ok(())
}

/// `admin_url` with its database name replaced by `name`.
pub(crate) fn with_database(admin_url: &str, name: &str) -> String {
    let mut url = url::Url::parse(admin_url).expect("TEST_DATABASE_URL is a valid URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}
