//! `ConnectBuilder`: `connect`'s values by default, the caller's pool size and timeouts applied
//! (a pool of one with its connection held times out as a retryable error), and invalid
//! settings refused before anything is opened.

use std::time::{Duration, Instant};

use memdb_repository::personas::NewPersona;
use memdb_repository::{
    ACQUIRE_TIMEOUT, ConnectBuilder, IDLE_TIMEOUT, MAX_LIFETIME, RepoError, Repositories,
    RetryReason,
};
use memdb_tests::TestDb;
use sea_orm::{ConnectionTrait as _, DatabaseConnection, DbBackend, Statement, TransactionTrait};
use serde_json::json;

/// The pool's (max, min, acquire timeout, idle timeout, max lifetime), as sqlx holds them.
type Settings = (u32, u32, Duration, Option<Duration>, Option<Duration>);

fn settings(db: &DatabaseConnection) -> Settings {
    macro_rules! of {
        ($pool:expr) => {{
            let o = $pool.options();
            (
                o.get_max_connections(),
                o.get_min_connections(),
                o.get_acquire_timeout(),
                o.get_idle_timeout(),
                o.get_max_lifetime(),
            )
        }};
    }
    if db.get_database_backend() == DbBackend::Postgres {
        of!(db.get_postgres_connection_pool())
    } else {
        of!(db.get_sqlite_connection_pool())
    }
}

#[tokio::test]
async fn defaults_are_connects_values() {
    let db = TestDb::new().await;
    let built = ConnectBuilder::new(db.url()).connect().await.unwrap();
    let max = if db.backend() == DbBackend::Postgres {
        16
    } else {
        8
    };
    let expected = (
        max,
        0,
        ACQUIRE_TIMEOUT,
        Some(IDLE_TIMEOUT),
        Some(MAX_LIFETIME),
    );
    assert_eq!(settings(&built), expected);
    // `connect(url)` is the builder with its defaults.
    assert_eq!(settings(db.conn()), expected);
    built.close().await.unwrap();
}

#[tokio::test]
async fn in_memory_sqlite_keeps_its_connection() {
    let built = ConnectBuilder::new("sqlite::memory:")
        .max_connections(2)
        .connect()
        .await
        .unwrap();
    assert_eq!(settings(&built), (2, 1, ACQUIRE_TIMEOUT, None, None));
    built.close().await.unwrap();
}

#[tokio::test]
async fn custom_values_are_applied() {
    let db = TestDb::new().await;
    let built = ConnectBuilder::new(db.url())
        .max_connections(3)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(4))
        .idle_timeout(Some(Duration::from_secs(50)))
        .max_lifetime(None)
        .connect_timeout(Duration::from_secs(2))
        .ping_if_idle_for(Duration::ZERO)
        .connect()
        .await
        .unwrap();
    let expected = (
        3,
        1,
        Duration::from_secs(4),
        Some(Duration::from_secs(50)),
        None,
    );
    assert_eq!(settings(&built), expected);
    built.close().await.unwrap();
}

