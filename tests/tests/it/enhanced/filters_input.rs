//! Hostile metadata filters: every bad input is a typed `Validation` naming `filter` (or the
//! column or hot keys at fault) and no SQL runs; operands full of quotes and SQL are bound,
//! never pasted.

use memdb_enhanced_repository::RepoError;
use memdb_enhanced_repository::filters::{
    JsonColumn, KeyPath, MetadataFilter, Scalar, metadata_condition,
};
use memdb_enhanced_repository::limits::{
    FILTER_DEPTH, FILTER_IN_VALUES, FILTER_KEY, FILTER_NODES, FILTER_PATH_SEGMENTS, FILTER_STRING,
};
use serde_json::{Map, Value, json};

use super::filters::{COLUMN, FilterDocs, HOT_KEYS};
use super::support::invalid_field;

fn bad_filters() -> Vec<MetadataFilter> {
    type F = MetadataFilter;
    let mut deep = F::exists("a");
    for _ in 0..FILTER_DEPTH {
        deep = !deep;
    }
    let mut deep_pattern = json!(1);
    for _ in 0..FILTER_DEPTH {
        deep_pattern = json!([deep_pattern]);
    }
    let mut filters = vec![
        deep,
        F::contains(json!({ "a": deep_pattern })),
        F::and((0..FILTER_NODES).map(|_| F::exists("a"))),
        F::contains(json!([{"a": 1}])),
        F::contains(json!("a")),
        F::contains(json!(null)),
        F::contains(json!({"a'": 1})),
        F::contains(json!({"a": {"": 1}})),
        F::contains(json!({"a": [{"$.b": 1}]})),
        F::contains(json!({"k": "x".repeat(FILTER_STRING + 1)})),
        F::contains(json!({"k": ["a\0b"]})),
        F::eq("a", "x".repeat(FILTER_STRING + 1)),
        F::eq("a", "nul\0"),
        F::gt("a", true),
        F::lte("a", false),
        F::one_of("a", Vec::<Scalar>::new()),
        F::one_of("a", (0..=FILTER_IN_VALUES as i64).map(Scalar::from)),
        F::In {
            path: "a".into(),
            values: vec![Scalar::from(1), Scalar::from("1")],
        },
        F::In {
            path: "a".into(),
            values: vec![Scalar::from(true), Scalar::from(1)],
        },
        F::exists(KeyPath::new(Vec::<String>::new())),
        F::exists(KeyPath::new(vec!["k"; FILTER_PATH_SEGMENTS + 1])),
        F::exists("k".repeat(FILTER_KEY + 1).as_str()),
        F::exists(KeyPath::new(["a.b"])),
    ];
    for key in [
        "",
        "a'b",
        "a\"b",
        "a b",
        "a;b",
        "*",
        "%",
        "$",
        "$.a",
        "a[0]",
        "a\\b",
        "é",
        "a\0",
        "a\n",
        "1 OR 1=1",
        "') OR ('1'='1",
    ] {
        filters.push(F::eq(KeyPath::new([key]), 1));
        filters.push(F::contains(json!({ key: 1 })));
    }
    filters
}

#[tokio::test]
async fn bad_filters_are_typed_validation_errors_and_nothing_runs() {
    let t = FilterDocs::new(vec![json!({"a": 1})]).await;
    let backend = t.db().backend();
    for filter in bad_filters() {
        let shown = format!("{filter:?}").chars().take(120).collect::<String>();
        assert_eq!(invalid_field(filter.validate()), "filter", "{shown}");
        assert_eq!(
            invalid_field(metadata_condition(backend, COLUMN, &filter, HOT_KEYS)),
            "filter",
            "{shown}"
        );
        assert_eq!(invalid_field(t.statement(&filter)), "filter", "{shown}");
        assert!(t.reference(&filter).is_empty(), "{shown}");
    }
    // Dashes and underscores are key characters.
    assert!(MetadataFilter::eq("a--_-", 1).validate().is_ok());
}

#[tokio::test]
async fn the_json_form_refuses_what_the_types_cannot_say() {
    for text in [
        "not json",
        "{}",
        "[]",
        r#"{"path": "a", "op": "eq", "value": null}"#,
        r#"{"path": "a", "op": "eq", "value": [1]}"#,
        r#"{"path": "a", "op": "eq", "value": {"b": 1}}"#,
        r#"{"path": "a", "op": "lt", "value": true}"#,
        r#"{"path": "a", "op": "like", "value": "x%"}"#,
        r#"{"path": "a", "in": [null]}"#,
        r#"{"path": "a", "in": []}"#,
        r#"{"path": "a", "in": [1, "1"]}"#,
        r#"{"path": "a'; DROP TABLE filter_docs; --", "op": "eq", "value": 1}"#,
        r#"{"exists": "a.*"}"#,
        r#"{"contains": [1]}"#,
        r#"{"and": [{"exists": "a"}], "or": []}"#,
    ] {
        assert_eq!(
            invalid_field(MetadataFilter::parse(text)),
            "filter",
            "{text}"
        );
    }
    // Deeper than serde_json parses, and deeper than the limit when built in code.
    let text = format!("{}{{}}{}", r#"{"not": "#.repeat(200), "}".repeat(200));
    assert_eq!(invalid_field(MetadataFilter::parse(&text)), "filter");
    let mut deep = json!({"exists": "a"});
    for _ in 0..100_000 {
        let mut map = Map::new();
        map.insert("not".to_owned(), deep);
        deep = Value::Object(map);
    }
    assert_eq!(invalid_field(MetadataFilter::from_json(deep)), "filter");
}

#[tokio::test]
async fn identifiers_and_hot_keys_from_code_are_checked_too() {
    let backend = memdb_tests::configured_backend();
    let filter = MetadataFilter::exists("a");
    let column = JsonColumn::new("filter_docs\"; --", "metadata");
    assert_eq!(
        invalid_field(metadata_condition(backend, column, &filter, &[])),
        "column"
    );
    assert_eq!(
        invalid_field(metadata_condition(backend, COLUMN, &filter, &["to'pic"])),
        "hot_keys"
    );
    let mysql = metadata_condition(sea_orm::DbBackend::MySql, COLUMN, &filter, &[]);
    assert!(matches!(mysql, Err(RepoError::Db(_))), "{mysql:?}");
}

#[tokio::test]
async fn hostile_operands_are_bound_not_pasted() {
    let hostile = [
        "x' OR '1'='1",
        "'); DROP TABLE filter_docs; --",
        "\" OR 1=1 --",
        "%",
        "_",
        "$1",
        "?",
        "$.topic",
        "\\",
        "é\u{301}",
        "\u{1f600}",
    ];
    let docs: Vec<Value> = hostile
        .iter()
        .map(|s| json!({ "topic": s, "k": [s] }))
        .collect();
    let t = FilterDocs::new(docs).await;
    for (id, s) in (1i64..).zip(hostile) {
        for filter in [
            MetadataFilter::eq("topic", s),
            MetadataFilter::contains(json!({ "topic": s })),
            MetadataFilter::contains(json!({ "k": [s] })),
            MetadataFilter::one_of("k", [s]) | MetadataFilter::eq("topic", s),
        ] {
            assert_eq!(t.query(&filter).await.unwrap(), [id], "{s}");
        }
    }
    // The table is still there, every row in it.
    let all = t.query(&MetadataFilter::and([])).await.unwrap();
    assert_eq!(all.len(), hostile.len());
}
