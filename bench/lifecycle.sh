#!/usr/bin/env bash
# Job engine numbers (issue: job engine): cold boot to first result for each built-in embedding model, warm
# v1 latency p50/p99, and the v2 submit rate, all against one server in one run.
#   cold boot  = time of the first POST /v1/{slug} on a cold model (process already up): queue time includes the
#                boot, and x-queue-time says how much of it was the boot
#   warm       = wrk -t1 -c1 -d10s --latency POST /v1/{slug} (one client: the latency of one call)
#   v2 submit  = wrk -t2 -c64 -d10s POST /v2/bge-small-en-v1.5 (admission + hold + jobs row + enqueue)
# Build first: ./mvnw -B -o -q package -DskipTests. wrk and the server share the machine's cores.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${JAR:-target/hearth.jar}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
[ -f "$JAR" ] || { echo "no $JAR: build first" >&2; exit 1; }
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
command -v jq >/dev/null || apt-get install -y jq >/dev/null

DATA=$(mktemp -d -t hearth-life.XXXXXX)
SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null; rm -rf "$DATA"; }
trap cleanup EXIT
ADMIN_KEY=SG_$(head -c 4096 /dev/urandom | tr -dc 'A-Za-z0-9' | head -c 32)
mkdir -p "$DATA/catalog"
# a long queue so the submit benchmark measures admission, not 503s from a full queue
for m in bge-small-en-v1.5 all-minilm-l6-v2; do
  unzip -p "$JAR" "models/$m.yaml" | sed 's/queue_size: 256/queue_size: 1000000/' > "$DATA/catalog/$m.yaml"
done
cat > "$DATA/bench.yaml" <<YAML
catalog: {dir: "$DATA/catalog"}
plans:
  bench: {requests_per_minute: 1000000000, concurrent_jobs: 10000000, paid: true}
YAML
cp "$JAR" "$DATA/hearth.jar"
HEARTH_ADMIN_KEY=$ADMIN_KEY "$JAVA" --enable-native-access=ALL-UNNAMED -jar "$DATA/hearth.jar" serve --port 0 \
    --data "$DATA" --config "$DATA/bench.yaml" >"$DATA/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 240); do
  PORT=$(sed -n 's|^Hearth is serving on http://[^:]*:\([0-9]*\).*|\1|p' "$DATA/server.log")
  [ -n "$PORT" ] && curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break
  sleep 0.5
done
BASE=http://127.0.0.1:$PORT
ACCOUNT=$(curl -sf -H "x-api-key: $ADMIN_KEY" -H 'content-type: application/json' -d '{"name":"bench","plan":"bench","free_credits":0}' "$BASE/admin/accounts")
KEY=$(jq -r .api_key <<<"$ACCOUNT")
curl -sf -H "x-api-key: $ADMIN_KEY" -H 'content-type: application/json' -d '{"amount":100000,"kind":"paid","reference":"bench"}' \
    "$BASE/admin/accounts/$(jq -r .account_id <<<"$ACCOUNT")/credits" >/dev/null

cat > "$DATA/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"text": "The cat sits on the mat."}'
LUA

echo "model                 cold_first_call_s  boot_s   warm_p50   warm_p99   warm_req_s"
for m in bge-small-en-v1.5 all-minilm-l6-v2; do
  first=$(curl -s -o /dev/null -D "$DATA/h" -w '%{time_total}' -H "x-api-key: $KEY" -H 'content-type: application/json' \
      -d '{"text": "The cat sits on the mat."}' "$BASE/v1/$m")
  boot=$(curl -sf -H "x-api-key: $KEY" "$BASE/v1/models/$m" | jq -r .boot_seconds)
  out=$(wrk -t1 -c1 -d10s --latency -s "$DATA/post.lua" -H "x-api-key: $KEY" "$BASE/v1/$m")
  p50=$(awk '/^ +50%/{print $2}' <<<"$out"); p99=$(awk '/^ +99%/{print $2}' <<<"$out"); rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  printf "%-22s %-18s %-8.2f %-10s %-10s %s\n" "$m" "$first" "$boot" "$p50" "$p99" "$rps"
done
out=$(wrk -t2 -c64 -d10s --latency -s "$DATA/post.lua" -H "x-api-key: $KEY" "$BASE/v2/bge-small-en-v1.5")
echo "$out" >&2
echo "v2 submit: $(awk '/Requests\/sec/{print $2}' <<<"$out") req/s, p50 $(awk '/^ +50%/{print $2}' <<<"$out"), p99 $(awk '/^ +99%/{print $2}' <<<"$out")"
