#!/usr/bin/env bash
# text-to-speech (FreeTTS): first boot with download vs boot from the cache, warm memory, and calls in process vs
# over HTTP (SpeechBench, one JVM). Downloads FreeTTS from Maven Central into a temporary folder.
# Build first: ./mvnw -B -o -q package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${JAR:-target/hearth.jar}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
[ -f "$JAR" ] || { echo "no $JAR: build first with ./mvnw -B -o -q package -DskipTests" >&2; exit 1; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
"$JAVA" --enable-native-access=ALL-UNNAMED -Xmx1g -cp "$JAR" dev.hearth.bench.SpeechBench 2>>target/speech-bench.log
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
