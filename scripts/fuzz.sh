#!/usr/bin/env bash
# Fuzzes the parsers of hostile input with cargo-fuzz (libFuzzer, nightly toolchain).
#
#   scripts/fuzz.sh [TARGET|all] [SECONDS]     # default: every target, 300 s each
#
# Targets (fuzz/fuzz_targets/): bundle_open, bundle_members, definition, form_data,
# change_event. Each runs for SECONDS on fuzz/corpus/TARGET (kept between runs, not committed),
# seeded from fuzz/seeds/TARGET (committed). A crash leaves its input in fuzz/artifacts/TARGET/;
# turn it into a regression test (RELIABILITY.md says how). Prints execs/s, coverage and
# corpus size per target and exits 1 if any target crashed.
#
# Environment: FUZZ_SANITIZER (default none: the fuzzed code is safe Rust; `address` for ASan),
# FUZZ_TARGET_DIR (default ~/.cache/ecrf/fuzz-target, apart from the main build cache),
# FUZZ_ARGS (more libFuzzer options, e.g. "-jobs=2 -workers=2").
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

target=${1:-all}
seconds=${2:-300}
sanitizer=${FUZZ_SANITIZER:-none}
target_dir=${FUZZ_TARGET_DIR:-$HOME/.cache/ecrf/fuzz-target}

if ! rustup toolchain list | grep -q '^nightly'; then
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

if [ "$target" = all ]; then
  targets=$(cd fuzz && cargo fuzz list)
else
  targets=$target
fi

cargo +nightly fuzz build -s "$sanitizer" --target-dir "$target_dir" $([ "$target" = all ] || echo "$target")

logs=fuzz/artifacts/logs
mkdir -p "$logs"
crashed=0
summary=()
for t in $targets; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  before=$(find "fuzz/artifacts/$t" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' \) | wc -l)
  log="$logs/$t.log"
  printf '\n== %s (%s s)\n' "$t" "$seconds"
  set +e
  # -len_control=0: use the full input length from the start (libFuzzer otherwise cuts
  # mutations to a slowly growing limit, and a definition or bundle cut at 4 KB is mostly
  # a parse error).
  # shellcheck disable=SC2086
  cargo +nightly fuzz run -s "$sanitizer" --target-dir "$target_dir" "$t" \
    "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
    -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 -len_control=0 \
    ${FUZZ_ARGS:-} >"$log" 2>&1
  rc=$?
  set -e
  after=$(find "fuzz/artifacts/$t" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' \) | wc -l)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(find "fuzz/corpus/$t" -type f | wc -l)
  status=ok
  if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
    status="CRASH (exit $rc; see $log and fuzz/artifacts/$t/)"
    crashed=1
    grep -E 'panicked at|ERROR: libFuzzer|SUMMARY' "$log" | head -5 || true
  fi
  line=$(printf '%-15s %8ss %12s execs %8s/s  cov %6s  ft %6s  corpus %6s  %s' \
    "$t" "$seconds" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$corp" "$status")
  echo "$line"
  summary+=("$line")
done

printf '\n== summary\n'
printf '%s\n' "${summary[@]}"
exit $crashed
