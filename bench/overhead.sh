#!/usr/bin/env bash
# Gateway overhead, measured the way TensorZero and LiteLLM publish theirs: an upstream that answers at once
# (dev.hearth.bench.InstantUpstream, an OpenAI-compatible chat endpoint), called directly and through Hearth
# (POST /v1/chat/completions: key check, schema, ledger hold and post in SQLite, usage record, the upstream
# call) at fixed request rates with `hey -q`, in the same run. Overhead = Hearth's percentile minus the direct
# call's percentile of the same repetition; three repetitions per rate, the median is reported.
# RATES (default "100 500 2000 5000" req/s), REPS (3), DURATION (10s), WARMUP (per path before measuring,
# default 30s: the JIT needs it, more so on a busy machine) and CONC (hey workers) override.
# hey's -q is a rate per worker, and its workers tick in step: 50 workers at 2 req/s each send bursts of 50
# requests every half second, which measures queueing behind a burst rather than the cost of a request. So
# by default each rate gets RATE/20 workers (at least 4, at most 100), each at 20 req/s, unless CONC is set.
# A rate the machine cannot hold shows as a lower achieved req/s: read that column before the latency ones.
# Build first: ./mvnw -B -o -q package -DskipTests. Needs hey and jq (apt-get install -y hey jq).
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=${JAR:-target/hearth.jar}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
RATES=${RATES:-100 500 2000 5000}
REPS=${REPS:-3}
DURATION=${DURATION:-10s}
CONC=${CONC:-}
WARMUP=${WARMUP:-30s}
[ -f "$JAR" ] || { echo "no $JAR: build first with ./mvnw -B -o -q package -DskipTests" >&2; exit 1; }
for tool in hey jq curl; do command -v $tool >/dev/null || { echo "$tool is needed (apt-get install -y $tool)" >&2; exit 1; }; done

