//! Four SQLite files shaped like seed 003's databases (knowledge retention, continuum memory,
//! RSS fetch history, accuracy scores), as the system that wrote them declared them, filled
//! with rows from a seeded generator plus the awkward values a consolidation must account
//! for. The awkward rows have fixed rowids so the tests can name them.

use std::path::{Path, PathBuf};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, Value};

/// Rows generated per table (before the awkward ones).
pub(crate) const ROWS: i64 = 120;

/// Extra `performance_trends` rows, more than one read batch holds.
pub(crate) const BULK_TRENDS: i64 = 4_500;

/// The four files and the schema each goes into.
pub(crate) struct Fixture {
    _dir: tempfile::TempDir,
    /// `(file, schema)` in seed order.
    pub(crate) sources: Vec<(PathBuf, &'static str)>,
}

impl Fixture {
    /// The `--from`/`--schema` pairs.
    pub(crate) fn specs(&self) -> Vec<memdb_transfer::consolidate::SourceSpec> {
        self.sources
            .iter()
            .map(|(p, s)| memdb_transfer::consolidate::SourceSpec::new(p, *s))
            .collect()
    }

    /// The file that goes into `schema`.
    pub(crate) fn file(&self, schema: &str) -> &Path {
        &self
            .sources
            .iter()
            .find(|(_, s)| *s == schema)
            .expect("a fixture schema")
            .0
    }
}

/// A small deterministic generator (xorshift64*), so every run builds the same files.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> i64 {
        (self.next() % n) as i64
    }
    fn score(&mut self) -> f64 {
        f64::from((self.next() % 10_000) as u32) / 10_000.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
    /// A timestamp in one of the layouts such systems write.
    fn timestamp(&mut self) -> String {
        let (d, h, m, s) = (
            1 + self.below(28),
            self.below(24),
            self.below(60),
            self.below(60),
        );
        match self.below(5) {
            0 => format!("2025-03-{d:02} {h:02}:{m:02}:{s:02}"),
            1 => format!("2025-03-{d:02}T{h:02}:{m:02}:{s:02}Z"),
            2 => format!(
                "2025-03-{d:02}T{h:02}:{m:02}:{s:02}.{:06}+02:00",
                self.below(1_000_000)
            ),
            3 => format!(
                "2025-03-{d:02} {h:02}:{m:02}:{s:02}.{:03}",
                self.below(1000)
            ),
            _ => format!("2025-03-{d:02}"),
        }
    }
    /// A JSON object with keys in no particular order.
    fn metadata(&mut self) -> String {
        format!(
            r#"{{"tags": ["{}", "x"], "weight": {}, "a": {{"z": null, "b": true}}, "e": 1.5E+3, "one": 1.0}}"#,
            self.pick(&["ai", "rss", "memory"]),
            self.score()
        )
    }
}

/// Builds the four files in a temporary directory.
pub(crate) async fn build() -> Fixture {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut rng = Rng(0x5EED_0003);
    let mut sources = Vec::new();
    for (file, schema) in [
        ("knowledge_retention.db", "knowledge"),
        ("continuum_memory.db", "continuum"),
        ("rss_fetch_history.db", "rss"),
        ("accuracy_scores.db", "accuracy"),
    ] {
        let path = dir.path().join(file);
        let db = memdb_repository::connect(&format!("sqlite://{}?mode=rwc", path.display()))
            .await
            .expect("create a fixture file");
        match schema {
            "knowledge" => knowledge(&db, &mut rng).await,
            "continuum" => continuum(&db, &mut rng).await,
            "rss" => rss(&db, &mut rng).await,
            _ => accuracy(&db, &mut rng).await,
        }
        db.close().await.expect("close the fixture file");
        sources.push((path, schema));
    }
    Fixture { _dir: dir, sources }
}

/// A one-connection pool on a fixture file without foreign key enforcement, to break a key
/// the way SQLite applications that never turned enforcement on can.
pub(crate) async fn open_unchecked(path: &Path) -> DatabaseConnection {
    use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
    let options = SqliteConnectOptions::new()
        .filename(path)
        .foreign_keys(false);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .expect("open a fixture file");
    sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(pool)
}

