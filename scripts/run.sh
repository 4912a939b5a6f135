#!/usr/bin/env bash
# Installs what is missing, builds, and opens the desktop app on a demo site database in the
# user's data folder (created on first run with the trial's definition and demo subjects).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
bash scripts/install-deps.sh
(cd ui && npm run build --silent)
cargo build -p ecrf-cli -p ecrf-app
BIN="$CARGO_TARGET_DIR/debug"

DATA="${XDG_DATA_HOME:-$HOME/.local/share}/ecrf"
DB="$DATA/site.db"
mkdir -p "$DATA"
if [ ! -f "$DB" ]; then
  echo "creating the demo site S01 in $DB"
  ECRF_PASSWORD=admin-demo-1 "$BIN/ecrf" --db "$DB" init --role site --site S01 --admin admin --name "Site Administrator" >/dev/null
  add() { ECRF_PASSWORD=admin-demo-1 ECRF_NEW_PASSWORD="$4" "$BIN/ecrf" --db "$DB" --user admin user add "$1" --role "$2" --name "$3" >/dev/null; }
  add nurse nurse "Li Na (research nurse)" nurse-demo-1
  add investigator investigator "Dr Zhang Wei (investigator)" investigator-demo-1
  add monitor monitor "Chen Jing (monitor)" monitor-demo-1
  ECRF_PASSWORD=admin-demo-1 "$BIN/ecrf" --db "$DB" --user admin demo --subjects 12 --seed 2026 >/dev/null
fi
cat <<MSG
Demo logins (site S01):  nurse / nurse-demo-1   investigator / investigator-demo-1
                         monitor / monitor-demo-1   admin / admin-demo-1
MSG
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "no display: starting a virtual one (Xvfb :77); screenshot it with: DISPLAY=:77 import -window root shot.png"
  Xvfb :77 -screen 0 1440x900x24 -nolisten tcp >/dev/null 2>&1 &
  export DISPLAY=:77
  sleep 1
fi
exec "$BIN/ecrf-app" --db "$DB"
