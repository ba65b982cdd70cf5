#!/usr/bin/env bash
# A throwaway PostgreSQL + PostGIS cluster for the tests and benchmarks.
#
#   scripts/pg.sh start   create a cluster in $P03_PG_DIR (default: a new temp folder) on a free
#                         127.0.0.1 port, create database p03 with PostGIS; print its URL
#   scripts/pg.sh url     print the URL of the cluster in $P03_PG_DIR
#   scripts/pg.sh stop    stop the cluster in $P03_PG_DIR and delete the folder
#
# PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` user. The
# cluster trusts connections from 127.0.0.1 only, has no Unix socket and fsync off: for tests only.
# Progress goes to stderr; stdout carries only the URL, so `url=$(scripts/pg.sh start)` works.
set -euo pipefail

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
DB=${P03_PG_DB:-p03}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

url() {
  local dir=$1
  echo "postgresql://postgres@127.0.0.1:$(cat "$dir/port")/$DB"
}

start() {
  [ -x "$PGBIN/initdb" ] || { echo "pg.sh: PostgreSQL not found (run scripts/system-deps.sh)" >&2; exit 1; }
  local dir=${P03_PG_DIR:-}
  if [ -z "$dir" ]; then
    dir=$(mktemp -d /tmp/p03-pg.XXXXXX)
  fi
  mkdir -p "$dir"
  chmod 755 "$dir"
  mkdir -p "$dir/data"
  [ "$(id -u)" -ne 0 ] || chown postgres: "$dir/data"
  chmod 700 "$dir/data"
  as_owner "$PGBIN/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >&2
  local port
  port=$(free_port)
  echo "$port" > "$dir/port"
  as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories= -c fsync=off \
        -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 \
        -c shared_buffers=128MB" >&2
  local admin="postgresql://postgres@127.0.0.1:$port/postgres"
  "$PGBIN/psql" -q -v ON_ERROR_STOP=1 "$admin" -c "CREATE DATABASE $DB" >&2
  "$PGBIN/psql" -q -v ON_ERROR_STOP=1 "$(url "$dir")" -c "CREATE EXTENSION postgis" >&2
  echo "pg.sh: cluster in $dir (stop with P03_PG_DIR=$dir scripts/pg.sh stop)" >&2
  url "$dir"
}

stop() {
  local dir=${P03_PG_DIR:?set P03_PG_DIR to the folder printed by start}
  if [ -d "$dir/data" ]; then
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 || true
  fi
  case "$dir" in
    /tmp/p03-pg.*) rm -rf "$dir" ;;
    *) rm -rf "$dir/data" "$dir/port" ;;
  esac
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) url "${P03_PG_DIR:?set P03_PG_DIR}" ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
