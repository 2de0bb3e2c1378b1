//! Metadata filters run as SQL on a scratch table of JSON documents, on each backend: every
//! operator, nested containment, arrays, numbers against strings, mixed types, missing paths,
//! booleans against 1/0, JSON null. Each expectation is checked on the database and on the
//! in-Rust reference alike.

use memdb_enhanced_repository::filters::{JsonColumn, KeyPath, MetadataFilter, metadata_condition};
use memdb_enhanced_repository::{RepoError, RepoResult};
use memdb_tests::TestDb;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

type F = MetadataFilter;

/// The scratch table's JSON column.
pub(crate) const COLUMN: JsonColumn = JsonColumn::new("filter_docs", "metadata");
/// The hot key of the scratch table: SQLite has an index on `json_extract(metadata, '$.topic')`.
pub(crate) const HOT_KEYS: &[&str] = &["topic"];

/// A fresh database holding `filter_docs(id, metadata)`, ids from 1 in the order given, with
/// a GIN `jsonb_path_ops` index on PostgreSQL and the hot key's expression index on SQLite.
pub(crate) struct FilterDocs {
    db: TestDb,
    docs: Vec<Value>,
}

impl FilterDocs {
    pub(crate) async fn new(docs: Vec<Value>) -> Self {
        let db = TestDb::empty().await;
        let ddl: &[&str] = match db.backend() {
            DbBackend::Postgres => &[
                "CREATE TABLE filter_docs (id BIGINT PRIMARY KEY, metadata jsonb NOT NULL)",
                "CREATE INDEX filter_docs_metadata ON filter_docs \
                 USING GIN (metadata jsonb_path_ops)",
            ],
            _ => &[
                "CREATE TABLE filter_docs (id INTEGER PRIMARY KEY, \
                 metadata TEXT NOT NULL CHECK (json_valid(metadata)))",
                "CREATE INDEX filter_docs_topic ON filter_docs (json_extract(metadata, '$.topic'))",
            ],
        };
        for sql in ddl {
            db.conn().execute_unprepared(sql).await.unwrap();
        }
        let insert = match db.backend() {
            DbBackend::Postgres => "INSERT INTO filter_docs (id, metadata) VALUES ($1, $2::jsonb)",
            _ => "INSERT INTO filter_docs (id, metadata) VALUES (?, ?)",
        };
        for (id, doc) in (1i64..).zip(&docs) {
            let values = [id.into(), doc.to_string().into()];
            let statement = Statement::from_sql_and_values(db.backend(), insert, values);
            db.conn().execute_raw(statement).await.unwrap();
        }
        Self { db, docs }
    }

    pub(crate) fn documents(&self) -> &[Value] {
        &self.docs
    }

    pub(crate) fn db(&self) -> &TestDb {
        &self.db
    }

    /// `SELECT id FROM filter_docs WHERE <the filter's condition> ORDER BY id`.
    pub(crate) fn statement(&self, filter: &MetadataFilter) -> RepoResult<Statement> {
        let backend = self.db.backend();
        let condition = metadata_condition(backend, COLUMN, filter, HOT_KEYS)?;
        let select = Query::select()
            .column(Alias::new("id"))
            .from(Alias::new("filter_docs"))
            .and_where(condition)
            .order_by(Alias::new("id"), Order::Asc)
            .to_owned();
        Ok(backend.build(&select))
    }

    /// The ids of the rows the database finds.
    pub(crate) async fn query(&self, filter: &MetadataFilter) -> RepoResult<Vec<i64>> {
        let statement = self.statement(filter)?;
        let rows = self.db.conn().query_all_raw(statement.clone()).await;
        let rows = rows.unwrap_or_else(|err| panic!("{}: {err}", statement.sql));
        Ok(rows
            .iter()
            .map(|row| row.try_get::<i64>("", "id").unwrap())
            .collect())
    }

