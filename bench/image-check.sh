#!/usr/bin/env bash
# Times the check every uploaded or input image passes (sniff + full decode into a ~1 MP subsampled raster),
# for PNG and JPEG at 1 and 12 megapixels. Needs a test build: ./mvnw -B -q test-compile
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q dependency:build-classpath -Dmdep.outputFile=target/bench-cp.txt >/dev/null
"${JAVA_HOME:+$JAVA_HOME/bin/}java" -Xmx512m -cp "target/classes:target/test-classes:$(cat target/bench-cp.txt)" bench/ImageCheckTiming.java
