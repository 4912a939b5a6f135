#!/usr/bin/env bash
# Benchmarks the desktop app as users get it: a release build with the production UI embedded,
# launched under Xvfb (started when there is no DISPLAY) on a fresh demo site database. Prints
# the time from launch to an interactive login screen (min/median/max over several launches)
# and the idle memory of the app with its WebKit processes (RSS, PSS) at the login screen, the
# subject list and a casebook, each beside its goal; writes app-bench.json and screenshots to
# --out DIR (default: a new folder under /tmp). Not part of the tests.
#   bash scripts/bench-app.sh [--launches 5] [--subjects 50] [--idle 10] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
bash scripts/install-deps.sh
(cd ui && npm run build --silent)
cargo build --release -p ecrf-cli -p ecrf-app -p ecrf-tests --bins
exec "$CARGO_TARGET_DIR/release/app-bench" "$@"
