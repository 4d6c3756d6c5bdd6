#!/usr/bin/env bash
# `make bench`: hotlined side by side with PostgreSQL's own limit (tests/bench/README.md).
#
# Starts a private PostgreSQL (shared_buffers 256MB, fsync and synchronous_commit on), loads a
# data set, starts build/hotlined, and for each scenario and concurrency runs wrk against
# hotlined and then pgbench with the same SQL against the same database. Before measuring a
# scenario it checks with pg_stat_statements that both sent the same statements. Prints and
# writes tests/bench/results/<date>.md.
#
# Environment (all optional):
#   BENCH_TICKETS=100000      tickets to load (1000000, 10000000 on request)
#   BENCH_SECONDS=8           length of each measured run
#   BENCH_CONCURRENCY="1 16 64"
#   BENCH_SCENARIOS="post get list mixed"
#   BENCH_THREADS=16          HOTLINE_THREADS for hotlined (= its database connections)
#   BENCH_LOG_LEVEL=info      HOTLINE_LOG_LEVEL (info: one access-log line per request, as in
#                             production; the log goes to a file)
#   BENCH_SHARED_BUFFERS=256MB
#   BENCH_RESULTS=FILE        where to write the results (default results/<date>[-<tickets>].md)
#   BENCH_KEEP_TMP=1          keep the cluster, logs and raw outputs
#   BENCH_BIN=PATH            another hotlined binary (e.g. an older build, for before/after)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bench=$root/tests/bench
bin=${BENCH_BIN:-$root/build/hotlined}
tickets=${BENCH_TICKETS:-100000}
secs=${BENCH_SECONDS:-8}
concurrency=${BENCH_CONCURRENCY:-"1 16 64"}
scenarios=${BENCH_SCENARIOS:-"post get list mixed"}
threads=${BENCH_THREADS:-16}
log_level=${BENCH_LOG_LEVEL:-info}
agent=agent-7 # one of the loaded data set's 200 agents, so "my tickets" has pages
callers=$((tickets / 3 > 0 ? tickets / 3 : 1))
day=$(date +%F)
suffix=$([[ $tickets -eq 100000 ]] && echo "" || echo "-$tickets")
results=${BENCH_RESULTS:-$bench/results/$day$suffix.md}

[[ -x $bin ]] || { echo "bench: build/hotlined missing (make all)" >&2; exit 1; }
for tool in wrk cc curl; do
  command -v $tool >/dev/null || { echo "bench: $tool missing (deploy/local/deps.sh wrk)" >&2; exit 1; }
done
ulimit -n 65536 2>/dev/null || ulimit -n 4096 2>/dev/null || true

tmp=$(mktemp -d /tmp/hotline-bench.XXXXXX)
chmod 755 "$tmp"
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  "$root/deploy/local/pg.sh" stop "$tmp/pg" immediate >/dev/null 2>&1 || true
  if [[ -n "${BENCH_KEEP_TMP:-}" ]]; then echo "bench files kept in $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*" | tee -a "$tmp/out.md"; }
note() { printf '%s\n' "$*" >&2; }

# ---- PostgreSQL --------------------------------------------------------------------------

note "== PostgreSQL (shared_buffers ${BENCH_SHARED_BUFFERS:-256MB}, fsync on, synchronous_commit on)"
PG_SHARED_BUFFERS=${BENCH_SHARED_BUFFERS:-256MB} PG_FSYNC=on "$root/deploy/local/pg.sh" start "$tmp/pg"
# shellcheck disable=SC1091
. "$tmp/pg/pg.env"
export PGHOST PGPORT PGUSER PGDATABASE=hotline
psql_q() { "$PGBIN/psql" -X -v ON_ERROR_STOP=1 -tAq "$@"; }
# pg_stat_statements shows which statements each side sends; tracking is switched off while
# measuring so it costs neither side anything.
psql_q -c "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"
"$root/deploy/local/pg.sh" stop "$tmp/pg" fast
PG_SHARED_BUFFERS=${BENCH_SHARED_BUFFERS:-256MB} "$root/deploy/local/pg.sh" start "$tmp/pg"
psql_q -c "CREATE EXTENSION pg_stat_statements" -c "ALTER SYSTEM SET pg_stat_statements.track = 'none'" \
  -c "SELECT pg_reload_conf()" >/dev/null
export HOTLINE_DATABASE_URL="host=$PGHOST port=$PGPORT user=postgres dbname=hotline"
"$bin" migrate >/dev/null

