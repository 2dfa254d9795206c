#!/usr/bin/env bash
# Dynamic batching over HTTP: 32 concurrent callers of short texts to bge-small-en-v1.5 through a real Hearth, with
# the lane's batching off, on, and on with paddedBatches, in one JMH run (BatchingBench, one fork per setting).
# Prints JMH's table, each fork's mean batch, and the ratios to "off". Short settings for a 2-core machine: 1 x 3 s
# warm-up, 3 x 5 s measured per setting, about 1.5 minutes in all; JMH_SETTINGS replaces them, CALLERS the 32.
# Build first: ./mvnw -B -o -q package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=${JAR:-target/hearth.jar}
OUT=${OUT:-target}
CALLERS=${CALLERS:-32}
JMH_SETTINGS=${JMH_SETTINGS:--f 1 -wi 1 -w 3s -i 3 -r 5s}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
[ -f "$JAR" ] || { echo "no $JAR: build first with ./mvnw -B -o -q package -DskipTests" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq is needed to compute the ratios (apt-get install -y jq)" >&2; exit 1; }
COPY=$(mktemp -t hearth-jmh.XXXXXX.jar)
trap 'rm -f "$COPY"' EXIT
cp "$JAR" "$COPY"

mkdir -p "$OUT"
out=$OUT/jmh-batching.json
echo "load average before (1/5/15 min): $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
"$JAVA" -cp "$COPY" org.openjdk.jmh.Main BatchingBench $JMH_SETTINGS -t "$CALLERS" -foe true -rf json -rff "$out" "$@" \
  | tee "$OUT/jmh-batching.log"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
grep -h "mean batch" "$OUT/jmh-batching.log" || true
jq -r --arg c "$CALLERS" 'def n: if type == "number" then floor else "?" end;
    (map({(.params.batching): .primaryMetric}) | add) as $m
    | "callers=\($c)  off \($m.off.score | n) ops/s  on \($m.on.score | n) ops/s  padded \($m.padded.score | n) ops/s"
      + "  on / off = \($m.on.score / $m.off.score * 100 | round / 100)"
      + "  padded / off = \($m.padded.score / $m.off.score * 100 | round / 100)"' "$out"