DATA=$(mktemp -d -t hearth-overhead.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$DATA"; }
trap cleanup EXIT
# a private copy: a rebuild of target/ during the run must not change the jar under the servers
cp "$JAR" "$DATA/hearth.jar"

wait_for() { # log-file sed-expression → prints the captured port
  for _ in $(seq 1 240); do
    local port; port=$(sed -n "$2" "$1" | head -1)
    [ -n "$port" ] && { echo "$port"; return 0; }
    sleep 0.5
  done
  echo "timed out waiting for $1" >&2; cat "$1" >&2; return 1
}

"$JAVA" -cp "$DATA/hearth.jar" dev.hearth.bench.InstantUpstream 0 >"$DATA/upstream.log" 2>&1 &
PIDS+=($!)
UP_PORT=$(wait_for "$DATA/upstream.log" 's/^listening on \([0-9]*\)$/\1/p')
UPSTREAM=http://127.0.0.1:$UP_PORT

mkdir -p "$DATA/catalog"
cat > "$DATA/catalog/bench-chat.yaml" <<YAML
slug: bench-chat
title: instant upstream (benchmark only)
category: llm
pricing: {type: per_token, price: 0.000001, max_units: 4096}
runner: {type: openai, base_url: "$UPSTREAM/v1", model: bench}
scaling: {slots: 256, queue_size: 100000, execution_timeout: 60}
input_schema:
  type: object
  required: [messages]
  properties:
    messages: {type: array, minItems: 1}
    max_tokens: {type: integer}
YAML
# A plan whose limits never bind: this measures the work of a request, not a limiter's refusals.
cat > "$DATA/bench.yaml" <<'YAML'
plans:
  bench:
    requests_per_minute: 1000000000
    concurrent_jobs: 100000
    paid: true
YAML
ADMIN_KEY=SG_$(head -c 512 /dev/urandom | tr -dc 'A-Za-z0-9' | head -c 32)
HEARTH_ADMIN_KEY=$ADMIN_KEY HEARTH_CATALOG_DIR="$DATA/catalog" "$JAVA" --enable-native-access=ALL-UNNAMED -jar "$DATA/hearth.jar" \
    serve --port 0 --data "$DATA" --config "$DATA/bench.yaml" >"$DATA/server.log" 2>&1 &
PIDS+=($!)
PORT=$(wait_for "$DATA/server.log" 's|^Hearth is serving on http://[^:]*:\([0-9]*\).*|\1|p')
BASE=http://127.0.0.1:$PORT
for _ in $(seq 1 120); do curl -sf "$BASE/health/ready" >/dev/null && break; sleep 0.5; done

ACCOUNT=$(curl -sf -H "x-api-key: $ADMIN_KEY" -H 'content-type: application/json' \
    -d '{"name":"bench","plan":"bench","free_credits":0}' "$BASE/admin/accounts")
KEY=$(jq -r .api_key <<<"$ACCOUNT")
curl -sf -H "x-api-key: $ADMIN_KEY" -H 'content-type: application/json' \
    -d '{"amount":100000,"kind":"paid","reference":"bench-overhead"}' "$BASE/admin/accounts/$(jq -r .account_id <<<"$ACCOUNT")/credits" >/dev/null

BODY='{"model":"bench-chat","messages":[{"role":"user","content":"hi"}],"max_tokens":16}'
DIRECT=(-m POST -T application/json -d "$BODY" "$UPSTREAM/v1/chat/completions")
HEARTH=(-m POST -T application/json -H "Authorization: Bearer $KEY" -d "$BODY" "$BASE/v1/chat/completions")
check=$(curl -s -w ' %{http_code}' -H "Authorization: Bearer $KEY" -H 'content-type: application/json' -d "$BODY" "$BASE/v1/chat/completions")
[[ "$check" == *" 200" ]] || { echo "Hearth did not answer 200: $check" >&2; exit 1; }
echo "upstream $UPSTREAM, Hearth $BASE; a call through Hearth answers: ${check% 200}"

# hey → "achieved_rps p50_ms p99_ms non200"; any non-2xx answer or error is counted, never hidden.
workers() { # rate → hey workers
  if [ -n "$CONC" ]; then echo "$CONC"; return; fi
  local c=$(( $1 / 20 )); (( c < 4 )) && c=4; (( c > 100 )) && c=100; echo "$c"
}

measure() { # rate target...
  local rate=$1; shift
  local c; c=$(workers "$rate")
  local q=$(( (rate + c - 1) / c ))
  local out; out=$(hey -z "$DURATION" -c "$c" -q "$q" "$@")
  awk '
    /Requests\/sec:/ {rps=$2}
    /^  50% in/ {p50=$3*1000}
    /^  99% in/ {p99=$3*1000}
    /^Status code distribution:/ {sec="status"}
    /^Error distribution:/ {sec="error"}
    sec == "status" && /^[ \t]*\[[0-9]+\]/ {code=$1; gsub(/[][]/, "", code); if (code != "200") bad += $2}
    sec == "error" && /^[ \t]*\[[0-9]+\]/ {n=$1; gsub(/[][]/, "", n); bad += n}
    END {printf "%.0f %.3f %.3f %d\n", rps, p50, p99, bad}' <<<"$out"
}

echo "warming up both paths for $WARMUP each (JIT, connection pools)..."
hey -z "$WARMUP" -c 50 "${DIRECT[@]}" >/dev/null
hey -z "$WARMUP" -c 50 "${HEARTH[@]}" >/dev/null

RESULTS=$DATA/results.txt
: >"$RESULTS"
echo "load average before (1/5/15 min): $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
for rate in $RATES; do
  for rep in $(seq 1 "$REPS"); do
    read -r d_rps d50 d99 dbad <<<"$(measure "$rate" "${DIRECT[@]}")"
    read -r h_rps h50 h99 hbad <<<"$(measure "$rate" "${HEARTH[@]}")"
    echo "$rate $rep $d_rps $d50 $d99 $dbad $h_rps $h50 $h99 $hbad" | tee -a "$RESULTS"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# the highest rate Hearth sustains: closed loop, 50 workers, no rate limit
MAX=$(hey -z "$DURATION" -c 50 "${HEARTH[@]}" | awk '/Requests\/sec:/ {printf "%.0f", $2}')
MAXD=$(hey -z "$DURATION" -c 50 "${DIRECT[@]}" | awk '/Requests\/sec:/ {printf "%.0f", $2}')

echo
echo "columns per repetition: rate rep | direct: req/s p50 p99 non-200 | Hearth: req/s p50 p99 non-200 (ms); hey workers per rate: $(for r in $RATES; do printf '%s→%s ' "$r" "$(workers "$r")"; done)"
printf '\n%-8s %-12s %-12s %-10s %-10s %-10s %-10s %-14s\n' "target" "direct r/s" "Hearth r/s" "direct p50" "direct p99" "Hearth p50" "Hearth p99" "overhead p50/p99 (ms, median of $REPS)"
for rate in $RATES; do
  awk -v r="$rate" '
    function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                       return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    $1 == r { n++; drps[n] = $3; d50[n] = $4; d99[n] = $5; hrps[n] = $7; h50[n] = $8; h99[n] = $9; o50[n] = $8 - $4; o99[n] = $9 - $5; bad += $6 + $10 }
    END { printf "%-8s %-12.0f %-12.0f %-10.3f %-10.3f %-10.3f %-10.3f %.3f / %.3f%s\n", r, median(drps, n), median(hrps, n), median(d50, n),
          median(d99, n), median(h50, n), median(h99, n), median(o50, n), median(o99, n), bad ? "  (" bad " non-200!)" : "" }' "$RESULTS"
done
echo
echo "highest sustained rate, closed loop with 50 workers for $DURATION: Hearth $MAX req/s, direct $MAXD req/s"