note "== loading $tickets tickets"
t0=$SECONDS
psql_q -v tickets="$tickets" -f "$bench/load.sql" >"$tmp/load.out"
load_secs=$((SECONDS - t0))
token=$("$bin" token create --role agent --name "$agent")
hash=$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)
max_id=$tickets
counts=$(psql_q -c "SELECT (SELECT count(*) FROM tickets) || ' tickets, ' ||
  (SELECT count(*) FROM ticket_events) || ' events, ' || (SELECT count(*) FROM followups) ||
  ' follow-ups, ' || pg_size_pretty(pg_database_size('hotline'))")
note "   $counts in ${load_secs}s"

stats_track() { # top | none
  psql_q -c "ALTER SYSTEM SET pg_stat_statements.track = '$1'" -c "SELECT pg_reload_conf()" >/dev/null
  sleep 0.3
}
stats_reset() { psql_q -c "SELECT pg_stat_statements_reset()" >/dev/null; }
# Statements run since the reset: "calls<TAB>text" with $n numbering and spacing normalised.
stats_dump() {
  psql_q -F $'\t' -A -c "SELECT sum(calls), q FROM (SELECT calls,
      regexp_replace(regexp_replace(query, '\\\$[0-9]+', '\$', 'g'), '\\s+', ' ', 'g') AS q
      FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
      WHERE d.datname = 'hotline' AND query !~* 'pg_stat_statements|pg_reload_conf|ALTER SYSTEM') z
    GROUP BY q ORDER BY q"
}

