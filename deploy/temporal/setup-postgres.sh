#!/bin/sh
# Creates Temporal's two databases (persistence and visibility) and brings their
# schemas up to the version this admin-tools image ships. Runs in the
# temporalio/admin-tools image before temporalio/server starts; the same steps as
# temporalio/samples-server compose/scripts/setup-postgres.sh, with the connection
# taken from the environment instead of hard-coded.
#
# Safe to run on every `docker compose up`, and it is how a server upgrade gets its
# schema changes: `create` ignores a database that already exists, `setup-schema
# -v 0.0` skips a database whose schema is already newer, and `update-schema` only
# applies the versions that are missing.
set -eu

: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
DB_PORT="${DB_PORT:-5432}"
DBNAME="${DBNAME:-temporal}"
VISIBILITY_DBNAME="${VISIBILITY_DBNAME:-temporal_visibility}"
SCHEMA_ROOT=/etc/temporal/schema/postgresql/v12

echo "Waiting for PostgreSQL at ${POSTGRES_SEEDS}:${DB_PORT}..."
nc -z -w 10 "$POSTGRES_SEEDS" "$DB_PORT"

sql_tool() {
    # SQL_PASSWORD is read from the environment by temporal-sql-tool.
    temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"
}

setup_database() {
    db=$1
    schema_dir=$2
    echo "Setting up database ${db}..."
    sql_tool --db "$db" create
    sql_tool --db "$db" setup-schema -v 0.0
    sql_tool --db "$db" update-schema -d "$schema_dir"
}

setup_database "$DBNAME" "$SCHEMA_ROOT/temporal/versioned"
setup_database "$VISIBILITY_DBNAME" "$SCHEMA_ROOT/visibility/versioned"
echo "PostgreSQL schema setup complete"
