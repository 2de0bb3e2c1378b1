#!/usr/bin/env bash
# Regenerates the SeaORM entities of every migration track with sea-orm-cli, each track into its
# own crate, from one freshly migrated PostgreSQL database with every track applied:
#
#   legacy    seaql_migrations            -> entity/src
#   enhanced  memdb_enhanced_migrations   -> enhanced/entity/src
#   cache     memdb_cache_migrations      -> cache/entity/src
#
#   scripts/regenerate-entities.sh            # rewrite every crate's src/
#   scripts/regenerate-entities.sh --check    # regenerate, then fail if any crate changed
#
# A track's tables are the ones its migrator adds (read from the database before and after it
# runs), handed to sea-orm-cli with --tables: no list to keep in step, no post-processing.
# PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres) must allow CREATE DATABASE.
# A uniquely named scratch database is created and dropped again, whatever happens.
set -euo pipefail

cd "$(dirname "$0")/.."
admin_url="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
db_name="memdb_entities_$$_$(date +%s)"
db_url="${admin_url%/*}/${db_name}"
work_dir="$(mktemp -d)"

cleanup() {
    psql -q "$admin_url" -c "DROP DATABASE IF EXISTS \"${db_name}\" WITH (FORCE)" >/dev/null
    rm -rf "$work_dir"
}
trap cleanup EXIT

tables() { # the base tables of the scratch database, one per line, sorted
    psql -Atq "$db_url" -c "SELECT table_name FROM information_schema.tables \
        WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
}
migrate() { # <package> <binary>: apply that track
    cargo run --quiet -p "$1" --features cli --bin "$2" -- -u "$db_url" up >/dev/null
}

psql -q "$admin_url" -c "CREATE DATABASE \"${db_name}\"" >/dev/null
migrate memdb-migration memdb-migrate
tables > "$work_dir/legacy"
migrate memdb-enhanced-migration memdb-enhanced-migrate
tables > "$work_dir/legacy+enhanced"
comm -13 "$work_dir/legacy" "$work_dir/legacy+enhanced" > "$work_dir/enhanced"
migrate memdb-cache-migration memdb-cache-migrate
tables > "$work_dir/all"
comm -13 "$work_dir/legacy+enhanced" "$work_dir/all" > "$work_dir/cache"

status=0
generate() { # <crate dir> <file listing the track's tables and its tracking table>
    local crate="$1" list out
    list="$(grep -v -e '^seaql_migrations$' -e '^memdb_enhanced_migrations$' \
        -e '^memdb_cache_migrations$' -e '_checksums$' "$2" | paste -sd, -)"
    out="$work_dir/$(basename "$2").out"
    mkdir -p "$out"
    sea-orm-cli generate entity \
        --database-url "$db_url" \
        --tables "$list" \
        --entity-format dense \
        --lib \
        --banner-version minor \
        --output-dir "$out" >/dev/null
    rustfmt --edition 2024 "$out"/*.rs
    if [[ "${CHECK:-}" == 1 ]]; then
        if ! diff -ru "$crate/src" "$out"; then
            echo "$crate/src differs from what sea-orm-cli generates: run scripts/regenerate-entities.sh" >&2
            status=1
        else
            echo "$crate/src is up to date"
        fi
    else
        rm -rf "$crate/src"
        cp -r "$out" "$crate/src"
        echo "$crate/src regenerated"
    fi
}

[[ "${1:-}" == "--check" ]] && CHECK=1
generate entity "$work_dir/legacy"
generate enhanced/entity "$work_dir/enhanced"
generate cache/entity "$work_dir/cache"
exit "$status"