# ---- hotlined ----------------------------------------------------------------------------

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$pid/status"; }
hwm_reset() { echo 5 >"/proc/$pid/clear_refs" 2>/dev/null || true; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

start_hotlined() {
  rm -f "$tmp/port"
  HOTLINE_LISTEN=127.0.0.1:0 HOTLINE_PORT_FILE="$tmp/port" HOTLINE_THREADS=$threads \
    HOTLINE_LOG_LEVEL=$log_level HOTLINE_CONNECTION_TIMEOUT=60 \
    "$bin" serve >>"$tmp/hotlined.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do [[ -s "$tmp/port" ]] && break; sleep 0.1; done
  port=$(cat "$tmp/port")
  url="http://127.0.0.1:$port"
  curl -fsS "$url/readyz" >/dev/null
}

note "== hotlined ($threads threads, log level $log_level)"
start_hotlined
sleep 1
rss_start=$(rss_kb)

export BENCH_DIR=$bench BENCH_TOKEN=$token BENCH_MAX_ID=$max_id BENCH_CALLERS=$callers \
  BENCH_AGENT=$agent BENCH_DELAY_MS=0

# wrk NAME SCRIPT CONNECTIONS SECONDS → $tmp/NAME.wrk ("key=value ..."); sets w_* variables
run_wrk() {
  local name=$1 script=$2 c=$3 s=$4 t=$(($3 < 2 ? $3 : 2))
  BENCH_OUT="$tmp/$name.wrk" wrk -t "$t" -c "$c" -d "${s}s" --timeout 10s \
    -s "$bench/wrk/$script" "$url" >"$tmp/$name.wrk.log" 2>&1 || true
  w_rps=0 w_p50_ms=0 w_p99_ms=0 w_requests=0 w_status_errors=0 w_socket_errors=0
  [[ -s "$tmp/$name.wrk" ]] || { note "wrk $name failed: $(tail -3 "$tmp/$name.wrk.log")"; return; }
  local kv
  for kv in $(cat "$tmp/$name.wrk"); do printf -v "w_${kv%%=*}" '%s' "${kv#*=}"; done
}

pgb_vars=(-D hash="$hash" -D agent="$agent" -D at="$(date -u +%FT%TZ)" -D class=hard
  -D kind=complaint -D subject="Caller asks about an invoice"
  -D details="客户来电反映账单重复扣费，已记录并转财务部门核实。" -D caller_name="客户"
  -D department=billing -D max_id="$max_id" -D callers="$callers" -D limit=21
  -D limit_events=51 -D zero=0 -D f=f -D tr=t -D evkind=updated
  -D diff='{"before":{"details":"a"},"after":{"details":"b"}}')

# pgbench NAME CONNECTIONS SECONDS SCRIPT[@W]... → sets p_tps, p_lat_ms, p_failed
run_pgbench() {
  local name=$1 c=$2 s=$3 j=$(($2 < 2 ? $2 : 2))
  shift 3
  local files=() f
  for f in "$@"; do files+=(-f "$tmp/pgbench/$f"); done
  "$PGBIN/pgbench" -n -M prepared -c "$c" -j "$j" -T "$s" "${pgb_vars[@]}" "${files[@]}" hotline \
    >"$tmp/$name.pgbench" 2>&1 || true
  p_tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$tmp/$name.pgbench" | tail -1)
  p_lat_ms=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$tmp/$name.pgbench")
  p_failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$tmp/$name.pgbench")
  if [[ -z "$p_tps" ]]; then note "pgbench $name failed: $(tail -3 "$tmp/$name.pgbench")"; p_tps=0; fi
  p_lat_ms=${p_lat_ms:-0} p_failed=${p_failed:-0}
}

# Scenario table: wrk script, pgbench scripts (with weights), the target ratio.
declare -A wrk_script pgb_scripts target label
wrk_script[post]=post_ticket.lua; pgb_scripts[post]="create.sql"; target[post]=0.8
label[post]="POST /tickets"
wrk_script[get]=get_ticket.lua; pgb_scripts[get]="get.sql"; target[get]=0.6
label[get]="GET /tickets/{id}"
wrk_script[list]=list_tickets.lua; pgb_scripts[list]="list_owner.sql@50 list_phone.sql@50"
target[list]=0.6; label[list]="GET /tickets (owner page, caller look-up)"
wrk_script[mixed]=mixed.lua
pgb_scripts[mixed]="get.sql@40 events.sql@15 list_phone.sql@15 list_owner.sql@10 create.sql@10 patch.sql@10"
target[mixed]=0.6; label[mixed]="mixed agent desk"
if "$bin" routes | grep -q '^POST /calls/events'; then
  note "   POST /calls/events exists: add wrk/call_events.lua and pgbench/call_events.sql to the table"
fi

# Does hotlined look the token up in the database on every request? Decided by measuring, and
# pgbench runs the same: its scripts lose the auth statement when hotlined does not send it.
auth_per_request=""
prepare_pgbench_scripts() {
  mkdir -p "$tmp/pgbench"
  local f
  for f in "$bench"/pgbench/*.sql; do
    if [[ $auth_per_request == yes ]]; then
      cp "$f" "$tmp/pgbench/"
    else
      grep -v -e '^-- auth:' -e 'FROM api_tokens WHERE token_hash' "$f" >"$tmp/pgbench/$(basename "$f")"
    fi
  done
}

results_rows=()
sql_rows=()
declare -A peak p50_c1

verify_same_sql() { # scenario
  local sc=$1 w
  stats_reset
  stats_track top
  run_wrk "verify-$sc-hotlined" "${wrk_script[$sc]}" 4 2
  stats_track none
  stats_dump >"$tmp/verify-$sc.hotlined"
  local reqs=$w_requests
  if [[ -z $auth_per_request ]]; then
    local lookups
    lookups=$(awk -F'\t' '/FROM api_tokens WHERE token_hash/ {s += $1} END {print s + 0}' "$tmp/verify-$sc.hotlined")
    auth_per_request=$(awk -v l="$lookups" -v r="$reqs" 'BEGIN { print ((r > 0 && l / r > 0.5) ? "yes" : "no") }')
    prepare_pgbench_scripts
  fi
  stats_reset
  stats_track top
  # shellcheck disable=SC2086
  run_pgbench "verify-$sc-pgbench" 4 2 ${pgb_scripts[$sc]}
  stats_track none
  stats_dump >"$tmp/verify-$sc.pgbench"
  local ptx
  ptx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$tmp/verify-$sc-pgbench.pgbench")
  cut -f2 "$tmp/verify-$sc.hotlined" | sort >"$tmp/verify-$sc.h"
  cut -f2 "$tmp/verify-$sc.pgbench" | sort >"$tmp/verify-$sc.p"
  local same=yes
  cmp -s "$tmp/verify-$sc.h" "$tmp/verify-$sc.p" || same=no
  local per_h per_p
  per_h=$(awk -F'\t' -v r="$reqs" '{s += $1} END {printf "%.2f", r ? s / r : 0}' "$tmp/verify-$sc.hotlined")
  per_p=$(awk -F'\t' -v r="${ptx:-0}" '{s += $1} END {printf "%.2f", r ? s / r : 0}' "$tmp/verify-$sc.pgbench")
  sql_rows+=("| ${label[$sc]} | $same | $per_h | $per_p |")
  if [[ $same == no ]]; then
    note "   statements differ for $sc (hotlined < >pgbench):"
    diff "$tmp/verify-$sc.h" "$tmp/verify-$sc.p" | grep '^[<>]' | cut -c1-200 >&2 || true
  fi
}

for sc in $scenarios; do
  note "== $sc: ${label[$sc]}"
  verify_same_sql "$sc"
  for c in $concurrency; do
    hwm_reset
    run_wrk "$sc-c$c-hotlined" "${wrk_script[$sc]}" "$c" "$secs"
    rss_load=$(hwm_kb)
    # shellcheck disable=SC2086
    run_pgbench "$sc-c$c-pgbench" "$c" "$secs" ${pgb_scripts[$sc]}
    ratio=$(awk -v h="$w_rps" -v p="$p_tps" 'BEGIN { printf "%.2f", (p > 0 ? h / p : 0) }')
    ok=$(awk -v r="$ratio" -v t="${target[$sc]}" 'BEGIN { print ((r >= t) ? "yes" : "**no**") }')
    [[ $sc == mixed ]] && ok="($ok)"
    errs=$((w_status_errors + w_socket_errors))
    results_rows+=("| ${label[$sc]} | $c | $(printf '%.0f' "$w_rps") | $(printf '%.0f' "$p_tps") | **$ratio** | ≥ ${target[$sc]} $ok | $w_p50_ms | $w_p99_ms | $p_lat_ms | $errs / $p_failed | $(mb "$rss_load") |")
    note "   c=$c  hotlined $(printf '%.0f' "$w_rps") req/s (p50 $w_p50_ms ms, p99 $w_p99_ms ms, errors $errs)  pgbench $(printf '%.0f' "$p_tps") tps  ratio $ratio"
    [[ $c == 16 ]] && peak[$sc]=$w_rps
    [[ $c == 1 ]] && p50_c1[$sc]=$w_p50_ms
  done
done

# ---- latency at half the peak rate ----------------------------------------------------------

half_rows=()
for sc in get post; do
  [[ -n "${peak[$sc]:-}" ]] || continue
  c=16
  goal=$(awk -v p="${peak[$sc]}" 'BEGIN { printf "%.1f", p / 2 }')
  lat=${p50_c1[$sc]:-1}
  # each connection waits `delay` ms after an answer: c / (delay + latency) = goal
  delay=$(awk -v c=$c -v g="$goal" -v l="$lat" 'BEGIN { d = c * 1000 / g - l; printf "%d", (d < 1 ? 1 : d + 0.5) }')
  BENCH_DELAY_MS=$delay run_wrk "half-$sc-calibrate" "${wrk_script[$sc]}" $c 3
  delay=$(awk -v c=$c -v g="$goal" -v d="$delay" -v a="$w_rps" \
    'BEGIN { cyc = c * 1000 / (a > 0 ? a : g); l = cyc - d; d2 = c * 1000 / g - l; printf "%d", (d2 < 1 ? 1 : d2 + 0.5) }')
  BENCH_DELAY_MS=$delay run_wrk "half-$sc" "${wrk_script[$sc]}" $c "$secs"
  share=$(awk -v a="$w_rps" -v p="${peak[$sc]}" 'BEGIN { printf "%.2f", a / p }')
  x=$(awk -v a="$w_p99_ms" -v b="$w_p50_ms" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
  ok=$(awk -v x="$x" 'BEGIN { print ((x <= 5) ? "yes" : "**no**") }')
  half_rows+=("| ${label[$sc]} | $(printf '%.0f' "${peak[$sc]}") | $(printf '%.0f' "$w_rps") ($share of peak) | $w_p50_ms | $w_p99_ms | **$x×** | $ok |")
  note "   $sc at half peak: $(printf '%.0f' "$w_rps") req/s ($share of peak), p50 $w_p50_ms ms, p99 $w_p99_ms ms ($x× p50)"
done

# ---- memory: idle, 1,000 keep-alive connections -------------------------------------------

note "== memory"
cc -O2 -Wall -Wextra -Werror -o "$tmp/holdconns" "$bench/holdconns.c"
sleep 2
rss_after=$(rss_kb)
hwm_reset
"$tmp/holdconns" "$port" 1000 4 "/tickets/1" "$token" >"$tmp/holdconns.out" &
hold_pid=$!
sleep 3
rss_idle1000=$(rss_kb)
wait $hold_pid || true
hold_info=$(cat "$tmp/holdconns.out")
hwm_reset
run_wrk "c1000-hotlined" get_ticket.lua 1000 "$secs"
rss_busy1000=$(hwm_kb)
busy1000="$(printf '%.0f' "$w_rps") req/s, p99 $w_p99_ms ms, errors $((w_status_errors + w_socket_errors))"
sleep 2
rss_end=$(rss_kb)
note "   RSS: fresh $(mb "$rss_start") MB, idle after load $(mb "$rss_after") MB, 1000 idle keep-alive $(mb "$rss_idle1000") MB ($hold_info), 1000 busy $(mb "$rss_busy1000") MB, idle at the end $(mb "$rss_end") MB"

# ---- EXPLAIN: list pages, caller look-ups, due follow-ups --------------------------------

note "== EXPLAIN plans"
psql_q -v agent="$agent" -v before="$((max_id / 2))" -v phone="$((8613800000000 + callers / 2))" \
  -f "$bench/explain.sql" >"$tmp/explain.out" 2>&1 || true
timing_rows=()
for q in list_owner list_phone; do
  run_pgbench "timing-$q" 1 3 "$q.sql"
  timing_rows+=("| $q | $p_lat_ms |")
done

# ---- report -----------------------------------------------------------------------------------

machine="$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GB RAM, $(uname -r)"
{
  echo "# Bench $(date -u +'%F %H:%M UTC')"
  echo
  echo "Command: \`make bench\` with BENCH_TICKETS=$tickets BENCH_SECONDS=$secs BENCH_THREADS=$threads BENCH_LOG_LEVEL=$log_level"
  echo "(commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet 2>/dev/null || echo ', with local changes'))."
  echo
  echo "Machine: $machine; PostgreSQL $(psql_q -c 'SHOW server_version'), shared_buffers $(psql_q -c 'SHOW shared_buffers'),"
  echo "fsync $(psql_q -c 'SHOW fsync'), synchronous_commit $(psql_q -c 'SHOW synchronous_commit'); wrk, hotlined and PostgreSQL share the cores"
  echo "(and the machine with other work: load average at the end $(cut -d' ' -f1-3 /proc/loadavg))."
  echo
  echo "Data: $counts (loaded in ${load_secs}s). Token look-up per request in hotlined: **$auth_per_request**"
  echo "(pgbench scripts $([[ $auth_per_request == yes ]] && echo "include" || echo "leave out") the same look-up)."
  echo
  echo "## Throughput: hotlined (wrk) vs pgbench with the same SQL"
  echo
  echo "| scenario | conc. | hotlined req/s | pgbench TPS | ratio | target | p50 ms | p99 ms | pgbench avg ms | errors (wrk / pgbench) | RSS peak MB |"
  echo "|---|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|"
  printf '%s\n' "${results_rows[@]}"
  echo
  echo "Same SQL (pg_stat_statements over a 2 s run of each, statements compared with \$n numbering normalised):"
  echo
  echo "| scenario | same statements | per request (hotlined) | per transaction (pgbench) |"
  echo "|---|---|--:|--:|"
  printf '%s\n' "${sql_rows[@]}"
  echo
  echo "## Latency at half the peak rate (16 connections, wrk pacing each connection)"
  echo
  echo "| scenario | peak req/s (c=16) | measured rate | p50 ms | p99 ms | p99 / p50 | ≤ 5× |"
  echo "|---|--:|--:|--:|--:|--:|---|"
  printf '%s\n' "${half_rows[@]}"
  echo
  echo "## Memory (RSS of hotlined)"
  echo
  echo "| state | RSS MB | target |"
  echo "|---|--:|---|"
  echo "| idle, fresh (connections open, no request yet) | $(mb "$rss_start") | ≤ 20 |"
  echo "| idle after all the load above | $(mb "$rss_after") | ≤ 20 |"
  echo "| 1,000 idle keep-alive connections ($hold_info) | $(mb "$rss_idle1000") | ≤ 64 |"
  echo "| 1,000 busy keep-alive connections (wrk GET: $busy1000) | $(mb "$rss_busy1000") | ≤ 64 |"
  echo "| idle again, 2 s after the 1,000 connections closed | $(mb "$rss_end") | ≤ 20 |"
  echo
  echo "## Query plans and single-client times"
  echo
  echo "| query (pgbench, 1 client, 3 s) | mean ms |"
  echo "|---|--:|"
  printf '%s\n' "${timing_rows[@]}"
  echo
  echo '```'
  cat "$tmp/explain.out"
  echo '```'
} >"$tmp/results.md"
mkdir -p "$(dirname "$results")"
cp "$tmp/results.md" "$results"
echo
cat "$tmp/results.md"
echo
echo "written to ${results#"$root"/}"
