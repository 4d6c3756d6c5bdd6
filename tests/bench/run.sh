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
#   BENCH_SECONDS=8           seconds each side is measured per scenario and concurrency
#   BENCH_ROUNDS=2            ... split into this many alternating rounds
#   BENCH_CONCURRENCY="1 16 64"
#   BENCH_SCENARIOS="post get list mixed"
#   BENCH_THREADS=16          HOTLINE_THREADS for hotlined (= its database connections)
#   BENCH_THREAD_SWEEP="4 16 64"  HOTLINE_THREADS values to compare on POST/GET at c=16 and 64
#                             (BENCH_SWEEP_SECONDS=4 each; empty: no sweep)
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
rounds=${BENCH_ROUNDS:-2}
sweep=${BENCH_THREAD_SWEEP-"4 16 64"}
sweep_secs=${BENCH_SWEEP_SECONDS:-4}
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
    HOTLINE_LOG_LEVEL=$log_level \
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
# CPU time (user + system, clock ticks) hotlined has used so far
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
log_lines() { wc -l <"$tmp/hotlined.log"; }

run_wrk() {
  local name=$1 script=$2 c=$3 s=$4 t=$(($3 < 2 ? $3 : 2)) c0 c1
  c0=$(cpu_ticks)
  BENCH_OUT="$tmp/$name.wrk" wrk -t "$t" -c "$c" -d "${s}s" --timeout 10s \
    -s "$bench/wrk/$script" "$url" >"$tmp/$name.wrk.log" 2>&1 || true
  c1=$(cpu_ticks)
  w_rps=0 w_p50_ms=0 w_p99_ms=0 w_requests=0 w_status_errors=0 w_socket_errors=0 w_cpu_us=0
  [[ -s "$tmp/$name.wrk" ]] || { note "wrk $name failed: $(tail -3 "$tmp/$name.wrk.log")"; return; }
  local kv
  for kv in $(cat "$tmp/$name.wrk"); do printf -v "w_${kv%%=*}" '%s' "${kv#*=}"; done
  w_cpu_us=$(awk -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v n="$w_requests" \
    'BEGIN { printf "%.0f", (n > 0 ? t * 1e6 / hz / n : 0) }')
}

