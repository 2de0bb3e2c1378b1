//! The legacy migration track on a real database: a full round trip, and the same tables and
//! columns on SQLite, on PostgreSQL and in the generated entities.

use std::collections::{BTreeMap, BTreeSet};

use memdb_migration::{LEGACY_TABLES, Migrator, MigratorTrait};
use memdb_tests::{TestDb, configured_backend};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, EntityName, Iterable, Statement};
use sea_orm_migration::SchemaManager;

type Schema = BTreeMap<String, BTreeSet<String>>;

async fn table_exists(db: &DatabaseConnection, table: &str) -> bool {
    SchemaManager::new(db).has_table(table).await.unwrap()
}

/// Tables (without the migration tracking table) and their columns, read from the catalog.
async fn schema_of(db: &DatabaseConnection) -> Schema {
    let sql = match db.get_database_backend() {
        DbBackend::Sqlite => "SELECT m.name AS t, p.name AS c FROM sqlite_master m \
             JOIN pragma_table_info(m.name) p WHERE m.type = 'table' \
             AND m.name NOT LIKE 'sqlite_%'"
            .to_owned(),
        DbBackend::Postgres => "SELECT table_name::text AS t, column_name::text AS c \
             FROM information_schema.columns WHERE table_schema = current_schema()"
            .to_owned(),
        other => panic!("unsupported backend {other:?}"),
    };
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap();
    let mut schema = Schema::new();
    for row in rows {
        let table: String = row.try_get("", "t").unwrap();
        let column: String = row.try_get("", "c").unwrap();
        if table != "seaql_migrations" {
            schema.entry(table).or_default().insert(column);
        }
    }
    schema
}

/// What the generated entities say the schema is.
fn schema_of_entities() -> Schema {
    fn entry<E: EntityName + Default>(
        columns: impl Iterator<Item = impl sea_orm::IdenStatic>,
    ) -> (String, BTreeSet<String>) {
        (
            E::default().table_name().to_owned(),
            columns.map(|c| c.as_str().to_owned()).collect(),
        )
    }
    use memdb_entity::*;
    Schema::from([
        entry::<organizations::Entity>(organizations::Column::iter()),
        entry::<documents::Entity>(documents::Column::iter()),
        entry::<knowledge_items::Entity>(knowledge_items::Column::iter()),
        entry::<knowledge_relationships::Entity>(knowledge_relationships::Column::iter()),
        entry::<tasks::Entity>(tasks::Column::iter()),
        entry::<task_dependencies::Entity>(task_dependencies::Column::iter()),
        entry::<personas::Entity>(personas::Column::iter()),
    ])
}

#[tokio::test]
async fn legacy_track_round_trips_up_down_up() {
    let test_db = TestDb::empty().await;
    let db = test_db.conn();

    Migrator::up(db, None).await.unwrap();
    assert!(
        Migrator::get_pending_migrations(db)
            .await
            .unwrap()
            .is_empty()
    );
    for table in LEGACY_TABLES {
        assert!(table_exists(db, table).await, "{table} after up");
    }

    Migrator::down(db, None).await.unwrap();
    assert!(
        Migrator::get_applied_migrations(db)
            .await
            .unwrap()
            .is_empty()
    );
    for table in LEGACY_TABLES {
        assert!(!table_exists(db, table).await, "{table} after down");
    }

    Migrator::up(db, None).await.unwrap();
    assert_eq!(
        Migrator::get_applied_migrations(db).await.unwrap().len(),
        Migrator::migrations().len()
    );
    assert_eq!(schema_of(db).await, schema_of_entities());
}

#[tokio::test]
async fn sqlite_postgres_and_entities_agree_on_tables_and_columns() {
    let sqlite = TestDb::empty_on(DbBackend::Sqlite).await;
    Migrator::up(sqlite.conn(), None).await.unwrap();
    let sqlite_schema = schema_of(sqlite.conn()).await;
    let expected: BTreeSet<&str> = LEGACY_TABLES.into_iter().collect();
    assert_eq!(
        sqlite_schema
            .keys()
            .map(String::as_str)
            .collect::<BTreeSet<_>>(),
        expected
    );
    assert_eq!(sqlite_schema, schema_of_entities());

    // The entities are generated from PostgreSQL (CI checks that), so SQLite agreeing with them
    // already implies it agrees with PostgreSQL; with a PostgreSQL server at hand, compare
    // the two catalogs directly as well.
    if configured_backend() == DbBackend::Postgres {
        let postgres = TestDb::new().await;
        assert_eq!(schema_of(postgres.conn()).await, sqlite_schema);
    }
}