/// Runs `sql` with `values` on a fixture file.
pub(crate) async fn exec(db: &DatabaseConnection, sql: &str, values: Vec<Value>) {
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        sql,
        values,
    ))
    .await
    .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn knowledge(db: &DatabaseConnection, rng: &mut Rng) {
    for ddl in [
        "CREATE TABLE knowledge_items (id INTEGER PRIMARY KEY AUTOINCREMENT, content TEXT NOT NULL, \
         source TEXT NOT NULL, knowledge_type TEXT NOT NULL, confidence_score REAL DEFAULT 0.0, \
         retention_score REAL DEFAULT 0.0, access_count INTEGER DEFAULT 0, \
         last_accessed TIMESTAMP DEFAULT CURRENT_TIMESTAMP, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, \
         metadata TEXT DEFAULT '{}')",
        "CREATE TABLE learning_sessions (id INTEGER PRIMARY KEY AUTOINCREMENT, session_type TEXT NOT NULL, \
         content_learned TEXT NOT NULL, accuracy_score REAL DEFAULT 0.0, retention_improvement REAL DEFAULT 0.0, \
         created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, metadata TEXT DEFAULT '{}')",
        "CREATE TABLE knowledge_relationships (id INTEGER PRIMARY KEY AUTOINCREMENT, \
         source_id INTEGER NOT NULL REFERENCES knowledge_items(id), \
         target_id INTEGER NOT NULL REFERENCES knowledge_items(id) ON DELETE CASCADE, \
         relationship_type TEXT NOT NULL, strength REAL DEFAULT 0.0, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)",
        "CREATE INDEX idx_knowledge_items_created_at ON knowledge_items(created_at)",
        "CREATE INDEX idx_knowledge_items_retention_score ON knowledge_items(retention_score DESC)",
    ] {
        exec(db, ddl, vec![]).await;
    }
    for i in 1..=ROWS {
        // Integers into REAL columns (SQLite stores them as reals), NULL metadata now and then.
        let confidence: Value = if i % 7 == 0 {
            (i % 3).into()
        } else {
            rng.score().into()
        };
        let metadata: Value = if i % 11 == 0 {
            Value::String(None)
        } else {
            rng.metadata().into()
        };
        exec(db, "INSERT INTO knowledge_items (content, source, knowledge_type, confidence_score, \
                  retention_score, access_count, last_accessed, created_at, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![format!("fact {i}").into(), rng.pick(&["rss", "chat", ""]).into(), "fact".into(), confidence,
                 rng.score().into(), rng.below(50).into(), rng.timestamp().into(), rng.timestamp().into(), metadata]).await;
    }
    // Awkward: an empty string and non-JSON text in the JSON column (rowids 121, 122); the last
    // ids deleted so AUTOINCREMENT's counter (125) is above the highest id left (122).
    for (id, metadata) in [
        (121, ""),
        (122, "not json {"),
        (123, "{}"),
        (124, "{}"),
        (125, "{}"),
    ] {
        exec(db, "INSERT INTO knowledge_items (id, content, source, knowledge_type, metadata) VALUES (?, 'awkward', '', 'fact', ?)",
            vec![Value::BigInt(Some(id)), metadata.into()]).await;
    }
    exec(db, "DELETE FROM knowledge_items WHERE id > 122", vec![]).await;
    for _ in 1..=ROWS {
        exec(db, "INSERT INTO learning_sessions (session_type, content_learned, accuracy_score, created_at, metadata) \
                  VALUES (?, ?, ?, ?, ?)",
            vec![rng.pick(&["daily", "review"]).into(), "content".into(), rng.score().into(), rng.timestamp().into(),
                 rng.metadata().into()]).await;
    }
    for _ in 1..=ROWS {
        exec(db, "INSERT INTO knowledge_relationships (source_id, target_id, relationship_type, strength, created_at) \
                  VALUES (?, ?, ?, ?, ?)",
            vec![(1 + rng.below(100)).into(), (1 + rng.below(100)).into(), "related".into(), rng.score().into(),
                 rng.timestamp().into()]).await;
    }
}

