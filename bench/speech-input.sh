#!/usr/bin/env bash
# speech-to-text's inputs (dev.hearth.bench.SpeechInputBench, in the jar): one sentence as WAV, MP3, Ogg Vorbis and
# FLAC (the fixtures in src/test/resources/audio), and a 28 s recording decoded whole vs split by silero VAD.
# Build first: ./mvnw -B -o -q package -DskipTests. ARTIFACTS=folder (default: the tests' cache, target/test-artifacts,
# filled by TranscriptionTest; an empty folder makes the first boot download everything); ROUNDS=3.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${JAR:-target/hearth.jar}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
[ -f "$JAR" ] || { echo "no $JAR: build first with ./mvnw -B -o -q package -DskipTests" >&2; exit 1; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
"$JAVA" --enable-native-access=ALL-UNNAMED -Xmx1g -cp "$JAR" dev.hearth.bench.SpeechInputBench "${ARTIFACTS:-target/test-artifacts}" src/test/resources/audio "${ROUNDS:-3}" 2>>target/speech-input-bench.log
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
