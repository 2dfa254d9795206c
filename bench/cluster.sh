#!/usr/bin/env bash
# Per-node numbers of cluster mode: GET /v1/get-user-credits (key check + balance read in PostgreSQL + a token from
# the account's read bucket in Redis) through Debian's nginx in front of 1, then 2 gateways on one PostgreSQL
# schema and one Redis, against GET /health/live through the same nginx in the same run. Prints req/s and the
# ratios 2 nodes / 1 node and credits / health. Needs PostgreSQL (127.0.0.1:5432, db test, user postgres) and
# Redis (127.0.0.1:6379) as the tests do; installs wrk, jq and nginx with apt-get if missing.
# Build first: ./mvnw -B -o -q package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=${JAR:-target/hearth.jar}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
WRK_ARGS=(-t2 -c64 -d"${DURATION:-10s}" --latency)
PG_URL=${HEARTH_TEST_PG_URL:-jdbc:postgresql://127.0.0.1:5432/test}
[ -f "$JAR" ] || { echo "no $JAR: build first with ./mvnw -B -o -q package -DskipTests" >&2; exit 1; }
for tool in wrk jq; do command -v $tool >/dev/null || apt-get install -y $tool >/dev/null || { apt-get update >/dev/null && apt-get install -y $tool >/dev/null; }; done
[ -x /usr/sbin/nginx ] || apt-get install -y nginx >/dev/null

DIR=$(mktemp -d -t hearth-cluster-bench.XXXXXX)
SCHEMA=bench_$(head -c 64 /dev/urandom | tr -dc 'a-z0-9' | head -c 10)
PREFIX="hearth-bench-$SCHEMA:"
PIDS=()
NGINX=
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  [ -n "$NGINX" ] && { kill "$NGINX" 2>/dev/null || true; wait "$NGINX" 2>/dev/null || true; }
  psql -q -h 127.0.0.1 -U postgres test -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
  redis-cli --scan --pattern "$PREFIX*" | xargs -r redis-cli del >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT
ADMIN_KEY=SG_$(head -c 512 /dev/urandom | tr -dc 'A-Za-z0-9' | head -c 32)
cat > "$DIR/bench.yaml" <<'YAML'
plans:
  bench:
    requests_per_minute: 1000000000
    read_requests_per_minute: 1000000000
    concurrent_jobs: 100000
    paid: true
YAML
cp "$JAR" "$DIR/hearth.jar"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_node() { # index port
  mkdir -p "$DIR/node$1"
  HEARTH_ADMIN_KEY=$ADMIN_KEY HEARTH_DATABASE_URL=$PG_URL HEARTH_DATABASE_USER=postgres HEARTH_DATABASE_SCHEMA=$SCHEMA \
  HEARTH_LIMITS_REDIS_URL=redis://127.0.0.1:6379 HEARTH_LIMITS_KEY_PREFIX=$PREFIX HEARTH_LOGGING_ACCESS_LOG=false \
    "$JAVA" --enable-native-access=ALL-UNNAMED -Xmx512m -jar "$DIR/hearth.jar" serve --port "$2" --data "$DIR/node$1" \
    --config "$DIR/bench.yaml" >"$DIR/node$1.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$2/health/ready" >/dev/null && return 0; sleep 0.5; done
  echo "node $1 did not get ready" >&2; cat "$DIR/node$1.log" >&2; exit 1
}

start_proxy() { # ports...
  [ -n "$NGINX" ] && { kill "$NGINX"; wait "$NGINX" 2>/dev/null || true; }
  local servers=""; for p in "$@"; do servers+="server 127.0.0.1:$p;"; done
  mkdir -p "$DIR/nginx-tmp"
  cat > "$DIR/nginx.conf" <<CONF
$( [ "$(id -u)" = 0 ] && echo "user root root;" )
worker_processes 1;
pid $DIR/nginx.pid;
error_log $DIR/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $DIR/nginx-tmp/body; proxy_temp_path $DIR/nginx-tmp/proxy;
  fastcgi_temp_path $DIR/nginx-tmp/fcgi; uwsgi_temp_path $DIR/nginx-tmp/uwsgi; scgi_temp_path $DIR/nginx-tmp/scgi;
  upstream hearth { $servers keepalive 64; }
  server {
    listen 127.0.0.1:$PROXY_PORT;
    location / { proxy_pass http://hearth; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_next_upstream error; }
  }
}
CONF
  /usr/sbin/nginx -c "$DIR/nginx.conf" -p "$DIR" -g 'daemon off;' &
  NGINX=$!
  for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PROXY_PORT/health/live" >/dev/null && return 0; sleep 0.1; done
  echo "nginx did not start" >&2; cat "$DIR/nginx-error.log" >&2; exit 1
}

measure() { # path [wrk args...]
  local path=$1; shift
  local out; out=$(wrk "${WRK_ARGS[@]}" "$@" "http://127.0.0.1:$PROXY_PORT$path")
  echo "$out" >&2
  if grep -q 'Non-2xx' <<<"$out"; then echo "non-2xx answers on $path, see above" >&2; return 1; fi
  awk '/^Requests\/sec/ {rps=$2} $1=="50%" {p50=$2} $1=="99%" {p99=$2} END {print rps, p50, p99}' <<<"$out"
}

PROXY_PORT=$(free_port); P0=$(free_port); P1=$(free_port)
start_node 0 "$P0"
start_proxy "$P0"
BASE=http://127.0.0.1:$PROXY_PORT
ACCOUNT=$(curl -sf -H "x-api-key: $ADMIN_KEY" -H 'content-type: application/json' -d '{"name":"bench","plan":"bench","free_credits":1}' "$BASE/admin/accounts")
KEY=$(jq -r .api_key <<<"$ACCOUNT")
echo "load average before (1/5/15 min): $(cut -d' ' -f1-3 /proc/loadavg); warming up..."
wrk -t2 -c64 -d5s -H "x-api-key: $KEY" "$BASE/v1/get-user-credits" >/dev/null
read -r H_RPS H_P50 H_P99 <<<"$(measure /health/live)"
read -r C1_RPS C1_P50 C1_P99 <<<"$(measure /v1/get-user-credits -H "x-api-key: $KEY")"

start_node 1 "$P1"
start_proxy "$P0" "$P1"
wrk -t2 -c64 -d5s -H "x-api-key: $KEY" "$BASE/v1/get-user-credits" >/dev/null
read -r C2_RPS C2_P50 C2_P99 <<<"$(measure /v1/get-user-credits -H "x-api-key: $KEY")"

printf '\nwrk %s through nginx, %s cores, PostgreSQL + Redis on the same machine\n' "${WRK_ARGS[*]}" "$(nproc)"
printf '%-40s %12s %10s %10s\n' route req/s p50 p99
printf '%-40s %12s %10s %10s\n' "GET /health/live, 1 node" "$H_RPS" "$H_P50" "$H_P99"
printf '%-40s %12s %10s %10s\n' "GET /v1/get-user-credits, 1 node" "$C1_RPS" "$C1_P50" "$C1_P99"
printf '%-40s %12s %10s %10s\n' "GET /v1/get-user-credits, 2 nodes" "$C2_RPS" "$C2_P50" "$C2_P99"
awk -v c="$C1_RPS" -v h="$H_RPS" -v c2="$C2_RPS" 'BEGIN {printf "credits / health (1 node) = %.2f; 2 nodes / 1 node (credits) = %.2f\n", c / h, c2 / c}'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