async fn continuum(db: &DatabaseConnection, rng: &mut Rng) {
    for ddl in [
        "CREATE TABLE tier_metrics (item_id TEXT PRIMARY KEY, tier TEXT NOT NULL, surprise_score REAL DEFAULT 0.0, \
         access_count INTEGER DEFAULT 0, last_accessed TIMESTAMP DEFAULT CURRENT_TIMESTAMP, \
         created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, metadata TEXT DEFAULT '{}')",
        "CREATE TABLE tier_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, item_id TEXT NOT NULL, from_tier TEXT NOT NULL, \
         to_tier TEXT NOT NULL, reason TEXT NOT NULL, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)",
        "CREATE TABLE forgetting_metrics (id INTEGER PRIMARY KEY AUTOINCREMENT, tier TEXT NOT NULL, \
         forgotten_count INTEGER DEFAULT 0, total_count INTEGER DEFAULT 0, forgetting_rate REAL DEFAULT 0.0, \
         measured_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)",
        "CREATE INDEX idx_continuum_tier_metrics_tier ON tier_metrics(tier)",
        // A table without rowid (read in primary key order, reported without rowids).
        "CREATE TABLE tier_names (tier TEXT PRIMARY KEY, rank INTEGER NOT NULL, \
         label TEXT GENERATED ALWAYS AS (upper(tier)) VIRTUAL) WITHOUT ROWID",
        "INSERT INTO tier_names (tier, rank) VALUES ('hot', 1), ('warm', 2), ('cold', 3)",
    ] {
        exec(db, ddl, vec![]).await;
    }
    for i in 1..=ROWS {
        // Item ids in mixed case: PostgreSQL's collation would order them differently.
        exec(db, "INSERT INTO tier_metrics (item_id, tier, surprise_score, access_count, last_accessed, created_at, metadata) \
                  VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![format!("{}-{i}", rng.pick(&["Item", "item", "ITEM", "_item"])).into(), rng.pick(&["hot", "warm", "cold"]).into(),
                 rng.score().into(), rng.below(9).into(), rng.timestamp().into(), rng.timestamp().into(), rng.metadata().into()]).await;
        exec(db, "INSERT INTO tier_audit (item_id, from_tier, to_tier, reason, created_at) VALUES (?, ?, ?, ?, ?)",
            vec![format!("item-{i}").into(), "hot".into(), "warm".into(), "idle".into(), rng.timestamp().into()]).await;
        // Awkward: a real in an INTEGER column (rowid 5).
        let total: Value = if i == 5 {
            2.5.into()
        } else {
            rng.below(1000).into()
        };
        exec(db, "INSERT INTO forgetting_metrics (tier, forgotten_count, total_count, forgetting_rate, measured_at) \
                  VALUES (?, ?, ?, ?, ?)",
            vec!["cold".into(), rng.below(100).into(), total, rng.score().into(), rng.timestamp().into()]).await;
    }
}

async fn rss(db: &DatabaseConnection, rng: &mut Rng) {
    for ddl in [
        "CREATE TABLE rss_fetch_cycles (id INTEGER PRIMARY KEY AUTOINCREMENT, cycle_number INTEGER NOT NULL UNIQUE, \
         started_at TIMESTAMP NOT NULL, completed_at TIMESTAMP, status TEXT NOT NULL, items_fetched INTEGER DEFAULT 0, \
         items_added INTEGER DEFAULT 0, error_message TEXT)",
        "CREATE TABLE rss_fetch_items (id INTEGER PRIMARY KEY AUTOINCREMENT, \
         cycle_id INTEGER NOT NULL REFERENCES rss_fetch_cycles(id), feed_url TEXT NOT NULL, item_title TEXT, \
         item_link TEXT, item_published TIMESTAMP, status TEXT NOT NULL, error_message TEXT, \
         created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)",
        "CREATE INDEX idx_rss_fetch_cycles_status ON rss_fetch_cycles(status)",
    ] {
        exec(db, ddl, vec![]).await;
    }
    for i in 1..=ROWS {
        let completed: Value = if i % 10 == 0 {
            Value::String(None)
        } else {
            rng.timestamp().into()
        };
        exec(db, "INSERT INTO rss_fetch_cycles (cycle_number, started_at, completed_at, status, items_fetched, error_message) \
                  VALUES (?, ?, ?, ?, ?, ?)",
            vec![(1000 + i).into(), rng.timestamp().into(), completed, rng.pick(&["ok", "failed"]).into(),
                 rng.below(40).into(), if i % 10 == 0 { "timeout".into() } else { Value::String(None) }]).await;
    }
    for i in 1..=ROWS {
        // Awkward: an epoch integer (rowid 7) and an empty string (rowid 8) in the published
        // timestamp column; an empty title now and then (not NULL).
        let published: Value = match i {
            7 => 1_741_000_000_i64.into(),
            8 => "".into(),
            _ => rng.timestamp().into(),
        };
        exec(db, "INSERT INTO rss_fetch_items (cycle_id, feed_url, item_title, item_link, item_published, status, created_at) \
                  VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![(1 + rng.below(ROWS as u64)).into(), "https://example.org/feed".into(),
                 if i % 9 == 0 { "".into() } else { format!("title {i}").into() }, Value::String(None), published,
                 "added".into(), rng.timestamp().into()]).await;
    }
}

