#!/usr/bin/env bash
# A private PostgreSQL cluster in a folder: for `make run` (./var) and for tests (a temp dir).
#   pg.sh start DIR [PORT]   initdb on first use, then start; writes DIR/pg.env (PGHOST, PGPORT, ...)
#   pg.sh stop DIR [MODE]    pg_ctl stop (MODE: smart|fast|immediate, default fast)
#   pg.sh status DIR
# As root the server runs as the `postgres` system user (PostgreSQL refuses to run as root).
set -euo pipefail

cmd=${1:?usage: pg.sh start|stop|status DIR [PORT|MODE]}
dir=${2:?usage: pg.sh start|stop|status DIR [PORT|MODE]}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

pgbin=${PGBIN:-}
if [[ -z "$pgbin" ]]; then
  for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    [[ -x "$d/pg_ctl" ]] && { pgbin=$d; break; }
  done
fi
[[ -x "$pgbin/pg_ctl" ]] || { echo "pg.sh: PostgreSQL server binaries not found (apt-get install postgresql-15)" >&2; exit 1; }

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 40000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  echo "pg.sh: no free port found" >&2; exit 1
}

start() {
  local port=${1:-}
  if [[ -f "$dir/pg.env" && -z "$port" ]]; then port=$(sed -n 's/^PGPORT=//p' "$dir/pg.env"); fi
  [[ -n "$port" ]] || port=$(free_port)
  mkdir -p "$dir/run"
  if [[ $(id -u) -eq 0 ]]; then
    if ! runuser -u postgres -- test -x "$dir"; then
      echo "pg.sh: the postgres user cannot reach $dir (a parent folder is not world-executable)." >&2
      echo "pg.sh: clone the repository somewhere readable, or: chmod o+x on its parent folders." >&2
      exit 1
    fi
    chown postgres "$dir" "$dir/run"
  fi
  if [[ ! -f "$dir/pgdata/PG_VERSION" ]]; then
    as_owner "$pgbin/initdb" -D "$dir/pgdata" -U postgres --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    cat >>"$dir/pgdata/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/run'
max_connections = 300
shared_buffers = ${PG_SHARED_BUFFERS:-128MB}
fsync = ${PG_FSYNC:-on}
synchronous_commit = on
log_min_messages = warning
timezone = 'UTC'
CONF
  fi
  if as_owner "$pgbin/pg_ctl" -D "$dir/pgdata" status >/dev/null 2>&1; then
    :
  else
    as_owner "$pgbin/pg_ctl" -D "$dir/pgdata" -l "$dir/pg.log" -w -t 60 \
      -o "-p $port -k $dir/run" start >/dev/null || { tail -20 "$dir/pg.log" >&2; exit 1; }
  fi
  cat >"$dir/pg.env" <<ENV
PGHOST=$dir/run
PGPORT=$port
PGUSER=postgres
PGDATA=$dir/pgdata
PGBIN=$pgbin
ENV
  for _ in $(seq 1 50); do
    "$pgbin/pg_isready" -q -h "$dir/run" -p "$port" && break
    sleep 0.1
  done
  "$pgbin/psql" -h "$dir/run" -p "$port" -U postgres -d postgres -tAq \
    -c "SELECT 1 FROM pg_database WHERE datname='hotline'" | grep -q 1 ||
    "$pgbin/createdb" -h "$dir/run" -p "$port" -U postgres hotline
}

stop() {
  local mode=${1:-fast}
  [[ -f "$dir/pgdata/PG_VERSION" ]] || return 0
  as_owner "$pgbin/pg_ctl" -D "$dir/pgdata" -m "$mode" -w -t 60 stop >/dev/null 2>&1 || true
}

case "$cmd" in
  start)  start "${3:-}" ;;
  stop)   stop "${3:-fast}" ;;
  status) as_owner "$pgbin/pg_ctl" -D "$dir/pgdata" status ;;
  *) echo "pg.sh: unknown command $cmd" >&2; exit 2 ;;
esac