    /// The ids of the documents the in-Rust reference matches.
    pub(crate) fn reference(&self, filter: &MetadataFilter) -> Vec<i64> {
        (1i64..)
            .zip(&self.docs)
            .filter(|(_, doc)| filter.matches(doc))
            .map(|(id, _)| id)
            .collect()
    }

    /// Asserts that the database and the reference both find exactly `expected`.
    async fn finds(&self, filter: MetadataFilter, expected: &[i64]) {
        let found = self.query(&filter).await.unwrap();
        assert_eq!(found, expected, "database, {}", filter.to_json());
        assert_eq!(
            self.reference(&filter),
            expected,
            "reference, {}",
            filter.to_json()
        );
    }
}

fn story_docs() -> Vec<Value> {
    vec![
        json!({"topic": "billing", "n": 10, "s": "10", "tags": ["urgent", "vip"],
               "customer": {"tier": "gold", "age": 30}}),
        json!({"topic": "support", "n": 9, "s": "9", "tags": ["urgent", "urgent"],
               "customer": {"tier": "silver"}}),
        json!({"topic": "billing", "n": 10.0, "b": true, "flag": 1, "z": null,
               "nested": [[1, 2], {"k": "v", "w": [true]}]}),
        json!({"n": "10", "b": false, "flag": 0, "tags": [], "customer": "gold"}),
        json!({}),
        json!({"n": 1e2, "tags": ["vip", {"level": 2}], "z": 0, "topic": ["billing"]}),
        json!({"topic": "it's \"quoted\" é \\ %_", "customer": {"tier": {"name": "gold"}}}),
    ]
}

#[tokio::test]
async fn containment_follows_postgres_semantics() {
    let t = FilterDocs::new(story_docs()).await;
    let c = MetadataFilter::contains;
    t.finds(c(json!({})), &[1, 2, 3, 4, 5, 6, 7]).await;
    t.finds(c(json!({"topic": "billing"})), &[1, 3]).await;
    t.finds(c(json!({"topic": "billing", "n": 10})), &[1, 3])
        .await;
    t.finds(c(json!({"customer": {"tier": "gold"}})), &[1])
        .await;
    t.finds(c(json!({"customer": {}})), &[1, 2, 7]).await;
    t.finds(c(json!({"customer": {"tier": {}}})), &[7]).await;
    // Arrays: elements in any order, duplicates, empty, nested containers.
    t.finds(c(json!({"tags": ["urgent"]})), &[1, 2]).await;
    t.finds(c(json!({"tags": ["vip", "urgent", "urgent"]})), &[1])
        .await;
    t.finds(c(json!({"tags": []})), &[1, 2, 4, 6]).await;
    t.finds(c(json!({"tags": [{}]})), &[6]).await;
    t.finds(c(json!({"tags": [{"level": 2}, "vip"]})), &[6])
        .await;
    t.finds(c(json!({"tags": [{"level": "2"}]})), &[]).await;
    t.finds(c(json!({"nested": [[2]]})), &[3]).await;
    t.finds(c(json!({"nested": [[2, 1, 2], {"w": [true]}]})), &[3])
        .await;
    t.finds(c(json!({"nested": [[]]})), &[3]).await;
    t.finds(c(json!({"nested": [1]})), &[]).await;
    t.finds(c(json!({"nested": [{"w": true}]})), &[]).await;
    // A scalar is not contained by an array holding it, below the top level.
    t.finds(c(json!({"topic": ["billing"]})), &[6]).await;
    t.finds(c(json!({"tags": "vip"})), &[]).await;
    // Numbers numerically, typed scalars, JSON null.
    t.finds(c(json!({"n": 10.0})), &[1, 3]).await;
    t.finds(c(json!({"n": 100})), &[6]).await;
    t.finds(c(json!({"n": "10"})), &[4]).await;
    t.finds(c(json!({"flag": true})), &[]).await;
    t.finds(c(json!({"flag": 1})), &[3]).await;
    t.finds(c(json!({"b": false})), &[4]).await;
    t.finds(c(json!({"z": null})), &[3]).await;
    t.finds(c(json!({"z": 0})), &[6]).await;
    t.finds(c(json!({"missing": null})), &[]).await;
    t.finds(c(json!({"topic": "it's \"quoted\" é \\ %_"})), &[7])
        .await;
}

