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

# Where the cluster lives: DIR itself, or (as root, when the postgres user cannot reach DIR
# because a parent folder is private, e.g. /root) a folder under /var/tmp linked from DIR/cluster.
cluster_home() {
  if [[ $(id -u) -eq 0 ]] && ! runuser -u postgres -- test -x "$dir"; then
    local home
    home=/var/tmp/hotline-pg-$(printf '%s' "$dir" | sha256sum | cut -c1-12)
    mkdir -p "$home"
    ln -sfn "$home" "$dir/cluster"
    echo "$home"
  else
    echo "$dir"
  fi
}

start() {
  local port=${1:-}
  if [[ -f "$dir/pg.env" && -z "$port" ]]; then port=$(sed -n 's/^PGPORT=//p' "$dir/pg.env"); fi
  [[ -n "$port" ]] || port=$(free_port)
  local home
  home=$(cluster_home)
  mkdir -p "$home/run"
  [[ $(id -u) -eq 0 ]] && chown postgres "$home" "$home/run"
  if [[ ! -f "$home/pgdata/PG_VERSION" ]]; then
    as_owner "$pgbin/initdb" -D "$home/pgdata" -U postgres --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    cat >>"$home/pgdata/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$home/run'
max_connections = 300
shared_buffers = ${PG_SHARED_BUFFERS:-128MB}
fsync = ${PG_FSYNC:-on}
synchronous_commit = on
log_min_messages = warning
timezone = 'UTC'
CONF
  fi
  if ! as_owner "$pgbin/pg_ctl" -D "$home/pgdata" status >/dev/null 2>&1; then
    as_owner "$pgbin/pg_ctl" -D "$home/pgdata" -l "$home/pg.log" -w -t 60 \
      -o "-p $port -k $home/run" start >/dev/null || { tail -20 "$home/pg.log" >&2; exit 1; }
  fi
  cat >"$dir/pg.env" <<ENV
PGHOST=$home/run
PGPORT=$port
PGUSER=postgres
PGDATA=$home/pgdata
PGBIN=$pgbin
ENV
  for _ in $(seq 1 50); do
    "$pgbin/pg_isready" -q -h "$home/run" -p "$port" && break
    sleep 0.1
  done
  "$pgbin/psql" -h "$home/run" -p "$port" -U postgres -d postgres -tAq \
    -c "SELECT 1 FROM pg_database WHERE datname='hotline'" | grep -q 1 ||
    "$pgbin/createdb" -h "$home/run" -p "$port" -U postgres hotline
}

data_dir() {
  if [[ -f "$dir/pg.env" ]]; then sed -n 's/^PGDATA=//p' "$dir/pg.env"; else echo "$dir/pgdata"; fi
}

stop() {
  local mode=${1:-fast} data
  data=$(data_dir)
  [[ -f "$data/PG_VERSION" ]] || return 0
  as_owner "$pgbin/pg_ctl" -D "$data" -m "$mode" -w -t 60 stop >/dev/null 2>&1 || true
}

case "$cmd" in
  start)  start "${3:-}" ;;
  stop)   stop "${3:-fast}" ;;
  status) as_owner "$pgbin/pg_ctl" -D "$(data_dir)" status ;;
  *) echo "pg.sh: unknown command $cmd" >&2; exit 2 ;;
esac
