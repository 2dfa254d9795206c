#!/usr/bin/env bash
# The ledger's hold and post on SQLite, one caller, measured in process (see bench/LedgerLatency.java).
# Build first: ./mvnw -B -o -q package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."
"${JAVA_HOME:+$JAVA_HOME/bin/}java" --enable-native-access=ALL-UNNAMED -cp "${JAR:-target/hearth.jar}" bench/LedgerLatency.java 2>/dev/null | grep -E '^(balance|hold|post)'
