#!/usr/bin/env bash
# The side-by-side bench (direct upstream, nginx hop, Portkey, Hearth) with Hearth on PostgreSQL instead of its
# embedded SQLite: the shared ../shared/bench/hearth-vs-peers.sh (or $HVP), with HEARTH_DATABASE_* pointing at a
# private schema of $PG_URL (default jdbc:postgresql://127.0.0.1:5432/test, user postgres), dropped afterwards.
# Usage (from the project root, after ./mvnw -B -o -q package -DskipTests): bench/hearth-vs-peers-pg.sh [checkout]
set -u
cd "$(dirname "$0")/.."
HVP=${HVP:-../shared/bench/hearth-vs-peers.sh}
[ -x "$HVP" ] || [ -f "$HVP" ] || { echo "no side-by-side script at $HVP: set HVP" >&2; exit 1; }
schema=hvp_$(date +%s)_$$
export HEARTH_DATABASE_URL=${PG_URL:-jdbc:postgresql://127.0.0.1:5432/test}
export HEARTH_DATABASE_USER=${PG_USER:-postgres}
export HEARTH_DATABASE_SCHEMA=$schema
trap 'psql -h 127.0.0.1 -U "$HEARTH_DATABASE_USER" -d test -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1' EXIT
echo "Hearth on PostgreSQL, schema $schema"
bash "$HVP" "${1:-.}"
