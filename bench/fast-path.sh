#!/usr/bin/env bash
# The gateway path's cost, two (or more) Hearth jars side by side in one run: an nginx upstream that answers an
# OpenAI chat completion at once, called directly and through each jar (catalog model `bench-chat` on that
# upstream, SQLite, a plan whose limits never bind), one call at a time and closed loop, in alternating rounds so
# that the machine's state weighs on every column alike. Each row also gives the server's CPU time per call
# (user + system, from /proc), which a shared machine's load moves much less than the rates. The rows are the side-by-side bench's (hey, same bodies),
# without its peers; ../shared/bench/hearth-vs-peers.sh remains the reference table.
# Usage (from the project root): bench/fast-path.sh before.jar after.jar ...   (default: target/hearth.jar)
# Then one call at a time once more, measured by bench/LoneCall.java (a bare keep-alive socket client, targets
# interleaved in blocks of 200 calls, LONE seconds in all): p50/p90/p99 in µs, finer than hey's 0.1 ms steps.
# EMBED=1 adds the shipped bge-small-en-v1.5 embedding model of each jar to that interleaved run.
#   ROUNDS=3 DUR=8s LONE=20 EMBED=1 PORT=9930 JFR=1 JFR_MORE=<more recording options> (a JFR `profile` recording per jar, kept under $KEEP, default /tmp/fast-path-jfr)
set -u
: "${JAVA_HOME:?set JAVA_HOME to a JDK 21 or newer}"
ROUNDS=${ROUNDS:-3}; DUR=${DUR:-8s}; PORT=${PORT:-9930}; KEEP=${KEEP:-/tmp/fast-path-jfr}
[ $# -gt 0 ] || set -- target/hearth.jar
command -v nginx >/dev/null && command -v hey >/dev/null || apt-get install -y -qq nginx-light hey >/dev/null
tmp=$(mktemp -d)
up=$PORT
cat > "$tmp/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $tmp/nginx.pid; error_log $tmp/error.log;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path $tmp/body; keepalive_requests 100000000;
  server { listen 127.0.0.1:$up;
    location / { default_type application/json;
      return 200 '{"id":"x","object":"chat.completion","created":0,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}'; } } }
CONF
nginx -c "$tmp/nginx.conf" & pids=($!)
trap 'kill ${pids[*]} 2>/dev/null; sleep 2; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/catalog"
cat > "$tmp/catalog/bench-chat.yaml" <<YAML
slug: bench-chat
title: instant upstream
category: llm
pricing: {type: per_token, price: 0.000001, max_units: 4096}
runner: {type: openai, base_url: "http://127.0.0.1:$up/v1", model: m}
scaling: {slots: 256, queue_size: 100000, execution_timeout: 60}
input_schema: {type: object, required: [messages], properties: {messages: {type: array, minItems: 1}}}
YAML
printf 'plans:\n  bench: {requests_per_minute: 1000000000, concurrent_jobs: 100000, paid: true}\n' > "$tmp/bench.yaml"
echo '{"model":"m","messages":[{"role":"user","content":"hi"}]}' > "$tmp/m.json"
echo '{"model":"bench-chat","messages":[{"role":"user","content":"hi"}]}' > "$tmp/h.json"
ADMIN=SG_benchadminkey0123456789abcdefABC
names=(); ports=(); keys=(); jpids=()
i=0
for jar in "$@"; do
  i=$((i + 1)); p=$((PORT + i)); name=$(basename "$jar" .jar)
  mkdir -p "$tmp/j$i/data"; cp "$jar" "$tmp/j$i/hearth.jar"
  opts=""
  [ "${JFR:-0}" = 1 ] && { mkdir -p "$KEEP"; opts="-XX:StartFlightRecording=settings=profile,filename=$KEEP/$name.jfr,dumponexit=true${JFR_MORE:+,$JFR_MORE}"; }
  HEARTH_ADMIN_KEY=$ADMIN HEARTH_CATALOG_DIR="$tmp/catalog" "$JAVA_HOME/bin/java" $opts -jar "$tmp/j$i/hearth.jar" serve \
    --port $p --data "$tmp/j$i/data" --config "$tmp/bench.yaml" >"$tmp/j$i/hearth.log" 2>&1 & pids+=($!); jpids+=($!)
  for _ in $(seq 1 120); do curl -sf http://127.0.0.1:$p/health/ready >/dev/null && break; sleep 0.5; done
  curl -sf http://127.0.0.1:$p/health/ready >/dev/null || { echo "$jar did not start:"; tail -5 "$tmp/j$i/hearth.log"; exit 1; }
  new=$(curl -sf -X POST http://127.0.0.1:$p/admin/accounts -H "x-api-key: $ADMIN" -H 'Content-Type: application/json' \
    -d '{"name":"bench","plan":"bench"}') || { echo "could not create the bench account"; exit 1; }
  key=$(sed 's/.*"api_key":"\([^"]*\)".*/\1/' <<<"$new"); acc=$(sed 's/.*"account_id":"\([^"]*\)".*/\1/' <<<"$new")
  curl -s -X POST "http://127.0.0.1:$p/admin/accounts/$acc/credits" -H "x-api-key: $ADMIN" -H 'Content-Type: application/json' \
    -d '{"amount": 100000, "kind": "paid", "reference": "bench"}' >/dev/null
  names+=("$name"); ports+=($p); keys+=("$key")
