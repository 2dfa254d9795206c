#!/usr/bin/env bash
# The ledger alone (LedgerBench): hold + settle of one call on one busy account, one transaction per step
# (per_step, the baseline), a writer thread's group commit (grouped) and holds in memory with leader/follower
# group commit (authority, the default), in the same JMH run, at 1 and 8 threads.
# Throughput in charged calls/s and the p50/p99 of one hold + settle. STORES="sqlite postgresql" also runs it on
# PostgreSQL (HEARTH_BENCH_PG_URL, default jdbc:postgresql://127.0.0.1:5432/test, user postgres, a private schema
# dropped after). One fork, 1 x 3 s warm-up, 2 x 5 s measured per case. Extra arguments go to JMH.
# Build first: ./mvnw -B -o -q package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=${JAR:-target/hearth.jar}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
[ -f "$JAR" ] || { echo "no $JAR: build first with ./mvnw -B -o -q package -DskipTests" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq is needed to print the summary (apt-get install -y jq)" >&2; exit 1; }

mkdir -p target
uptime
for store in ${STORES:-sqlite}; do
  for threads in ${THREADS:-1 8}; do
    out=target/jmh-ledger-$store-t$threads.json
    "$JAVA" ${JAVA_OPTS:-} -cp "$JAR" org.openjdk.jmh.Main LedgerBench -p store="$store" -t "$threads" \
        -f 1 -wi 1 -w 3s -i 2 -r 5s -rf json -rff "$out" "$@" > "target/jmh-ledger-$store-t$threads.log"
    jq -r --arg s "$store" --arg t "$threads" '
        (map(select(.mode == "thrpt") | {(.params.commits): .primaryMetric.score}) | add) as $rate
        | (map(select(.mode == "sample") | {(.params.commits): .primaryMetric.scorePercentiles}) | add) as $p
        | ["per_step", "grouped", "authority"][] as $c
        | "\($s) threads=\($t) \($c): \($rate[$c] | round) calls/s  p50 \($p[$c]["50.0"] * 1e6 | round) us  p99 \($p[$c]["99.0"] * 1e6 | round) us"' "$out"
    jq -r --arg s "$store" --arg t "$threads" '
        map(select(.mode == "thrpt") | {(.params.commits): .primaryMetric.score}) | add
        | "\($s) threads=\($t): grouped / per_step = \(.grouped / .per_step * 100 | round / 100), authority / per_step = \(.authority / .per_step * 100 | round / 100)"' "$out"
  done
done
