#!/usr/bin/env bash
# The limiter on the hot path over HTTP: req/s of GET /v1/get-user-credits (which takes a token from the
# account's read bucket) on a gateway whose limits live in memory and on one whose limits live in Redis,
# each against GET /health/live (no key, no limiter, no database) on the same server in the same run.
# wrk -t2 -c64 -d10s after a 5 s warm-up; wrk shares the cores with the server. Needs wrk, jq, Redis on
# 127.0.0.1:6379 (HEARTH_BENCH_REDIS_URL overrides). Build first: ./mvnw -B -o -q package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${JAR:-target/hearth.jar}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
REDIS=${HEARTH_BENCH_REDIS_URL:-redis://127.0.0.1:6379}
[ -f "$JAR" ] || { echo "no $JAR: build first" >&2; exit 1; }
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
DATA=$(mktemp -d -t hearth-limits.XXXXXX)
SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null; rm -rf "$DATA"; }
trap cleanup EXIT
cp "$JAR" "$DATA/hearth.jar"
ADMIN_KEY=SG_$(head -c 4096 /dev/urandom | tr -dc 'A-Za-z0-9' | head -c 32)

run() { # backend-name redis-url
  local dir="$DATA/$1"; mkdir -p "$dir"
  cat > "$dir/bench.yaml" <<YAML
limits: {redis_url: "$2", key_prefix: "hearth-bench-$$-$1:", read_requests_per_minute: 1000000000}
plans:
  bench: {requests_per_minute: 1000000000, concurrent_jobs: 100000, paid: true}
YAML
  HEARTH_ADMIN_KEY=$ADMIN_KEY "$JAVA" --enable-native-access=ALL-UNNAMED -jar "$DATA/hearth.jar" serve --port 0 \
      --data "$dir" --config "$dir/bench.yaml" >"$dir/server.log" 2>&1 &
  SERVER=$!
  local port=
  for _ in $(seq 1 240); do
    port=$(sed -n 's|^Hearth is serving on http://[^:]*:\([0-9]*\).*|\1|p' "$dir/server.log")
    [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break
    sleep 0.5
  done
  local base=http://127.0.0.1:$port
  local key; key=$(curl -sf -H "x-api-key: $ADMIN_KEY" -H 'content-type: application/json' \
      -d '{"name":"bench","plan":"bench","free_credits":1}' "$base/admin/accounts" | jq -r .api_key)
  for path in /health/live /v1/get-user-credits; do
    wrk -t2 -c64 -d5s -H "x-api-key: $key" "$base$path" >/dev/null
    local out; out=$(wrk -t2 -c64 -d10s --latency -H "x-api-key: $key" "$base$path")
    if grep -q -e 'Non-2xx' <<<"$out"; then echo "errors on $path ($1)" >&2; echo "$out" >&2; exit 1; fi
    printf "%-7s %-22s %10s req/s  p50 %-9s p99 %s\n" "$1" "$path" "$(awk '/Requests\/sec/{print $2}' <<<"$out")" \
        "$(awk '/^ +50%/{print $2}' <<<"$out")" "$(awk '/^ +99%/{print $2}' <<<"$out")"
  done
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
}
run memory ""
run redis "$REDIS"
