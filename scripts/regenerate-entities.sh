#!/usr/bin/env bash
# Regenerates entity/src from a freshly migrated PostgreSQL database with sea-orm-cli.
#
#   scripts/regenerate-entities.sh            # rewrite entity/src
#   scripts/regenerate-entities.sh --check    # regenerate, then fail if entity/src changed
#
# PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres) must allow CREATE DATABASE.
# A uniquely named scratch database is created and dropped again, whatever happens.
set -euo pipefail

cd "$(dirname "$0")/.."
admin_url="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
db_name="memdb_entities_$$_$(date +%s)"
db_url="${admin_url%/*}/${db_name}"

cleanup() { psql -q "$admin_url" -c "DROP DATABASE IF EXISTS \"${db_name}\" WITH (FORCE)" >/dev/null; }
trap cleanup EXIT

psql -q "$admin_url" -c "CREATE DATABASE \"${db_name}\"" >/dev/null
cargo run --quiet -p memdb-migration --features cli --bin memdb-migrate -- -u "$db_url" up >/dev/null

out_dir="$(mktemp -d)"
trap 'cleanup; rm -rf "$out_dir"' EXIT
sea-orm-cli generate entity \
    --database-url "$db_url" \
    --entity-format dense \
    --lib \
    --banner-version minor \
    --output-dir "$out_dir" >/dev/null
rustfmt --edition 2024 "$out_dir"/*.rs

if [[ "${1:-}" == "--check" ]]; then
    if ! diff -ru entity/src "$out_dir"; then
        echo "entity/src differs from what sea-orm-cli generates: run scripts/regenerate-entities.sh" >&2
        exit 1
    fi
    echo "entity/src is up to date"
else
    rm -rf entity/src
    cp -r "$out_dir" entity/src
    echo "entity/src regenerated"
fi
