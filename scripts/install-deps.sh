#!/usr/bin/env bash
# Installs whatever is missing on a Debian 12 machine: system packages, npm packages,
# tauri-driver. Idempotent: a second run installs nothing and takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(
  build-essential pkg-config curl file
  libwebkit2gtk-4.1-dev libxdo-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev
  webkit2gtk-driver xvfb xauth dbus-x11 at-spi2-core
  sqlite3 libxml2-utils poppler-utils imagemagick fonts-noto-cjk
)

missing=()
for p in "${SYSTEM_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing system packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# pyHanko: the signed-PDF tests validate with it.
python3 -c 'import pyhanko' 2>/dev/null || pip install --quiet pyhanko pyhanko-cli
# odmlib: its copy of the CDISC ODM 1.3.2 schema (with its imports) validates the ODM export in
# the tests (xmllint, from libxml2-utils above).
python3 -c 'import odmlib' 2>/dev/null || pip install --quiet odmlib==0.2.1

# The statistics tests' reference implementations (crates/ecrf-core/tests/stats_*.rs re-run
# scripts/reference/*.py): SciPy, lifelines (Kaplan-Meier) and pynca (NCA).
python3 -c 'import scipy, lifelines, pynca' 2>/dev/null || pip install --quiet scipy lifelines pynca

# Front-end dependencies (exact versions from ui/package-lock.json).
if [ -f ui/package.json ]; then
  if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

# tauri-driver: the WebDriver proxy for end-to-end tests in a real window.
TAURI_DRIVER_VERSION=2.1.0
if ! command -v tauri-driver >/dev/null 2>&1; then
  cargo install --locked tauri-driver --version "$TAURI_DRIVER_VERSION"
fi
