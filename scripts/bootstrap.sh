#!/usr/bin/env bash
# One-stop, idempotent set-up used by `make run` and `make test`:
#   1. system packages (PostgreSQL 15 + PostGIS 3 + pgRouting, GDAL, Python venv) via apt-get when
#      root, otherwise the exact command to run is printed and we stop;
#   2. the Python virtualenv in .venv from the pinned requirements.txt (skipped when unchanged);
#   3. the private PostgreSQL cluster under var/pg (unless DATABASE_URL is set) and its database.
# Usage: scripts/bootstrap.sh [system|venv|db|all] [--browser]
#   --browser also installs what the tests need beyond run time: Debian's Chromium, CJK fonts, poppler.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

step=${1:-all}
browser=0
for a in "$@"; do [ "$a" = "--browser" ] && browser=1; done

log() { printf '\033[1;34m[geo-mz]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[geo-mz]\033[0m %s\n' "$*" >&2; exit 1; }

PG_BIN=/usr/lib/postgresql/15/bin
PG_SHARE=/usr/share/postgresql/15/extension

# ---------------------------------------------------------------- 1. system packages
system_packages() {
  local missing=()
  [ -x "$PG_BIN/postgres" ] || missing+=(postgresql-15)
  [ -f "$PG_SHARE/postgis.control" ] || missing+=(postgresql-15-postgis-3)
  [ -f "$PG_SHARE/pgrouting.control" ] || missing+=(postgresql-15-pgrouting)
  command -v ogrinfo >/dev/null 2>&1 || missing+=(gdal-bin)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  # Debian splits venv/ensurepip out of python3.
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
  [ -f /etc/ssl/certs/ca-certificates.crt ] || missing+=(ca-certificates)
  command -v runuser >/dev/null 2>&1 || missing+=(util-linux)
  # TrueType CJK font embedded in the door-plate PDFs (apps/addresses/plates_print.py).
  [ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || missing+=(fonts-wqy-zenhei)
  if [ "$browser" = 1 ]; then
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    [ -d /usr/share/fonts/opentype/noto ] || missing+=(fonts-noto-cjk)
    # pdftoppm: the tests render the plate PDFs to check what a printer would get.
    command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
    # Playwright's bundled node driver links libatomic, which a minimal Debian lacks.
    ldconfig -p 2>/dev/null | grep -q 'libatomic\.so\.1' || missing+=(libatomic1)
  fi
  if [ ${#missing[@]} -eq 0 ]; then return 0; fi
  if [ "$(id -u)" != 0 ]; then
    die "Missing system packages. Run as root:  apt-get update && apt-get install -y ${missing[*]}"
  fi
  log "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# ---------------------------------------------------------------- 2. Python virtualenv
python_venv() {
  local want have
  if [ ! -x .venv/bin/python ]; then
    log "Creating .venv"
    python3 -m venv .venv
  fi
  want=$(sha256sum requirements.txt | cut -d' ' -f1)
  have=$(cat .venv/.requirements.sha256 2>/dev/null || true)
  if [ "$want" != "$have" ]; then
    log "Installing Python packages from requirements.txt"
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
    echo "$want" > .venv/.requirements.sha256
  fi
}

# ---------------------------------------------------------------- 3. private cluster
database() {
  if [ -n "${DATABASE_URL:-}" ]; then
    log "DATABASE_URL is set: using that database, no private cluster."
    return 0
  fi
  scripts/pg.sh start
}

case "$step" in
  system) system_packages ;;
  venv) python_venv ;;
  db) database ;;
  all) system_packages; python_venv; database ;;
  *) die "unknown step '$step' (system|venv|db|all)" ;;
esac