# p50 and p99 of the duration_ms of access-log lines FROM..TO (hotlined's own view of latency)
server_percentiles() {
  sed -n "$(($1 + 1)),$2p" "$tmp/hotlined.log" | grep -o '"duration_ms":[0-9.]*' | cut -d: -f2 |
    sort -n | awk '{ a[NR] = $1 } END { if (NR) printf "%.3f %.3f", a[int(NR * 0.5) + 1], a[int(NR * 0.99) + 1]; else print "0 0" }'
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
declare -A peak p50_c1 pgtps

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

# One scenario at one concurrency: `rounds` alternating halves (hotlined then pgbench, then
# pgbench then hotlined, ...) so a burst of load from the machine's other users falls on both
# sides. Sets w_rps (mean), w_p50_ms (mean), w_p99_ms (worst round), p_tps, p_lat_ms, errors.
measure_pair() {
  local sc=$1 c=$2 r s_each h_rps=0 h_p50=0 h_p99=0 h_err=0 h_cpu=0 pg_tps=0 pg_lat=0 pg_failed=0
  s_each=$(( secs / rounds > 2 ? secs / rounds : 2 ))
  hwm_reset
  for ((r = 1; r <= rounds; r++)); do
    local order="h p"
    (( r % 2 == 0 )) && order="p h"
    for side in $order; do
      if [[ $side == h ]]; then
        run_wrk "$sc-c$c-r$r-hotlined" "${wrk_script[$sc]}" "$c" "$s_each"
        h_rps=$(awk -v a="$h_rps" -v b="$w_rps" 'BEGIN { print a + b }')
        h_p50=$(awk -v a="$h_p50" -v b="$w_p50_ms" 'BEGIN { print a + b }')
        h_p99=$(awk -v a="$h_p99" -v b="$w_p99_ms" 'BEGIN { print (b > a) ? b : a }')
        h_err=$((h_err + w_status_errors + w_socket_errors))
        h_cpu=$(awk -v a="$h_cpu" -v b="$w_cpu_us" 'BEGIN { print a + b }')
      else
        # shellcheck disable=SC2086
        run_pgbench "$sc-c$c-r$r-pgbench" "$c" "$s_each" ${pgb_scripts[$sc]}
        pg_tps=$(awk -v a="$pg_tps" -v b="$p_tps" 'BEGIN { print a + b }')
        pg_lat=$(awk -v a="$pg_lat" -v b="$p_lat_ms" 'BEGIN { print a + b }')
        pg_failed=$((pg_failed + p_failed))
      fi
    done
  done
  rss_load=$(hwm_kb)
  w_rps=$(awk -v a="$h_rps" -v n="$rounds" 'BEGIN { printf "%.1f", a / n }')
  w_p50_ms=$(awk -v a="$h_p50" -v n="$rounds" 'BEGIN { printf "%.3f", a / n }')
  w_p99_ms=$h_p99
  w_status_errors=$h_err w_socket_errors=0
  w_cpu_us=$(awk -v a="$h_cpu" -v n="$rounds" 'BEGIN { printf "%.0f", a / n }')
  p_tps=$(awk -v a="$pg_tps" -v n="$rounds" 'BEGIN { printf "%.1f", a / n }')
  p_lat_ms=$(awk -v a="$pg_lat" -v n="$rounds" 'BEGIN { printf "%.3f", a / n }')
  p_failed=$pg_failed
}

for sc in $scenarios; do
  note "== $sc: ${label[$sc]}"
  verify_same_sql "$sc"
  for c in $concurrency; do
    measure_pair "$sc" "$c"
    ratio=$(awk -v h="$w_rps" -v p="$p_tps" 'BEGIN { printf "%.2f", (p > 0 ? h / p : 0) }')
    ok=$(awk -v r="$ratio" -v t="${target[$sc]}" 'BEGIN { print ((r >= t) ? "yes" : "**no**") }')
    [[ $sc == mixed ]] && ok="($ok)"
    errs=$((w_status_errors + w_socket_errors))
    results_rows+=("| ${label[$sc]} | $c | $(printf '%.0f' "$w_rps") | $(printf '%.0f' "$p_tps") | **$ratio** | ≥ ${target[$sc]} $ok | $w_p50_ms | $w_p99_ms | $p_lat_ms | $w_cpu_us | $errs / $p_failed | $(mb "$rss_load") |")
    note "   c=$c  hotlined $(printf '%.0f' "$w_rps") req/s (p50 $w_p50_ms ms, p99 $w_p99_ms ms, errors $errs)  pgbench $(printf '%.0f' "$p_tps") tps  ratio $ratio"
    pgtps[$sc-$c]=$p_tps
    peak[$sc]=$(awk -v a="${peak[$sc]:-0}" -v b="$w_rps" 'BEGIN { print (b > a) ? b : a }')
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
  l0=$(log_lines)
  BENCH_DELAY_MS=$delay run_wrk "half-$sc" "${wrk_script[$sc]}" $c "$secs"
  read -r s50 s99 <<<"$(server_percentiles "$l0" "$(log_lines)")"
  share=$(awk -v a="$w_rps" -v p="${peak[$sc]}" 'BEGIN { printf "%.2f", a / p }')
  x=$(awk -v a="$w_p99_ms" -v b="$w_p50_ms" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
  ok=$(awk -v x="$x" 'BEGIN { print ((x <= 5) ? "yes" : "**no**") }')
  # PostgreSQL alone at the same rate and concurrency: how much of the tail is the machine's
  rate=$(printf '%.0f' "$w_rps")
  rm -f "$tmp"/pgl.*
  # shellcheck disable=SC2086
  "$PGBIN/pgbench" -n -M prepared -c $c -j 2 -T "$secs" -R "$rate" --log --log-prefix="$tmp/pgl" \
    "${pgb_vars[@]}" $(for f in ${pgb_scripts[$sc]}; do echo -f "$tmp/pgbench/$f"; done) hotline \
    >"$tmp/half-$sc.pgbench" 2>&1 || true
  read -r g50 g99 <<<"$(cat "$tmp"/pgl.* 2>/dev/null | awk '{ print ($3 - (NF >= 7 ? $7 : 0)) / 1000 }' |
    sort -n | awk '{ a[NR] = $1 } END { if (NR) printf "%.3f %.3f", a[int(NR * 0.5) + 1], a[int(NR * 0.99) + 1]; else print "0 0" }')"
  gx=$(awk -v a="$g99" -v b="$g50" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
  sx=$(awk -v a="$s99" -v b="$s50" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
  half_rows+=("| ${label[$sc]} | $(printf '%.0f' "${peak[$sc]}") | $rate ($share of peak) | $w_p50_ms | $w_p99_ms | **$x×** | $ok | $s50 / $s99 ($sx×) | $g50 / $g99 ($gx×) |")
  note "   $sc at half peak: $(printf '%.0f' "$w_rps") req/s ($share of peak), p50 $w_p50_ms ms, p99 $w_p99_ms ms ($x× p50)"
done

# ---- HOTLINE_THREADS: the trade-off ------------------------------------------------------------
# Each worker thread holds one database connection and waits on it, so the thread count is
# also the most statements hotlined has in flight. Reads want few threads (less switching on
# 2 cores); writes want many, so that commits (fsync) overlap. Measured, not assumed:
sweep_rows=()
stop_hotlined() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; pid=""; }
if [[ -n "$sweep" ]]; then
  note "== HOTLINE_THREADS sweep: $sweep"
  main_threads=$threads
  for threads in $sweep; do
    stop_hotlined
    start_hotlined
    for sc in post get; do
      for c in 16 64; do
        [[ " $scenarios " == *" $sc "* ]] || continue
        run_wrk "sweep-t$threads-$sc-c$c" "${wrk_script[$sc]}" "$c" "$sweep_secs"
        r=$(awk -v h="$w_rps" -v p="${pgtps[$sc-$c]:-0}" 'BEGIN { printf "%.2f", (p > 0 ? h / p : 0) }')
        sweep_rows+=("| $threads | ${label[$sc]} | $c | $(printf '%.0f' "$w_rps") | $r | $w_p50_ms | $w_p99_ms | $w_cpu_us |")
        note "   threads=$threads $sc c=$c: $(printf '%.0f' "$w_rps") req/s, p99 $w_p99_ms ms, $w_cpu_us µs CPU/req"
      done
    done
  done
  threads=$main_threads
  stop_hotlined
  start_hotlined
fi

# ---- memory: idle, 1,000 keep-alive connections -------------------------------------------

note "== memory"
cc -O2 -Wall -Wextra -Werror -o "$tmp/holdconns" "$bench/holdconns.c"
sleep 3 # hotlined gives freed memory back after a quiet second
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
sleep 3
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
  echo "Command: \`make bench\` with BENCH_TICKETS=$tickets BENCH_SECONDS=$secs BENCH_ROUNDS=$rounds BENCH_THREADS=$threads BENCH_LOG_LEVEL=$log_level"
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
  echo "Each row: $secs s per side in $rounds alternating rounds; req/s, TPS, p50 and pgbench's mean latency are"
  echo "averages of the rounds, p99 the worst round's."
  echo
  echo "| scenario | conc. | hotlined req/s | pgbench TPS | ratio | target | p50 ms | p99 ms | pgbench avg ms | hotlined CPU µs/req | errors (wrk / pgbench) | RSS peak MB |"
  echo "|---|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|"
  printf '%s\n' "${results_rows[@]}"
  echo
  echo "Same SQL (pg_stat_statements over a 2 s run of each, statements compared with \$n numbering normalised):"
  echo
  echo "| scenario | same statements | per request (hotlined) | per transaction (pgbench) |"
  echo "|---|---|--:|--:|"
  printf '%s\n' "${sql_rows[@]}"
  echo
  echo "## Latency at half the peak rate"
  echo
  echo "wrk paces each of 16 connections to half the scenario's peak rate. Beside wrk's view: hotlined's"
  echo "own (access-log durations, from request head to reply sent) and pgbench running the same SQL at"
  echo "the same rate and concurrency (-R; latency without schedule lag), i.e. what this machine's"
  echo "scheduling does to PostgreSQL alone."
  echo
  echo "| scenario | peak req/s | measured rate | p50 ms | p99 ms | p99 / p50 | ≤ 5× | hotlined-side p50 / p99 ms | pgbench same rate p50 / p99 ms |"
  echo "|---|--:|--:|--:|--:|--:|---|--:|--:|"
  printf '%s\n' "${half_rows[@]}"
  echo
  if [[ ${#sweep_rows[@]} -gt 0 ]]; then
    echo "## HOTLINE_THREADS (= database connections): the trade-off"
    echo
    echo "hotlined alone, ${sweep_secs} s per row; the ratio is to the pgbench TPS of the table above."
    echo
    echo "| HOTLINE_THREADS | scenario | conc. | req/s | ratio | p50 ms | p99 ms | CPU µs/req |"
    echo "|--:|---|--:|--:|--:|--:|--:|--:|"
    printf '%s\n' "${sweep_rows[@]}"
    echo
  fi
  echo "## Memory (RSS of hotlined)"
  echo
  echo "| state | RSS MB | target |"
  echo "|---|--:|---|"
  echo "| idle, fresh (connections open, no request yet) | $(mb "$rss_start") | ≤ 20 |"
  echo "| idle after all the load above | $(mb "$rss_after") | ≤ 20 |"
  echo "| 1,000 idle keep-alive connections ($hold_info) | $(mb "$rss_idle1000") | ≤ 64 |"
  echo "| 1,000 busy keep-alive connections (wrk GET: $busy1000) | $(mb "$rss_busy1000") | ≤ 64 |"
  echo "| idle again, 3 s after the 1,000 connections closed | $(mb "$rss_end") | ≤ 20 |"
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
