#!/usr/bin/env bash
# Requests/s of GET /v1/get-user-credits (authenticate the key + read the balance in SQLite) against
# GET /health/live (no auth, no database) on the same server in the same run, so the result is a ratio.
# Starts target/hearth.jar on a free port with a temp data folder and a fixed admin key, creates an account
# through the admin API, warms each route up for 5 s, then runs wrk -t2 -c64 -d10s --latency on each.
# wrk and the server share the machine's cores: see bench/README.md. Build first: ./mvnw -B -o -q package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=${JAR:-target/hearth.jar}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
WRK_ARGS=(-t2 -c64 -d"${DURATION:-10s}" --latency)
[ -f "$JAR" ] || { echo "no $JAR: build first with ./mvnw -B -o -q package -DskipTests" >&2; exit 1; }
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
command -v jq >/dev/null || apt-get install -y jq >/dev/null

DATA=$(mktemp -d -t hearth-wrk.XXXXXX)
SERVER=
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  rm -rf "$DATA"
}
trap cleanup EXIT
ADMIN_KEY=SG_$(head -c 512 /dev/urandom | tr -dc 'A-Za-z0-9' | head -c 32)
# A plan whose limits never bind: this measures the work of a request, not a rate limiter's refusals.
cat > "$DATA/bench.yaml" <<'YAML'
plans:
  bench:
    requests_per_minute: 1000000000
    read_requests_per_minute: 1000000000
    concurrent_jobs: 100000
    paid: true
YAML

# Run a private copy: a rebuild of target/ during the run must not change the jar under the server.
cp "$JAR" "$DATA/hearth.jar"
HEARTH_ADMIN_KEY=$ADMIN_KEY "$JAVA" --enable-native-access=ALL-UNNAMED -jar "$DATA/hearth.jar" serve --port 0 \
    --data "$DATA" --config "$DATA/bench.yaml" >"$DATA/server.log" 2>&1 &
SERVER=$!

# --port 0 lets the OS pick a free port; the server prints the one it got.
for _ in $(seq 1 120); do
  PORT=$(sed -n 's|^Hearth is serving on http://[^:]*:\([0-9]*\).*|\1|p' "$DATA/server.log")
  [ -n "$PORT" ] && curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break
  kill -0 $SERVER 2>/dev/null || { cat "$DATA/server.log" >&2; exit 1; }
  sleep 0.5
done
[ -n "${PORT:-}" ] || { echo "the server did not get ready in 60 s" >&2; cat "$DATA/server.log" >&2; exit 1; }
BASE=http://127.0.0.1:$PORT

ACCOUNT=$(curl -sf -H "x-api-key: $ADMIN_KEY" -H 'content-type: application/json' \
    -d '{"name":"bench","plan":"bench","free_credits":0}' "$BASE/admin/accounts")
KEY=$(jq -r .api_key <<<"$ACCOUNT")
curl -sf -H "x-api-key: $ADMIN_KEY" -H 'content-type: application/json' \
    -d '{"amount":1000,"kind":"paid","reference":"bench-1"}' "$BASE/admin/accounts/$(jq -r .account_id <<<"$ACCOUNT")/credits" >/dev/null
echo "server pid $SERVER on $BASE; credits answer: $(curl -sf -H "x-api-key: $KEY" "$BASE/v1/get-user-credits")"

# Runs wrk, shows its report on stderr and prints "req/s p50 p99". Any non-2xx answer fails the run: a fast
# 401 is not a fast read. Socket errors (timeouts on a loaded machine) are shown in the report, not fatal.
measure() { # path [wrk args...]
  local path=$1; shift
  local out; out=$(wrk "${WRK_ARGS[@]}" "$@" "$BASE$path")
  echo "$out" >&2
  if grep -q 'Non-2xx' <<<"$out"; then echo "non-2xx answers on $path, see above" >&2; return 1; fi
  awk '/^Requests\/sec/ {rps=$2} $1=="50%" {p50=$2} $1=="99%" {p99=$2} END {print rps, p50, p99}' <<<"$out"
}

echo "load average before (1/5/15 min): $(cut -d' ' -f1-3 /proc/loadavg); warming up 5 s each..."
wrk -t2 -c64 -d5s "$BASE/health/live" >/dev/null
wrk -t2 -c64 -d5s -H "x-api-key: $KEY" "$BASE/v1/get-user-credits" >/dev/null

HEALTH=$(measure /health/live)
CREDITS=$(measure /v1/get-user-credits -H "x-api-key: $KEY")
read -r H_RPS H_P50 H_P99 <<<"$HEALTH"
read -r C_RPS C_P50 C_P99 <<<"$CREDITS"

printf '\nwrk %s, %s cores\n' "${WRK_ARGS[*]}" "$(nproc)"
printf '%-26s %12s %10s %10s\n' route req/s p50 p99
printf '%-26s %12s %10s %10s\n' "GET /health/live" "$H_RPS" "$H_P50" "$H_P99"
printf '%-26s %12s %10s %10s\n' "GET /v1/get-user-credits" "$C_RPS" "$C_P50" "$C_P99"
awk -v c="$C_RPS" -v h="$H_RPS" 'BEGIN {printf "credits / health req/s = %.2f\n", c / h}'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
