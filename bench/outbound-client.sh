#!/usr/bin/env bash
# Which outbound HTTP client: OutboundClientBench (JMH, sample mode) with 1 thread (sequential) and 8 threads
# (8 concurrent callers), each thread posting a small JSON chat request to an in-JVM instant upstream with
# keep-alive. Prints p50 / p99 per call and calls per second (threads / mean time) per client.
# Short settings for a 2-core machine: one fork, 2 x 2 s warm-up, 3 x 3 s measured, about 2 minutes in all;
# JMH_SETTINGS replaces them; JAVA_OPTS goes to JMH's JVM (e.g. -Djmh.ignoreLock=true beside another JMH run).
# Other arguments go to JMH (e.g. -p client=okhttp,jdk).
# Build first: ./mvnw -B -o -q package -DskipTests   (or set CP to a classpath with Hearth and its dependencies)
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=${JAR:-target/hearth.jar}
OUT=${OUT:-target}
JMH_SETTINGS=${JMH_SETTINGS:--f 1 -wi 2 -w 2s -i 3 -r 3s}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
"$JAVA" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])' || { echo "Java 21 or newer is needed: set JAVA_HOME" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq is needed to read JMH's results (apt-get install -y jq)" >&2; exit 1; }
if [ -z "${CP:-}" ]; then
  [ -f "$JAR" ] || { echo "no $JAR: build first with ./mvnw -B -o -q package -DskipTests" >&2; exit 1; }
  # a private copy: a rebuild of target/ while JMH forks would pull the jar from under the run
  CP=$(mktemp -t hearth-jmh.XXXXXX.jar)
  trap 'rm -f "$CP"' EXIT
  cp "$JAR" "$CP"
fi

echo "load average before (1/5/15 min): $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
mkdir -p "$OUT"
for t in 1 8; do
  # -foe false: a client that fails under load (the JDK one has, with 8 callers) loses its row, not the run
  "$JAVA" ${JAVA_OPTS:-} -cp "$CP" org.openjdk.jmh.Main OutboundClientBench $JMH_SETTINGS -t "$t" -foe false \
      -rf json -rff "$OUT/jmh-outbound-t$t.json" "$@" >"$OUT/jmh-outbound-t$t.log" 2>&1 || true
  [ "$(jq 'length' "$OUT/jmh-outbound-t$t.json" 2>/dev/null || echo 0)" -ge "$(grep -c '^# Parameters' "$OUT/jmh-outbound-t$t.log")" ] \
      || echo "threads $t: a client failed (\"failed\" below); the error is in $OUT/jmh-outbound-t$t.log" >&2
done
echo "load average after  (1/5/15 min): $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| client | sequential p50 / p99 | sequential calls/s | 8 concurrent p50 / p99 | 8 concurrent calls/s |"
echo "|---|---|---|---|---|"
jq -rs '
  def ms: . / 1000 | . * 1000 | round / 1000 | tostring;
  def cell(r; f): if r == null then "failed" else (r | f) end;
  def row: {p50: .primaryMetric.scorePercentiles["50.0"], p99: .primaryMetric.scorePercentiles["99.0"],
            rate: (.threads * 1000000 / .primaryMetric.score | round)};
  ((.[0] // []) | map({key: .params.client, value: row}) | from_entries) as $one
  | ((.[1] // []) | map({key: .params.client, value: row}) | from_entries) as $eight
  | ($one + $eight) | keys_unsorted[] as $c
  | "| \($c) | \(cell($one[$c]; "\(.p50 | ms) / \(.p99 | ms) ms")) | \(cell($one[$c]; .rate)) | \(cell($eight[$c]; "\(.p50 | ms) / \(.p99 | ms) ms")) | \(cell($eight[$c]; .rate)) |"
' "$OUT/jmh-outbound-t1.json" "$OUT/jmh-outbound-t8.json"
