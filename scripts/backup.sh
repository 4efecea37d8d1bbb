#!/usr/bin/env bash
# Backup and restore of the service's PostgreSQL database (pg_dump custom format).
#   scripts/backup.sh backup [FILE]    dump into FILE (default var/backups/geo_mz-<UTC timestamp>.dump)
#   scripts/backup.sh restore FILE     pg_restore --clean --if-exists --no-owner FILE into the database
# The database is DATABASE_URL's, or the private cluster's (var/pg/database_url).
# Restore refuses a database that other sessions are connected to (stop the web server and the
# worker first) unless FORCE=1, which ends those sessions before restoring.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1;34m[geo-mz]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[geo-mz]\033[0m %s\n' "$*" >&2; exit 1; }

database_url() {
  if [ -n "${DATABASE_URL:-}" ]; then printf '%s' "$DATABASE_URL"; return; fi
  [ -f var/pg/database_url ] || die "No DATABASE_URL and no private cluster (var/pg/database_url): run 'make setup' first."
  cat var/pg/database_url
}

URL=$(database_url)
# The database name (path of the URL, without query) for messages.
DB_NAME=${URL##*/}; DB_NAME=${DB_NAME%%\?*}
command -v pg_dump >/dev/null || die "pg_dump not found (Debian: apt-get install postgresql-client-15)."

backup() {
  local file=${1:-var/backups/geo_mz-$(date -u +%Y%m%dT%H%M%SZ).dump} start
  mkdir -p "$(dirname "$file")"
  start=$(date +%s)
  log "Dumping database $DB_NAME into $file"
  # Into a temporary name first: a failed dump never leaves a file that looks complete.
  pg_dump --format=custom --no-owner --file="$file.part" "$URL" || { rm -f "$file.part"; die "pg_dump failed; no backup written."; }
  mv "$file.part" "$file"
  log "Backup done in $(( $(date +%s) - start ))s, $(du -h "$file" | cut -f1): $file"
  printf '%s\n' "$file"
}

restore() {
  local file=${1:-} others start
  [ -n "$file" ] || die "Which backup? make restore BACKUP=var/backups/geo_mz-....dump"
  [ -f "$file" ] || die "No such backup file: $file"
  pg_restore --list "$file" >/dev/null 2>&1 || die "$file is not a pg_dump custom-format archive."
  others=$(psql "$URL" -XAtqc "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()") \
    || die "Cannot connect to database $DB_NAME."
  if [ "$others" != 0 ]; then
    [ "${FORCE:-0}" = 1 ] || die "Database $DB_NAME has $others other connection(s) (web server, worker, psql?). Stop them, or run with FORCE=1 to end them and restore anyway."
    log "FORCE=1: ending $others other connection(s) to $DB_NAME"
    psql "$URL" -XAtqc "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" >/dev/null
  fi
  start=$(date +%s)
  log "Restoring $file into database $DB_NAME (existing objects are dropped and recreated)"
  pg_restore --clean --if-exists --no-owner --exit-on-error --single-transaction --dbname="$URL" "$file" \
    || die "pg_restore failed; the restore ran in one transaction, so database $DB_NAME is unchanged."
  log "Restored $file into $DB_NAME in $(( $(date +%s) - start ))s."
}

case "${1:-}" in
  backup) backup "${2:-}" ;;
  restore) restore "${2:-}" ;;
  *) die "usage: scripts/backup.sh backup [FILE] | restore FILE" ;;
esac
