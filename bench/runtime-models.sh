#!/usr/bin/env bash
# Models whose runtime is an artifact (text-to-speech: FreeTTS; face-detection, background-removal: OpenCV;
# speech-to-text: pocketsphinx from Debian packages): each
# model in two fresh JVMs (RuntimeModelsBench), the first booting into an empty artifact folder (download from
# Maven Central, npm and the Debian archive), the second from that folder (cache); each prints boot, first call, warm memory, and
# calls in process vs over HTTP. The vision models read target/debian/.../astronaut.png (the tests unpack it).
# Build first: ./mvnw -B -o -q package -DskipTests.   MODELS="face-detection" ROUNDS=3 to narrow it.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${JAR:-target/hearth.jar}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
[ -f "$JAR" ] || { echo "no $JAR: build first with ./mvnw -B -o -q package -DskipTests" >&2; exit 1; }
LOG=target/runtime-models-bench.log
: > "$LOG"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
for model in ${MODELS:-text-to-speech face-detection background-removal speech-to-text}; do
  dir=$(mktemp -d -t hearth-artifacts.XXXXXX)
  echo "-- $model, empty artifact folder (download):"
  "$JAVA" --enable-native-access=ALL-UNNAMED -Xmx1g -cp "$JAR" dev.hearth.bench.RuntimeModelsBench "$model" "$dir" 1 2>>"$LOG"
  echo "-- $model, from the cache:"
  "$JAVA" --enable-native-access=ALL-UNNAMED -Xmx1g -cp "$JAR" dev.hearth.bench.RuntimeModelsBench "$model" "$dir" "${ROUNDS:-5}" 2>>"$LOG"
  rm -rf "$dir"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
