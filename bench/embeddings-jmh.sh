#!/usr/bin/env bash
# Embeddings throughput: the bge-small-en-v1.5 runner called in-process vs the same sentence through a real
# Hearth over HTTP, both measured by one JMH run (EmbeddingOverheadBench). Prints JMH's table and the ratio.
# Short settings for a 2-core machine: one fork per benchmark, 2 x 3 s warm-up, 3 x 5 s measured; about
# 1 minute per thread count; JMH_SETTINGS replaces them. THREADS="1 4" (default) runs it once single-threaded
# and once with 4 threads (the model's slots). Other arguments go to JMH (e.g. -prof gc).
# Build first: ./mvnw -B -o -q package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=${JAR:-target/hearth.jar}
OUT=${OUT:-target}   # where JMH's JSON results go
JMH_SETTINGS=${JMH_SETTINGS:--f 1 -wi 2 -w 3s -i 3 -r 5s}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
[ -f "$JAR" ] || { echo "no $JAR: build first with ./mvnw -B -o -q package -DskipTests" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq is needed to compute the ratio (apt-get install -y jq)" >&2; exit 1; }
# Run a private copy: a rebuild of target/ while JMH forks would pull the jar from under the run.
COPY=$(mktemp -t hearth-jmh.XXXXXX.jar)
trap 'rm -f "$COPY"' EXIT
cp "$JAR" "$COPY"

for t in ${THREADS:-1 4}; do
  # Other processes on the machine move these numbers more than anything in Hearth: show how busy it was.
  echo "load average before (1/5/15 min): $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
  mkdir -p "$OUT"
  out=$OUT/jmh-embeddings-t$t.json
  "$JAVA" -cp "$COPY" org.openjdk.jmh.Main EmbeddingOverheadBench \
      $JMH_SETTINGS -t "$t" -foe true -rf json -rff "$out" "$@"
  # (JMH writes the error as "NaN" when there is a single iteration.)
  jq -r --arg t "$t" 'def n: if type == "number" then floor else "?" end;
      (map({(.benchmark | split(".") | last): .primaryMetric}) | add) as $m
      | "threads=\($t)  in-process \($m.inProcess.score | n) ± \($m.inProcess.scoreError | n) ops/s"
        + "  over HTTP \($m.overHttp.score | n) ± \($m.overHttp.scoreError | n) ops/s"
        + "  HTTP / in-process = \($m.overHttp.score / $m.inProcess.score * 100 | round / 100)"' "$out"
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
done
