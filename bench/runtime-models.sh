#!/usr/bin/env bash
# Models whose runtime is an artifact (text-to-speech: FreeTTS; face-detection, background-removal: OpenCV;
# object-detection: TensorFlow Java; speech-to-text: pocketsphinx from Debian packages): each
# model in two fresh JVMs (RuntimeModelsBench), the first booting into an empty artifact folder (download from
# Maven Central, npm and the Debian archive), the second from that folder (cache); each prints boot, first call, warm memory, and
# calls in process vs over HTTP. The vision models read target/debian/.../astronaut.png (the tests unpack it).
# object-detection reads darknet's dog.jpg. Build first: ./mvnw -B -o -q package -DskipTests.
# MODELS="face-detection" ROUNDS=3 to narrow it; ARTIFACTS=folder boots from that (already filled) artifact folder
# and skips the download run (object-detection downloads about 300 MB: ARTIFACTS=target/test-artifacts reuses the
# tests' cache).
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${JAR:-target/hearth.jar}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
[ -f "$JAR" ] || { echo "no $JAR: build first with ./mvnw -B -o -q package -DskipTests" >&2; exit 1; }
LOG=target/runtime-models-bench.log
: > "$LOG"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
for model in ${MODELS:-text-to-speech face-detection background-removal object-detection speech-to-text}; do
  if [ -n "${ARTIFACTS:-}" ]; then
    dir=$ARTIFACTS
  else
    dir=$(mktemp -d -t hearth-artifacts.XXXXXX)
    echo "-- $model, empty artifact folder (download):"
    "$JAVA" --enable-native-access=ALL-UNNAMED -Xmx1g -cp "$JAR" dev.hearth.bench.RuntimeModelsBench "$model" "$dir" 1 2>>"$LOG"
  fi
  echo "-- $model, from the cache:"
  "$JAVA" --enable-native-access=ALL-UNNAMED -Xmx1g -cp "$JAR" dev.hearth.bench.RuntimeModelsBench "$model" "$dir" "${ROUNDS:-5}" 2>>"$LOG"
  [ -n "${ARTIFACTS:-}" ] || rm -rf "$dir"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
