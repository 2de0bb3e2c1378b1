//! `TestDb` itself: migrated databases are copies of one template, so they must be isolated
//! from each other and indistinguishable from a database the migrators just built.

use memdb_migration::dialect::schema_tables;
use memdb_migration::{LEGACY_TABLES, Migrator, MigratorTrait};
use memdb_repository::{Page, Repositories};
use memdb_tests::{TestDb, migrate_all};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::fixtures::acme;

async fn strings(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).unwrap())
        .collect()
}

/// Every table, column, index and constraint, as the catalog describes them, sorted.
async fn catalog(db: &DatabaseConnection) -> Vec<String> {
    let sql = match db.get_database_backend() {
        DbBackend::Sqlite => {
            "SELECT type || ' ' || name || ' on ' || tbl_name || ': ' || coalesce(sql, '') \
             FROM sqlite_master ORDER BY 1"
        }
        DbBackend::Postgres => {
            "SELECT 'column ' || table_name::text || '.' || column_name::text || ' ' \
                 || data_type::text || ' null ' || is_nullable::text || ' default ' \
                 || coalesce(column_default::text, '-') || ' collate ' \
                 || coalesce(collation_name::text, '-') \
             FROM information_schema.columns WHERE table_schema = current_schema() \
             UNION ALL SELECT 'index ' || indexdef FROM pg_indexes \
             WHERE schemaname = current_schema() \
             UNION ALL SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname::text \
                 || ' ' || pg_get_constraintdef(oid) \
             FROM pg_constraint WHERE connamespace = current_schema()::regnamespace \
             ORDER BY 1"
        }
        other => panic!("unsupported backend {other:?}"),
    };
    strings(db, sql).await
}

/// The versions recorded in the tracking table; `applied_at` differs by design (a copy keeps
/// the template's times).
async fn applied_versions(db: &DatabaseConnection) -> Vec<String> {
    let table = Migrator::migration_table_name().to_string();
    strings(db, &format!("SELECT version FROM {table} ORDER BY version")).await
}

async fn organization_count(db: &TestDb) -> usize {
    let repos = Repositories::from_connection(db.pool());
    let organizations = repos.organizations.list(Page::default()).await;
    organizations.unwrap().len()
}

#[tokio::test]
async fn test_databases_do_not_see_each_others_rows() {
    let first = TestDb::new().await;
    let second = TestDb::new().await;

    acme(
        Repositories::from_connection(first.pool())
            .organizations
            .as_ref(),
    )
    .await;
    assert_eq!(organization_count(&first).await, 1);
    assert_eq!(organization_count(&second).await, 0);

    // The row went into the copy, not into the template later copies are made from.
    let third = TestDb::new().await;
    assert_eq!(organization_count(&third).await, 0);
}

#[tokio::test]
async fn a_copy_of_the_template_matches_a_freshly_migrated_database() {
    let copy = TestDb::new().await;
    let fresh = TestDb::empty().await;
    migrate_all(fresh.conn()).await.unwrap();

    let tables = schema_tables(copy.conn()).await.unwrap();
    assert_eq!(tables, schema_tables(fresh.conn()).await.unwrap());
    for table in LEGACY_TABLES {
        assert!(tables.iter().any(|t| t == table), "{table} in {tables:?}");
    }
    assert_eq!(catalog(copy.conn()).await, catalog(fresh.conn()).await);

    let versions = applied_versions(copy.conn()).await;
    assert_eq!(versions, applied_versions(fresh.conn()).await);
    let mut expected: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    expected.sort();
    assert_eq!(versions, expected);
    assert!(
        Migrator::get_pending_migrations(copy.conn())
            .await
            .unwrap()
            .is_empty()
    );

    if copy.backend() == DbBackend::Postgres {
        // The copy keeps the template's linguistic ICU collation, which sorts `a` before `B`.
        let sql = "SELECT datlocprovider::text || ' ' || ('a' < 'B')::text \
                   FROM pg_database WHERE datname = current_database()";
        assert_eq!(strings(copy.conn(), sql).await, ["i true"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn databases_copied_at_once_are_all_complete() {
    let mut copies = tokio::task::JoinSet::new();
    for _ in 0..8 {
        copies.spawn(async {
            let copy = TestDb::new().await;
            let versions = applied_versions(copy.conn()).await;
            (copy, versions)
        });
    }
    let copies = copies.join_all().await;
    let migrations = Migrator::migrations().len();
    for (_, versions) in &copies {
        assert_eq!(versions.len(), migrations);
    }
}