#[tokio::test]
async fn comparisons_are_typed_and_missing_paths_never_match() {
    let t = FilterDocs::new(story_docs()).await;
    // Numbers as numbers, strings as strings: 10 > 9 but "10" < "9".
    t.finds(F::gt("n", 9), &[1, 3, 6]).await;
    t.finds(F::gte("n", 10), &[1, 3, 6]).await;
    t.finds(F::lt("n", 10), &[2]).await;
    let nine_and_a_half = serde_json::Number::from_f64(9.5).unwrap();
    t.finds(F::lte("n", nine_and_a_half), &[2]).await;
    t.finds(F::gt("s", "9"), &[]).await;
    t.finds(F::lt("s", "9"), &[1]).await;
    t.finds(F::gt("n", "0"), &[4]).await;
    t.finds(F::eq("n", 10), &[1, 3]).await;
    // `ne` needs the same type: the string "10" and the missing path are neither equal nor not.
    t.finds(F::ne("n", 10), &[2, 6]).await;
    t.finds(F::ne("s", "9"), &[1]).await;
    // Booleans are not 1/0.
    t.finds(F::eq("b", true), &[3]).await;
    t.finds(F::ne("b", true), &[4]).await;
    t.finds(F::eq("flag", true), &[]).await;
    t.finds(F::eq("flag", 1), &[3]).await;
    t.finds(F::lt("flag", 1), &[4]).await;
    // Nested paths; paths step through objects only, never into arrays.
    t.finds(F::eq("customer.tier", "gold"), &[1]).await;
    t.finds(F::gte("customer.age", 30), &[1]).await;
    t.finds(F::eq("customer", "gold"), &[4]).await;
    t.finds(F::eq("customer.tier.name", "gold"), &[7]).await;
    t.finds(F::exists(KeyPath::new(["tags", "0"])), &[]).await;
    t.finds(F::eq("topic.0", "billing"), &[]).await;
    // In.
    t.finds(F::one_of("topic", ["billing", "support"]), &[1, 2, 3])
        .await;
    t.finds(F::one_of("n", [9, 100]), &[2, 6]).await;
    t.finds(F::one_of("b", [true, false]), &[3, 4]).await;
    t.finds(F::one_of("b", [false]), &[4]).await;
    // Exists, JSON null included.
    t.finds(F::exists("z"), &[3, 6]).await;
    t.finds(F::exists("customer.tier"), &[1, 2, 7]).await;
    t.finds(F::exists("missing"), &[]).await;
}

#[tokio::test]
async fn not_and_or_stay_two_valued_with_missing_paths() {
    let t = FilterDocs::new(story_docs()).await;
    t.finds(!F::eq("n", 10), &[2, 4, 5, 6, 7]).await;
    t.finds(!F::exists("z"), &[1, 2, 4, 5, 7]).await;
    t.finds(!F::gt("missing", 1), &[1, 2, 3, 4, 5, 6, 7]).await;
    t.finds(!F::contains(json!({"tags": ["urgent"]})), &[3, 4, 5, 6, 7])
        .await;
    t.finds(!F::one_of("topic", ["billing"]), &[2, 4, 5, 6, 7])
        .await;
    t.finds(F::eq("missing", 1) | F::eq("topic", "support"), &[2])
        .await;
    t.finds(
        !(F::gt("n", 9) & F::eq("topic", "billing")),
        &[2, 4, 5, 6, 7],
    )
    .await;
    t.finds(
        !(F::lt("missing", 1) | F::ne("b", true)),
        &[1, 2, 3, 5, 6, 7],
    )
    .await;
    t.finds(F::and([]), &[1, 2, 3, 4, 5, 6, 7]).await;
    t.finds(F::or([]), &[]).await;
    t.finds(!F::or([]), &[1, 2, 3, 4, 5, 6, 7]).await;
    t.finds(!!F::exists("b"), &[3, 4]).await;
    let filter = F::one_of("n", [9, 10]) & F::contains(json!({"tags": ["urgent"]}));
    t.finds(filter, &[1, 2]).await;
}

