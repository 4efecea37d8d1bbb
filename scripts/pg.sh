#!/usr/bin/env bash
# The project's private PostgreSQL 15 + PostGIS cluster under var/pg.
#   scripts/pg.sh start   create (first time) and start the cluster, create the database; idempotent
#   scripts/pg.sh stop    stop it
#   scripts/pg.sh status  say whether it runs
#   scripts/pg.sh url     print its DATABASE_URL
# It listens on 127.0.0.1 only, on a port of its own (chosen once, kept in var/pg/port) and on a
# unix socket in var/pg/run. Password authentication with a generated password (var/pg/password).
# PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` system user, which
# then owns the data directory. If that user cannot reach var/ (e.g. a checkout under /root, mode
# 700), the cluster lives in /var/lib/geo-mz/<hash of this path>/ and var/pg is a link to it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PG_BIN=/usr/lib/postgresql/15/bin
DB_NAME=geo_mz
DB_USER=geo_mz

log() { printf '\033[1;34m[geo-mz]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[geo-mz]\033[0m %s\n' "$*" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_root() {
  # Where the cluster files live; creates var/pg (or the link) on first use.
  if [ -e var/pg ]; then (cd var/pg && pwd -P); return; fi
  mkdir -p var
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$ROOT/var" 2>/dev/null; then
    local alt
    alt=/var/lib/geo-mz/$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)
    mkdir -p "$alt"
    ln -s "$alt" var/pg
    log "postgres cannot reach $ROOT/var: cluster files in $alt (linked as var/pg)"
  else
    mkdir -p var/pg
  fi
  (cd var/pg && pwd -P)
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

init_cluster() {
  local dir=$1 port pw
  log "Creating the private PostgreSQL cluster in $dir"
  mkdir -p "$dir/run" "$dir/log"
  port=55432
  while ! port_free "$port"; do port=$((port + 1)); done
  echo "$port" > "$dir/port"
  pw=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  umask 077
  echo "$pw" > "$dir/password"
  if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$dir"; fi
  as_owner "$PG_BIN/initdb" -D "$dir/data" -U "$DB_USER" --pwfile="$dir/password" -E UTF8 \
    --locale=C.UTF-8 --auth-local=scram-sha-256 --auth-host=scram-sha-256 >"$dir/log/initdb.log"
  as_owner tee -a "$dir/data/postgresql.conf" >/dev/null <<EOF

# geo-mz private cluster
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/run'
shared_buffers = 256MB
work_mem = 32MB
maintenance_work_mem = 256MB
max_connections = 60
logging_collector = off
EOF
}

start() {
  local dir port
  dir=$(pg_root)
  [ -f "$dir/data/PG_VERSION" ] || init_cluster "$dir"
  port=$(cat "$dir/port")
  if ! as_owner "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    port_free "$port" || die "Port $port (var/pg/port) is taken by another program: stop it or delete var/pg to re-create the cluster."
    log "Starting PostgreSQL on 127.0.0.1:$port"
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/log/postgres.log" -w -t 60 start >/dev/null \
      || { tail -20 "$dir/log/postgres.log" >&2; die "PostgreSQL did not start"; }
  fi
  PGPASSWORD=$(cat "$dir/password") "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U "$DB_USER" -d postgres -tAq \
    -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1 \
    || PGPASSWORD=$(cat "$dir/password") "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U "$DB_USER" "$DB_NAME"
  url > "$dir/database_url"
}

stop() {
  [ -e var/pg ] || { log "No private cluster."; return 0; }
  local dir; dir=$(pg_root)
  if as_owner "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    log "PostgreSQL stopped."
  else
    log "PostgreSQL was not running."
  fi
}

status() {
  [ -e var/pg ] || { echo "no private cluster"; return 3; }
  local dir; dir=$(pg_root)
  as_owner "$PG_BIN/pg_ctl" -D "$dir/data" status
}

url() {
  local dir; dir=$(pg_root)
  printf 'postgres://%s:%s@127.0.0.1:%s/%s\n' "$DB_USER" "$(cat "$dir/password")" "$(cat "$dir/port")" "$DB_NAME"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  url) url ;;
  *) die "usage: scripts/pg.sh start|stop|status|url" ;;
esac
