#!/usr/bin/env bash
# Runs every test: formatting and lints, generated types up to date, Rust unit and integration
# tests, UI unit tests, and end-to-end tests of the desktop app in a real window under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
bash scripts/install-deps.sh

step() { printf '\n== %s\n' "$*"; }

step "UI unit tests and build"
(cd ui && npm test --silent && npm run build --silent)

step "formatting and lints (the app embeds ui/dist, built above)"
cargo fmt --all --check
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "TypeScript types generated from Rust are up to date"
cargo test --quiet -p ecrf-core --features ts export_bindings >/dev/null
cargo test --quiet -p ecrf-services --features ts export_bindings >/dev/null
if ! git diff --quiet -- ui/src/bindings || [ -n "$(git ls-files --others --exclude-standard ui/src/bindings)" ]; then
  git status --short ui/src/bindings
  echo "ui/src/bindings is out of date: commit the regenerated files" >&2
  exit 1
fi

step "Rust tests (unit, integration, CLI contract, end-to-end under Xvfb)"
cargo build --quiet -p ecrf-cli -p ecrf-app
log=$(mktemp)
set +e
cargo test --workspace --no-fail-fast 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line over every Rust test binary (cargo prints one "test result" per binary).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "\ntests: %d passed, %d failed\n", p, f }' "$log"
rm -f "$log"
exit "$status"