#[tokio::test]
async fn the_condition_composes_with_other_bound_conditions() {
    let t = FilterDocs::new(story_docs()).await;
    let backend = t.db().backend();
    let filter = MetadataFilter::one_of("topic", ["billing", "support"])
        | MetadataFilter::contains(json!({"customer": {"tier": "gold"}}));
    let condition = metadata_condition(backend, COLUMN, &filter, HOT_KEYS).unwrap();
    // Placeholders before and after the filter's own: SeaQuery renumbers them on PostgreSQL.
    let select = Query::select()
        .column(Alias::new("id"))
        .from(Alias::new("filter_docs"))
        .and_where(Expr::col(Alias::new("id")).gt(1))
        .and_where(condition)
        .and_where(Expr::col(Alias::new("id")).lt(7))
        .order_by(Alias::new("id"), Order::Asc)
        .to_owned();
    let rows = t.db().conn().query_all(&select).await.unwrap();
    let ids: Vec<i64> = rows.iter().map(|r| r.try_get("", "id").unwrap()).collect();
    assert_eq!(ids, [2, 3]);
}

#[tokio::test]
async fn filters_parsed_from_their_json_form_run_alike() {
    let t = FilterDocs::new(story_docs()).await;
    let filter = MetadataFilter::parse(
        r#"{"and": [{"contains": {"tags": ["urgent"]}},
                    {"not": {"path": "customer.tier", "op": "eq", "value": "gold"}},
                    {"or": [{"exists": "s"}, {"path": "n", "in": [1, 2]}]}]}"#,
    )
    .unwrap();
    t.finds(filter, &[2]).await;
}

#[tokio::test]
async fn invalid_filters_are_refused_before_any_sql() {
    let t = FilterDocs::new(story_docs()).await;
    let refused = |result: RepoResult<Statement>| match result {
        Err(RepoError::Validation { field, .. }) => field,
        other => panic!("expected a validation error, got {other:?}"),
    };
    assert_eq!(
        refused(t.statement(&MetadataFilter::gt("a b", 1))),
        "filter"
    );
    assert_eq!(
        refused(t.statement(&MetadataFilter::contains(json!([1])))),
        "filter"
    );
}

#[tokio::test]
async fn numbers_compare_exactly_on_every_backend() {
    let docs = vec![
        json!({"x": 9_007_199_254_740_993_i64}),
        json!({"x": 9_007_199_254_740_992.0}),
        json!({"x": 0.300_000_000_000_000_04}),
        json!({"x": -0.0}),
        json!({"x": u64::MAX}),
        json!({"x": 1e300}),
        json!({"x": -5}),
    ];
    let t = FilterDocs::new(docs).await;
    let float = |f: f64| serde_json::Number::from_f64(f).unwrap();
    // Integers and doubles beyond 2^53 are told apart, not rounded to one double.
    t.finds(F::eq("x", 9_007_199_254_740_993_i64), &[1]).await;
    t.finds(F::eq("x", float(9_007_199_254_740_992.0)), &[2])
        .await;
    t.finds(F::gt("x", float(9_007_199_254_740_992.0)), &[1, 5, 6])
        .await;
    t.finds(F::gt("x", float(0.3)), &[1, 2, 3, 5, 6]).await;
    t.finds(F::eq("x", 0), &[4]).await;
    t.finds(F::contains(json!({"x": 0.0})), &[4]).await;
    t.finds(F::gt("x", i64::MAX), &[5, 6]).await;
    t.finds(F::lt("x", float(-4.5)), &[7]).await;
    t.finds(F::one_of("x", [float(-5.0), float(0.0)]), &[4, 7])
        .await;
}