done
cpu_ticks() { [ -n "${1:-}" ] && awk '{print $14 + $15}' "/proc/$1/stat" || echo 0; }
one() { # name body url [hey args...] -> "rate p50 p99 non200", and the server's CPU per call when $cpu_pid is set
  local name=$1 body=$2 url=$3; shift 3
  local c0; c0=$(cpu_ticks "${cpu_pid:-}")
  local out; out=$(hey "$@" -m POST -T application/json -D "$body" "$url" 2>&1)
  local c1; c1=$(cpu_ticks "${cpu_pid:-}")
  local calls; calls=$(grep -E '^\s+\[[0-9]+\]' <<<"$out" | awk '{s+=$2} END {print s+0}')
  printf '%-22s %8.0f/s  p50 %6.2f ms  p99 %6.2f ms  non-200 %s%s\n' "$name" \
    "$(grep 'Requests/sec' <<<"$out" | awk '{print $2}')" \
    "$(grep '50% in' <<<"$out" | awk '{print $3*1000}')" "$(grep '99% in' <<<"$out" | awk '{print $3*1000}')" \
    "$(grep -E '^\s+\[[0-9]+\]' <<<"$out" | grep -v '\[200\]' | awk '{s+=$2} END {print s+0}')" \
    "$([ -z "${cpu_pid:-}" ] || awk -v t=$((c1 - c0)) -v n="$calls" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "  server CPU %4.0f µs/call", n ? t * 1e6 / hz / n : 0}')"
}
all() { # direct, then each jar; the jar that goes first turns with each round ($start)
  cpu_pid= one direct "$tmp/m.json" http://127.0.0.1:$up/v1/chat/completions "$@"
  local n=${#names[@]}
  for j in $(seq 0 $((n - 1))); do
    local k=$(( (j + ${start:-0}) % n ))
    cpu_pid=${jpids[$k]} one "${names[$k]}" "$tmp/h.json" http://127.0.0.1:${ports[$k]}/v1/chat/completions -H "x-api-key: ${keys[$k]}" "$@"
  done
}
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "warm-up"; all -z 10s -c 20 >/dev/null
for r in $(seq 1 "$ROUNDS"); do
  start=$((r - 1))
  echo "== round $r: one at a time (1 worker)"; all -z "$DUR" -c 1
  echo "== round $r: closed loop, 50 workers";  all -z "$DUR" -c 50
done
lone=(direct=$up:/v1/chat/completions:$tmp/m.json)
for k in "${!names[@]}"; do lone+=("${names[$k]}=${ports[$k]}:/v1/chat/completions:$tmp/h.json:${keys[$k]}"); done
if [ "${EMBED:-0}" = 1 ]; then # the shipped embedding model too (an in-process ONNX runner, booted by the warm-up call)
  echo '{"text": "The quick brown fox jumps over the lazy dog near the river bank."}' > "$tmp/e.json"
  for k in "${!names[@]}"; do
    curl -sf -o /dev/null -X POST http://127.0.0.1:${ports[$k]}/v1/bge-small-en-v1.5 -H "x-api-key: ${keys[$k]}" -H 'Content-Type: application/json' -d @"$tmp/e.json" \
      || { echo "embedding call failed on ${names[$k]}"; exit 1; }
    lone+=("${names[$k]}-embed=${ports[$k]}:/v1/bge-small-en-v1.5:$tmp/e.json:${keys[$k]}")
  done
fi
echo "== one at a time, interleaved (bench/LoneCall.java, ${LONE:-20} s)"
"$JAVA_HOME/bin/java" "$(dirname "$0")/LoneCall.java" "${LONE:-20}" "${lone[@]}"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
