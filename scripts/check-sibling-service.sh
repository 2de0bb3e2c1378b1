#!/usr/bin/env bash
# Checks memdb the way a sibling service uses it: examples/sibling-service depends on
# memdb-repository alone (and examples/cache-service on memdb-cache-repository alone), in a workspace of its own, so it gets only the features memdb's crates
# declare (inside memdb's workspace cargo would unify them with every other member's). It is
# linted and unit-tested (against the `mock` feature), then run against a SQLite file and a
# PostgreSQL database that `memdb init` made; it calls every repository and exits non-zero on
# the first wrong answer. Each database gets two runs: the example must be rerunnable.
#
#   scripts/check-sibling-service.sh        # what CI runs
#
# PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres) must allow CREATE DATABASE.
# A uniquely named scratch database is created and dropped again, whatever happens; its name
# does not start with `memdb_t_`, so CI's count of left-behind test databases never sees it.
set -euo pipefail

cd "$(dirname "$0")/.."
admin_url="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
manifest=examples/sibling-service/Cargo.toml
db_name="sibling$$x$(date +%s)"
db_url="${admin_url%/*}/${db_name}"
work_dir="$(mktemp -d)"

cleanup() {
    psql -q "$admin_url" -c "DROP DATABASE IF EXISTS \"${db_name}\" WITH (FORCE)" >/dev/null || true
    rm -rf "$work_dir"
}
trap cleanup EXIT

# The workspace's target/ holds most of what the example needs already compiled; cargo keys
# artifacts by features, so only the crates whose features differ are compiled again.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
# The example resolves to the versions the workspace pins (its own lockfile is this one, pruned):
# the crates the workspace's tests ran on, already compiled, with no registry lookup.
cp Cargo.lock examples/sibling-service/Cargo.lock

echo "--- fmt, clippy and unit tests (mocks) of the example"
cargo fmt --manifest-path "$manifest" --check
cargo clippy --quiet --manifest-path "$manifest" --all-targets -- -D warnings
cargo test --quiet --manifest-path "$manifest"

cargo build --quiet -p memdb-app --bin memdb
cargo build --quiet --manifest-path "$manifest"
memdb="$CARGO_TARGET_DIR/debug/memdb"
sibling="$CARGO_TARGET_DIR/debug/sibling-service"

run_against() { # <label> <url for init> <url for the service>
    echo "--- $1: memdb init, then the sibling service twice"
    DATABASE_URL="$2" "$memdb" init >/dev/null
    DATABASE_URL="$3" "$sibling"
    DATABASE_URL="$3" "$sibling"
}

# `mode=rw` for the service: the file must be the one `memdb init` made, never a new empty one.
run_against SQLite "sqlite://$work_dir/memdb.sqlite?mode=rwc" "sqlite://$work_dir/memdb.sqlite?mode=rw"

psql -q "$admin_url" -c "CREATE DATABASE \"${db_name}\"" >/dev/null
run_against PostgreSQL "$db_url" "$db_url"

# The same for the cache: examples/cache-service depends on memdb-cache-repository alone, and
# runs against databases that `memdb init` built with the feature `cache` made.
manifest=examples/cache-service/Cargo.toml
cp Cargo.lock examples/cache-service/Cargo.lock
echo "--- fmt, clippy and unit tests (mocks) of the cache example"
cargo fmt --manifest-path "$manifest" --check
cargo clippy --quiet --manifest-path "$manifest" --all-targets -- -D warnings
cargo test --quiet --manifest-path "$manifest"
cargo build --quiet -p memdb-app --bin memdb --features cache
cargo build --quiet --manifest-path "$manifest"
sibling="$CARGO_TARGET_DIR/debug/cache-service"
run_against "SQLite (cache)" "sqlite://$work_dir/cache.sqlite?mode=rwc" "sqlite://$work_dir/cache.sqlite?mode=rw"
psql -q "$admin_url" -c "DROP DATABASE \"${db_name}\" WITH (FORCE)" >/dev/null
psql -q "$admin_url" -c "CREATE DATABASE \"${db_name}\"" >/dev/null
run_against "PostgreSQL (cache)" "$db_url" "$db_url"