#[tokio::test]
async fn a_held_pool_times_out_as_a_retryable_error() {
    let db = TestDb::new().await;
    let timeout = Duration::from_millis(300);
    let pool = ConnectBuilder::new(db.url())
        .max_connections(1)
        .acquire_timeout(timeout)
        .connect()
        .await
        .unwrap();
    let repos = Repositories::from_connection(pool.clone());
    let persona = repos
        .personas
        .create(NewPersona {
            name: "held".into(),
            description: String::new(),
            system_prompt: "wait".into(),
            traits: json!({}),
            is_active: true,
        })
        .await
        .unwrap();

    // The pool's only connection, held by an open transaction.
    let held = pool.begin().await.unwrap();
    let started = Instant::now();
    let err = repos.personas.get(persona.id).await.unwrap_err();
    let waited = started.elapsed();
    assert!(
        matches!(
            err,
            RepoError::Retryable {
                reason: RetryReason::PoolTimedOut,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert!(
        waited >= timeout && waited < timeout * 10,
        "gave up after {waited:?}"
    );

    // Freed, the same call goes through.
    held.rollback().await.unwrap();
    assert_eq!(repos.personas.get(persona.id).await.unwrap().name, "held");
    pool.close().await.unwrap();
}

/// The field of the `Validation` error `builder` fails with.
async fn refused(builder: ConnectBuilder) -> &'static str {
    match builder.connect().await {
        Err(RepoError::Validation { field, .. }) => field,
        Err(other) => panic!("expected a validation error, got {other:?}"),
        Ok(_) => panic!("invalid settings were accepted"),
    }
}

#[tokio::test]
async fn invalid_settings_are_refused_before_connecting() {
    // Neither database exists, nor could it be reached: nothing is opened.
    for url in [
        "sqlite:///nonexistent-dir/memdb.sqlite?mode=rw",
        "postgres://memdb@127.0.0.1:1/memdb",
    ] {
        let builder = || ConnectBuilder::new(url);
        assert_eq!(
            refused(builder().max_connections(0)).await,
            "max_connections"
        );
        assert_eq!(
            refused(builder().max_connections(2).min_connections(3)).await,
            "min_connections"
        );
        assert_eq!(
            refused(builder().acquire_timeout(Duration::ZERO)).await,
            "acquire_timeout"
        );
        assert_eq!(
            refused(builder().idle_timeout(Some(Duration::ZERO))).await,
            "idle_timeout"
        );
        assert_eq!(
            refused(builder().max_lifetime(Some(Duration::ZERO))).await,
            "max_lifetime"
        );
        assert_eq!(
            refused(builder().connect_timeout(Duration::ZERO)).await,
            "connect_timeout"
        );
        for cost in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(
                refused(builder().random_page_cost(Some(cost))).await,
                "random_page_cost"
            );
        }
    }
    // Above the backend's default maximum of 8.
    assert_eq!(
        refused(ConnectBuilder::new("sqlite::memory:").min_connections(9)).await,
        "min_connections"
    );
}

#[tokio::test]
async fn an_unreachable_server_fails_within_the_connect_timeout() {
    // TEST-NET-1 (RFC 5737): never routed, so the connection attempt hangs until the timeout.
    let started = Instant::now();
    let err = ConnectBuilder::new("postgres://memdb:s3cret@192.0.2.1:5432/memdb")
        .connect_timeout(Duration::from_millis(300))
        .connect()
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3), "{err}");
    match err {
        RepoError::Connect { url, .. } => assert!(!url.contains("s3cret"), "{url}"),
        other => panic!("expected a connect error, got {other:?}"),
    }
}

/// The session's `random_page_cost` on PostgreSQL (`None` on SQLite, which has none).
async fn random_page_cost(db: &DatabaseConnection) -> Option<String> {
    if db.get_database_backend() != DbBackend::Postgres {
        return None;
    }
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT current_setting('random_page_cost') AS cost",
        ))
        .await
        .unwrap()
        .unwrap();
    Some(row.try_get::<String>("", "cost").unwrap())
}

#[tokio::test]
async fn postgres_sessions_get_memdbs_random_page_cost_or_the_callers() {
    let db = TestDb::new().await;
    let postgres = db.backend() == DbBackend::Postgres;
    let expect = |value: &str| postgres.then(|| value.to_owned());
    // `connect` (the test's own pool) and the builder's default: memdb's value.
    assert_eq!(random_page_cost(db.conn()).await, expect("1.1"));
    let built = ConnectBuilder::new(db.url()).connect().await.unwrap();
    assert_eq!(random_page_cost(&built).await, expect("1.1"));
    built.close().await.unwrap();
    let chosen = ConnectBuilder::new(db.url())
        .random_page_cost(Some(2.5))
        .connect()
        .await
        .unwrap();
    assert_eq!(random_page_cost(&chosen).await, expect("2.5"));
    chosen.close().await.unwrap();
    // `None`: the server's own value (PostgreSQL's default, unchanged on the test server).
    let server = ConnectBuilder::new(db.url())
        .random_page_cost(None)
        .connect()
        .await
        .unwrap();
    assert_eq!(random_page_cost(&server).await, expect("4"));
    server.close().await.unwrap();
}
