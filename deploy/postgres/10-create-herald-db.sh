#!/usr/bin/env bash
# Creates Herald's own role and database next to Temporal's.
#
# The postgres image runs the scripts in /docker-entrypoint-initdb.d only when it
# initialises an EMPTY data directory (the first start of the volume); on later
# starts this file is ignored. The temporary server of that phase listens only on
# the Unix socket, so psql connects without a host.
#
# HERALD_DB_PASSWORD comes from the postgresql service's environment. It is passed
# as a psql variable and quoted by psql (:'var'), so no character of it can break
# the SQL.
set -Eeo pipefail

: "${HERALD_DB_PASSWORD:?HERALD_DB_PASSWORD must be set for the postgresql service}"

psql -v ON_ERROR_STOP=1 \
     --username "$POSTGRES_USER" \
     --dbname "${POSTGRES_DB:-$POSTGRES_USER}" \
     --set=herald_password="$HERALD_DB_PASSWORD" <<'EOSQL'
CREATE ROLE herald LOGIN PASSWORD :'herald_password';
CREATE DATABASE herald OWNER herald;
REVOKE ALL ON DATABASE herald FROM PUBLIC;
EOSQL
