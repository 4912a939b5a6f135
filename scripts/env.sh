# Sourced by the scripts: one persistent build cache for every checkout and CI run, so warm
# runs take seconds. Override by setting CARGO_TARGET_DIR yourself.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ecrf/target}"
export PATH="$HOME/.cargo/bin:$PATH"
