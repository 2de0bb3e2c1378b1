//! The migrated template database on PostgreSQL: built once per migration fingerprint, under an
//! advisory lock, by whichever test process needs it first; every migrated test database is a
//! `CREATE DATABASE ... TEMPLATE` copy of it.

use sea_orm::sqlx::postgres::PgConnection;
use sea_orm::sqlx::{self, Connection as _};
use tokio::sync::OnceCell;
use uuid::Uuid;

use crate::postgres::{FROM_SCRATCH, connect_admin, execute, sqlstate, with_database};
use crate::{MIGRATIONS_FINGERPRINT, OTHER_TEMPLATES_KEPT, SetupError, migrate_all};

/// Every template's name starts with this. It must not match the `LIKE 'memdb_t_%'` pattern
/// that counts the test databases left behind (`_` matches any character there, so a
/// `memdb_template...` would).
const TEMPLATE_PREFIX: &str = "tplmemdb_";

/// A template being built is named this plus a UUID until it is fully migrated.
const BUILDING_PREFIX: &str = "tplmemdb_build_";

/// The session advisory lock that serialises building and dropping templates, for every
/// fingerprint, across every process testing against the server: "memdbtpl" in ASCII.
const TEMPLATE_LOCK_KEY: i64 = i64::from_be_bytes(*b"memdbtpl");

/// How long a process waits for another one to finish building a template.
const TEMPLATE_LOCK_TIMEOUT: &str = "120s";

/// How often a copy is tried when its template keeps vanishing.
const COPY_ATTEMPTS: u32 = 3;

/// SQLSTATE `invalid_catalog_name`: the template does not exist (any more).
const INVALID_CATALOG_NAME: &str = "3D000";

/// The template's name, once this process has made sure it exists.
static TEMPLATE: OnceCell<String> = OnceCell::const_new();

/// The name of the template for the migrations this crate was built with.
fn template_name() -> String {
    format!("{TEMPLATE_PREFIX}{MIGRATIONS_FINGERPRINT}")
}

/// Creates the database `name` as a copy of the migrated template, building the template first
/// when this process has not seen it yet.
pub(crate) async fn copy_template(
    admin: &mut PgConnection,
    admin_url: &str,
    name: &str,
) -> Result<(), SetupError> {
    let mut template = TEMPLATE
        .get_or_try_init(|| ensure_template(admin_url))
        .await?
        .clone();
    let mut attempt = 1;
    loop {
        // Concurrent copies of one template work: the copying sessions are connected to the
        // admin database, and the template accepts no connections that could block them.
        let copied = execute(
            admin,
            format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""),
        )
        .await;
        match copied {
            Ok(()) => return Ok(()),
            // Another checkout's run dropped it as stale: build it again.
            Err(err)
                if attempt < COPY_ATTEMPTS
                    && sqlstate(&err).as_deref() == Some(INVALID_CATALOG_NAME) =>
            {
                template = ensure_template(admin_url).await?;
            }
            Err(err) => return Err(err.into()),
        }
        attempt += 1;
    }
}

/// Makes sure the template exists and returns its name. The lock is taken on a session of its
/// own, so it is released when that session ends, however this function ends.
async fn ensure_template(admin_url: &str) -> Result<String, SetupError> {
    let name = template_name();
    let mut admin = connect_admin(admin_url).await?;
    execute(
        &mut admin,
        format!("SET lock_timeout = '{TEMPLATE_LOCK_TIMEOUT}'"),
    )
    .await?;
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(TEMPLATE_LOCK_KEY)
        .execute(&mut admin)
        .await?;
    // Checked under the lock: another process may have built it while this one waited.
    if !database_exists(&mut admin, &name).await? {
        drop_other_templates(&mut admin, &name).await?;
        build_template(&mut admin, admin_url, &name).await?;
    }
    admin.close().await?;
    Ok(name)
}

/// Migrates a new database under a temporary name and renames it to `name` only once fully
/// migrated, so a build that dies half-way never leaves a half-migrated template behind.
async fn build_template(
    admin: &mut PgConnection,
    admin_url: &str,
    name: &str,
) -> Result<(), SetupError> {
    let building = format!("{BUILDING_PREFIX}{}", Uuid::now_v7().simple());
    execute(
        admin,
        format!("CREATE DATABASE \"{building}\" {FROM_SCRATCH}"),
    )
    .await?;
    let migrated = async {
        let db = memdb_repository::connect(&with_database(admin_url, &building)).await?;
        let migrated = migrate_all(&db).await;
        // Copying and renaming both fail while any session is connected to the database.
        db.close().await?;
        migrated.map_err(SetupError::from)
    }
    .await;
    if let Err(err) = migrated {
        drop_database(admin, &building).await.ok();
        return Err(err);
    }
    // A template accepts no connections, so no stray session (a developer's psql, say) can
    // make the copies fail.
    execute(
        admin,
        format!("ALTER DATABASE \"{building}\" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"),
    )
    .await?;
    execute(
        admin,
        format!("ALTER DATABASE \"{building}\" RENAME TO \"{name}\""),
    )
    .await?;
    Ok(())
}

/// Drops leftovers of builds that died and the templates of other fingerprints except the
/// newest few. Only called under the lock, so no build is in progress.
async fn drop_other_templates(admin: &mut PgConnection, keep: &str) -> Result<(), SetupError> {
    let pattern = format!("{}%", TEMPLATE_PREFIX.replace('_', "\\_"));
    // Newest first: a database keeps its oid when renamed, and oids grow with creation.
    let others: Vec<String> = sqlx::query_scalar(
        "SELECT datname::text FROM pg_database WHERE datname LIKE $1 AND datname <> $2 \
         ORDER BY oid DESC",
    )
    .bind(pattern)
    .bind(keep)
    .fetch_all(&mut *admin)
    .await?;
    let (builds, templates): (Vec<String>, Vec<String>) = others
        .into_iter()
        .partition(|other| other.starts_with(BUILDING_PREFIX));
    for stale in builds
        .iter()
        .chain(templates.iter().skip(OTHER_TEMPLATES_KEPT))
    {
        drop_database(admin, stale).await?;
    }
    Ok(())
}

async fn database_exists(admin: &mut PgConnection, name: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(name)
        .fetch_one(admin)
        .await
}

/// Drops a template or a build. A template database cannot be dropped until it is unmarked;
/// `FORCE` ends any session a dead build left connected.
async fn drop_database(admin: &mut PgConnection, name: &str) -> Result<(), sqlx::Error> {
    execute(
        admin,
        format!("ALTER DATABASE \"{name}\" WITH IS_TEMPLATE false"),
    )
    .await?;
    execute(admin, format!("DROP DATABASE \"{name}\" WITH (FORCE)")).await
}
