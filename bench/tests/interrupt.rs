//! Ctrl-C while the data set loads: the harness removes the scratch database it created
//! (SQLite: its temporary directory; PostgreSQL, when `TEST_DATABASE_URL` names a server: the
//! scratch database) and exits with status 130.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::str::FromStr as _;
use std::time::{Duration, Instant};

use memdb_repository::sea_orm::sqlx::postgres::{PgConnectOptions, PgConnection};
use memdb_repository::sea_orm::sqlx::{self, Connection as _};

/// How long the whole run may take, start to exit.
const LIMIT: Duration = Duration::from_secs(30);

/// The PostgreSQL server of the test run, if one is configured.
fn postgres_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| url.starts_with("postgres"))
}

/// Whether a database called `name` exists on the server at `url`.
async fn database_exists(url: &str, name: &str) -> bool {
    let options = PgConnectOptions::from_str(url).expect("TEST_DATABASE_URL parses");
    let mut conn = PgConnection::connect_with(&options)
        .await
        .expect("connecting to the test server");
    let (found,): (i64,) = sqlx::query_as("SELECT count(*) FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_one(&mut conn)
        .await
        .expect("listing databases");
    conn.close().await.expect("closing");
    found > 0
}

/// Every entry left in `dir`.
fn left_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("reading the temporary directory")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

/// The scratch database's name in the harness's first line, `memdb-bench on postgres (URL)`.
fn scratch_name(line: &str) -> Option<String> {
    line.split('/')
        .filter_map(|part| part.split('?').next())
        .find(|part| part.starts_with("memdbbench_"))
        .map(str::to_owned)
}

#[tokio::test]
async fn ctrl_c_while_loading_removes_the_scratch_database_and_exits_130() {
    let started = Instant::now();
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let mut command = Command::new(env!("CARGO_BIN_EXE_memdb-bench"));
    command
        .args(["--rows", "200000"])
        .env("TMPDIR", tmp.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    match postgres_url() {
        Some(url) => command.args(["--backend", "postgres", "--database-url", &url]),
        None => command.args(["--backend", "sqlite"]),
    };
    let mut child = command.spawn().expect("starting memdb-bench");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let mut scratch = None;
    for line in lines.by_ref() {
        let line = line.expect("reading stderr");
        if line.starts_with("memdb-bench on postgres") {
            scratch = scratch_name(&line);
        }
        if line.starts_with("building the data set") {
            break;
        }
    }
    // Well into the load of the first table.
    tokio::time::sleep(Duration::from_millis(500)).await;
    if postgres_url().is_none() {
        assert!(
            !left_in(tmp.path()).is_empty(),
            "the SQLite file exists while loading"
        );
    }
    let signalled = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("running kill");
    assert!(signalled.success());
    // Read stderr to its end so the child never blocks on a full pipe while it cleans up.
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().expect("waiting for memdb-bench");
    assert_eq!(status.code(), Some(130), "{status:?}; stderr: {rest:?}");
    assert!(
        rest.iter().any(|line| line.contains("interrupted")),
        "{rest:?}"
    );
    match (postgres_url(), scratch) {
        (Some(url), Some(name)) => {
            assert!(!database_exists(&url, &name).await, "{name} is left");
        }
        (Some(_), None) => panic!("the scratch database's name was not reported"),
        (None, _) => assert_eq!(left_in(tmp.path()), Vec::<String>::new()),
    }
    assert!(started.elapsed() < LIMIT, "took {:?}", started.elapsed());
}
