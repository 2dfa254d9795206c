#!/usr/bin/env bash
# GET /v1/usage with a million usage records for one account: the endpoint over HTTP, the same report read
# from the daily aggregates in process, and the raw-scan baseline (the same numbers computed from the raw
# records), all in one JMH run (UsageQueryBench), then the ratio raw scan / aggregates.
# The setup inserts the records in bulk (about a minute per million on 2 cores); one fork, 2 x 3 s warm-up,
# 3 x 5 s measured per benchmark. STORES="sqlite postgresql" also runs it on PostgreSQL (HEARTH_BENCH_PG_URL,
# default jdbc:postgresql://127.0.0.1:5432/test, user postgres, a private schema dropped after).
# RECORDS=2000000 for more records. Extra arguments go to JMH. Build first: ./mvnw -B -o -q package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=${JAR:-target/hearth.jar}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
[ -f "$JAR" ] || { echo "no $JAR: build first with ./mvnw -B -o -q package -DskipTests" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq is needed to compute the ratio (apt-get install -y jq)" >&2; exit 1; }

for store in ${STORES:-sqlite}; do
  out=target/jmh-usage-$store.json
  "$JAVA" -cp "$JAR" org.openjdk.jmh.Main UsageQueryBench -p store="$store" -p records="${RECORDS:-1000000}" \
      -f 1 -wi 2 -w 3s -i 3 -r 5s -rf json -rff "$out" "$@"
  jq -r --arg s "$store" '
      (map({(.benchmark | split(".") | last): .primaryMetric}) | add) as $m
      | "\($s): GET /v1/usage over HTTP \($m.overHttp.score * 1000 | round / 1000) ms"
        + "  aggregates \($m.aggregates.score * 1000 | round / 1000) ± \($m.aggregates.scoreError * 1000 | round / 1000) ms"
        + "  raw scan \($m.rawScan.score * 10 | round / 10) ± \($m.rawScan.scoreError * 10 | round / 10) ms"
        + "  raw scan / aggregates = \($m.rawScan.score / $m.aggregates.score | round)"' "$out"
done