async fn accuracy(db: &DatabaseConnection, rng: &mut Rng) {
    for ddl in [
        "CREATE TABLE accuracy_scores (id INTEGER PRIMARY KEY AUTOINCREMENT, question TEXT NOT NULL, \
         expected_answer TEXT, actual_answer TEXT NOT NULL, accuracy_score REAL NOT NULL, scoring_method TEXT NOT NULL, \
         context_used TEXT, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, metadata TEXT DEFAULT '{}')",
        "CREATE TABLE performance_trends (id INTEGER PRIMARY KEY AUTOINCREMENT, metric_name TEXT NOT NULL, \
         metric_value REAL NOT NULL, measured_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, metadata TEXT DEFAULT '{}')",
        "CREATE TABLE learning_objectives (id INTEGER PRIMARY KEY AUTOINCREMENT, objective_text TEXT NOT NULL, \
         target_score REAL NOT NULL, current_score REAL DEFAULT 0.0, status TEXT NOT NULL, \
         created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)",
        // Names that need quoting, a blob, a boolean, a key without AUTOINCREMENT.
        "CREATE TABLE \"Score Notes\" (\"Note Id\" INTEGER PRIMARY KEY, \"select\" TEXT, \"is done\" BOOLEAN NOT NULL DEFAULT 0, \
         fingerprint BLOB, score_id INTEGER REFERENCES accuracy_scores(id), noted_at TEXT)",
        "CREATE INDEX idx_accuracy_scores_created_at ON accuracy_scores(created_at)",
        // Not carried over (noted in the plan): a partial index.
        "CREATE INDEX idx_open_objectives ON learning_objectives(status) WHERE status = 'open'",
        "CREATE UNIQUE INDEX \"Score Notes by score\" ON \"Score Notes\"(score_id, \"select\")",
    ] {
        exec(db, ddl, vec![]).await;
    }
    for i in 1..=ROWS {
        // context_used: JSON arrays only (jsonb by its values), NULL now and then.
        let context: Value = match i {
            _ if i % 4 == 0 => Value::String(None),
            // More digits than a double holds: jsonb keeps them all.
            1 => "[\"doc-1\", 12345678901234567890123.5]".into(),
            _ => format!("[\"doc-{i}\", {i}]").into(),
        };
        exec(db, "INSERT INTO accuracy_scores (question, expected_answer, actual_answer, accuracy_score, scoring_method, \
                  context_used, created_at, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            vec![format!("question {i}?").into(), if i % 5 == 0 { "".into() } else { "42".into() }, "42".into(),
                 if i % 6 == 0 { (i % 2).into() } else { rng.score().into() }, "exact".into(), context,
                 rng.timestamp().into(), rng.metadata().into()]).await;
        exec(db, "INSERT INTO performance_trends (metric_name, metric_value, measured_at) VALUES (?, ?, ?)",
            vec!["accuracy".into(), rng.score().into(), rng.timestamp().into()]).await;
        exec(db, "INSERT INTO learning_objectives (objective_text, target_score, status, created_at, updated_at) \
                  VALUES (?, ?, ?, ?, ?)",
            vec![format!("objective {i}").into(), 0.9.into(), "open".into(), rng.timestamp().into(), rng.timestamp().into()]).await;
    }
    // Enough trend rows for several read batches and several INSERTs per batch.
    exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) \
              INSERT INTO performance_trends (metric_name, metric_value, measured_at, metadata) \
              SELECT 'latency', i / 7.0, printf('2025-04-%02d 10:%02d:%02d', 1 + i % 28, i % 60, i % 59), \
              json_object('i', i) FROM n",
        vec![BULK_TRENDS.into()]).await;
    for i in 1..=20_i64 {
        exec(db, "INSERT INTO \"Score Notes\" (\"select\", \"is done\", fingerprint, score_id, noted_at) \
             VALUES (?, ?, ?, ?, 'after lunch')",
            vec![format!("note \"{i}\"").into(), (i % 2).into(), Value::Bytes(Some(vec![0, 1, 2, i as u8, 255])), i.into()]).await;
    }
}
