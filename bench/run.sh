#!/usr/bin/env bash
# Runs the Sluice benchmark and prints one table (also written to target/bench/results-<mode>.md).
#   bench/run.sh            quick mode (~4 minutes)
#   bench/run.sh full       the issue's sizes (~10-15 minutes)
#   bench/run.sh quick S1,S3            a subset of scenarios
#   BENCH_JFR=1 bench/run.sh quick S1   with a JFR recording, summarised by bench/jfr-summary.py
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-quick}"
scenarios="${2:-S1,S2,S3,S4,S5}"
jvm="-Xmx3g"
if [[ "${BENCH_JFR:-}" == "1" ]]; then
  jvm="$jvm -XX:StartFlightRecording=filename=target/bench/bench-$mode.jfr,settings=profile"
  mkdir -p target/bench
fi
./mvnw -B -ntp -Pbench verify -Dbench.mode="$mode" -Dbench.scenarios="$scenarios" -Dbench.jvm="$jvm"
if [[ "${BENCH_JFR:-}" == "1" ]]; then
  python3 bench/jfr-summary.py "target/bench/bench-$mode.jfr" 10
fi
