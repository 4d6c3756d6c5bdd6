#!/usr/bin/env bash
# `make bench`: hotlined side by side with PostgreSQL's own limit (tests/bench/README.md).
#
# Starts a private PostgreSQL (shared_buffers 256MB, fsync and synchronous_commit on), loads a
# data set, starts build/hotlined, and for each scenario and concurrency runs wrk against
# hotlined and pgbench against the same database. pgbench's scripts are not written by hand:
# one request of each kind is sent to hotlined with statement logging on, and the statements it
# sent, with their parameter values, become the script (capture.awk); the values that must
# vary (ids, phone numbers, call ids) are marked in the captured request and randomised.
# Prints and writes tests/bench/results/<date>.md.
#
# Environment (all optional):
#   BENCH_TICKETS=100000      tickets to load (1000000, 10000000 on request)
#   BENCH_SECONDS=8           seconds each side is measured per scenario and concurrency
#   BENCH_ROUNDS=2            ... split into this many alternating rounds
#   BENCH_CONCURRENCY="1 16 64"
#   BENCH_SCENARIOS="post get list calls mixed"
#   BENCH_THREADS=16          HOTLINE_THREADS for hotlined (= its database connections)
#   BENCH_THREAD_SWEEP=       HOTLINE_THREADS values to compare on POST/GET at c=16 and 64, e.g.
#                             "4 16 64" (BENCH_SWEEP_SECONDS=4 each; default: no sweep, which
#                             keeps make bench within 10 minutes)
#   BENCH_LOG_LEVEL=info      HOTLINE_LOG_LEVEL (info: one access-log line per request, as in
#                             production; the log goes to a file)
#   BENCH_SHARED_BUFFERS=256MB
#   BENCH_RESULTS=FILE        where to write the results (default results/<date>[-<tickets>].md)
#   BENCH_KEEP_TMP=1          keep the cluster, logs and raw outputs
#   BENCH_BIN=PATH            another hotlined binary (e.g. an older build, for before/after)
#   BENCH_EMERGENCIES=0       skip tests/bench/emergencies.sh (run after the rest, same results file)
#   BENCH_CAPTURE_ONLY=1      stop after capturing the pgbench scripts (with BENCH_KEEP_TMP=1)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bench=$root/tests/bench
bin=${BENCH_BIN:-$root/build/hotlined}
tickets=${BENCH_TICKETS:-100000}
secs=${BENCH_SECONDS:-8}
rounds=${BENCH_ROUNDS:-2}
sweep=${BENCH_THREAD_SWEEP-}
sweep_secs=${BENCH_SWEEP_SECONDS:-4}
concurrency=${BENCH_CONCURRENCY:-"1 16 64"}
scenarios=${BENCH_SCENARIOS:-"post get list calls mixed"}
threads=${BENCH_THREADS:-16}
log_level=${BENCH_LOG_LEVEL:-info}
agent=agent-7 # one of the data set's 200 agents: whose "my tickets" pages are read
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
export HOTLINE_DATABASE_URL="host=$PGHOST port=$PGPORT user=postgres dbname=hotline"
"$bin" migrate >/dev/null

note "== loading $tickets tickets"
t0=$SECONDS
psql_q -v tickets="$tickets" -f "$bench/load.sql" >"$tmp/load.out"
load_secs=$((SECONDS - t0))
# The load runs as its own agent: the tickets it creates must not pile up on agent-7, whose
# "my tickets" page the list scenario reads (the planner would see agent-7 own half the table).
token=$("$bin" token create --role agent --name bench-desk)
cti_token=$("$bin" token create --role cti --name bench-pbx)
max_id=$tickets
counts=$(psql_q -c "SELECT (SELECT count(*) FROM tickets) || ' tickets, ' ||
  (SELECT count(*) FROM ticket_events) || ' events, ' || (SELECT count(*) FROM followups) ||
  ' follow-ups, ' || pg_size_pretty(pg_database_size('hotline'))")
note "   $counts in ${load_secs}s"

# ---- hotlined ----------------------------------------------------------------------------

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$pid/status"; }
hwm_reset() { echo 5 >"/proc/$pid/clear_refs" 2>/dev/null || true; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

start_hotlined() { # [VAR=VALUE...] extra environment
  rm -f "$tmp/port"
  env HOTLINE_LISTEN=127.0.0.1:0 HOTLINE_PORT_FILE="$tmp/port" HOTLINE_THREADS="$threads" \
    HOTLINE_LOG_LEVEL="$log_level" "$@" \
    "$bin" serve >>"$tmp/hotlined.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do [[ -s "$tmp/port" ]] && break; sleep 0.1; done
  port=$(cat "$tmp/port")
  url="http://127.0.0.1:$port"
  # Ready once it can reach the database: right after loading 10M tickets, PostgreSQL may still
  # be writing the load out (checkpoint), so give it up to a minute.
  for _ in $(seq 1 120); do curl -fs "$url/readyz" >/dev/null && return 0; sleep 0.5; done
  curl -fsS "$url/readyz" >/dev/null
}

export BENCH_DIR=$bench BENCH_TOKEN=$token BENCH_CTI_TOKEN=$cti_token BENCH_MAX_ID=$max_id \
  BENCH_CALLERS=$callers BENCH_AGENT=$agent BENCH_DELAY_MS=0

# ---- capture: the SQL hotlined sends becomes pgbench's script ------------------------------

psql_q -c "CHECKPOINT" >/dev/null # the load's dirty pages out before anything is measured
note "== capturing the statements hotlined sends"
mkdir -p "$tmp/capture" "$tmp/pgbench"
pglog=$(dirname "$PGDATA")/pg.log
psql_q -c "ALTER SYSTEM SET log_statement = 'all'" -c "ALTER SYSTEM SET log_line_prefix = '%p %a '" \
  -c "SELECT pg_reload_conf()" >/dev/null
# One worker, no sweeper pass during the capture: every statement of the worker's connection
# belongs to the request just sent.
threads_main=$threads
threads=1
n_start=$(wc -l <"$pglog")
# The calendar is cached for HOTLINE_CALENDAR_TTL_MS (5 s): a reload is not part of a request.
start_hotlined HOTLINE_SWEEP_INTERVAL_MS=3600000 HOTLINE_CALENDAR_TTL_MS=600000
sleep 1 # the sweeper's first pass (its statements are kept for EXPLAIN below)
send() { # method path [body] [token]
  local args=(-s -o /dev/null -w '%{http_code}' -X "$1" -H "Authorization: Bearer ${4:-$token}")
  [[ -n "${3:-}" ]] && args+=(-H 'Content-Type: application/json' -d "$3")
  curl "${args[@]}" "$url$2"
}
# The worker's backend: the one that looks up an unknown token.
n0=$(wc -l <"$pglog")
send GET /tickets/1 "" benchunknowntoken0000 >/dev/null
sleep 0.2
wpid=$(sed -n "$((n0 + 1)),\$p" "$pglog" | grep -a 'FROM api_tokens WHERE token_hash' | head -1 | cut -d' ' -f1)
[[ -n "$wpid" ]] || { echo "bench: cannot find hotlined's database session in $pglog" >&2; exit 1; }

mark_id=$((max_id > 80000 ? 77777 : max_id - 3))       # a ticket id, randomised as :id
mark_before=$((max_id > 60000 ? 55555 : max_id / 2))    # a cursor position, as :before
mark_caller=$((callers > 12345 ? 12345 : callers))      # a data-set caller, as :caller
mark_phone=$((13800000000 + mark_caller))
ts() { date -u -d "@$1" +%FT%TZ; }
now=$(date +%s)
call_body() { # call_id event seconds-ago [extra members]
  printf '{"call_id":"%s","event":"%s","at":"%s"%s}' "$1" "$2" "$(ts $((now - $3)))" "${4:-}"
}
offered=',"direction":"inbound","from":"'$mark_phone'","to":"95555","queue":"support"'

# capture NAME MARKERS SETS METHOD PATH [BODY] [TOKEN]: send once and keep the worker's statements
declare -A stmts_per
capture() {
  local name=$1 markers=$2 sets=$3 n0 code
  shift 3
  n0=$(wc -l <"$pglog")
  code=$(send "$@")
  sleep 0.1
  sed -n "$((n0 + 1)),\$p" "$pglog" | grep -a "^$wpid hotlined " >"$tmp/capture/$name.log" || true
  # Ids this request created are used by its later statements: they come from the INSERT's
  # result in the script (\gset new_), not from the capture.
  local new_ticket new_followup
  new_ticket=$(psql_q -c "SELECT max(id) FROM tickets")
  new_followup=$(psql_q -c "SELECT coalesce(max(id), 0) FROM followups")
  [[ $new_ticket -gt $max_ticket_seen ]] && markers="$markers;$new_ticket=new_id"
  [[ $new_followup -gt $max_followup_seen ]] && markers="$markers;$new_followup=new_fid"
  max_ticket_seen=$new_ticket max_followup_seen=$new_followup
  { printf '%s\n' "-- $1 $2 (captured from hotlined: HTTP $code)"
    [[ -n $sets ]] && printf '%s\n' "$sets"
    awk -v prefix="$name" -v markers="$markers" -v vars="$tmp/capture/$name.vars" \
      -v gset_re='^WITH t AS \\(INSERT INTO tickets' -v gset_prefix=new_ \
      -f "$bench/capture.awk" "$tmp/capture/$name.log"
  } >"$tmp/pgbench/$name.sql"
  if grep -q ':new_fid' "$tmp/pgbench/$name.sql"; then
    echo "bench: $name uses the id of a follow-up it created; capture.awk cannot follow it yet" >&2
  fi
  stmts_per[$name]=$(grep -vc -e '^--' -e '^\\' "$tmp/pgbench/$name.sql" || true)
  [[ ${stmts_per[$name]} -gt 0 ]] || { echo "bench: captured no statement for $name (HTTP $code)" >&2; exit 1; }
}
set_id='\set id random(1, :max_id)'
set_caller=$'\\set caller random(1, :callers)\n\\set phone 13800000000 + :caller\n\\set norm 8600000000000 + :phone'
set_new=$'\\set newphone random(13900000000, 13999999999)\n\\set newnorm 8600000000000 + :newphone'
new_body='{"class":"hard","kind":"complaint","subject":"Caller asks about an invoice","details":"客户来电反映账单重复扣费，已记录并转财务部门核实。","caller_name":"客户","caller_phone":"13987654321","department":"billing"}'
patch_body='{"details":"回访记录：客户已收到退款。"}'
# Warm up every kind once (statements prepared, calendar and token cached), then capture.
send GET "/tickets/$mark_id" >/dev/null
send GET "/tickets/$mark_id/events" >/dev/null
send GET "/tickets?owner=$agent&limit=20&cursor=$(printf 'c1:%s' "$mark_before" | base64 | tr '+/' '-_' | tr -d '=')" >/dev/null
send GET "/tickets?phone=$mark_phone&limit=20" >/dev/null
send POST /tickets "$new_body" >/dev/null
send PATCH "/tickets/$((mark_id + 1))" "$patch_body" >/dev/null
send POST /calls/events "$(call_body 880000000009 offered 100 "$offered")" "$cti_token" >/dev/null
send POST /calls/events "$(call_body 880000000009 answered 95 ',"agent":"agent-7"')" "$cti_token" >/dev/null
send POST /calls/events "$(call_body 880000000009 hangup 40 ',"cause":"normal"')" "$cti_token" >/dev/null

max_ticket_seen=$(psql_q -c "SELECT max(id) FROM tickets")
max_followup_seen=$(psql_q -c "SELECT coalesce(max(id), 0) FROM followups")
capture get "$mark_id=id" "$set_id" GET "/tickets/$mark_id"
capture events "$mark_id=id" "$set_id" GET "/tickets/$mark_id/events"
capture list_owner "$mark_before=before" '\set before random(1, :max_id)' \
  GET "/tickets?owner=$agent&limit=20&cursor=$(printf 'c1:%s' "$mark_before" | base64 | tr '+/' '-_' | tr -d '=')"
capture list_phone "$mark_phone=phone;86$mark_phone=norm" "$set_caller" GET "/tickets?phone=$mark_phone&limit=20"
capture create "13987654321=newphone;8613987654321=newnorm" "$set_new" POST /tickets "$new_body"
capture patch "$mark_id=id" "$set_id" PATCH "/tickets/$mark_id" "$patch_body"
capture callers "$mark_phone=phone;86$mark_phone=norm" "$set_caller" GET "/callers/$mark_phone"
# Calls: a whole answered call (3 events) and a whole abandoned one (2), each one script.
call_sets=$'\\set call random(1, 999999999999)\n'"$set_caller"
call_marks="880000000001=call;880000000002=call;$mark_phone=phone;86$mark_phone=norm"
capture call_offered "$call_marks" "$call_sets" POST /calls/events "$(call_body 880000000001 offered 100 "$offered")" "$cti_token"
capture call_answered "$call_marks" "" POST /calls/events "$(call_body 880000000001 answered 95 ',"agent":"agent-7"')" "$cti_token"
capture call_hangup "$call_marks" "" POST /calls/events "$(call_body 880000000001 hangup 40 ',"cause":"normal"')" "$cti_token"
capture call_offered2 "$call_marks" "$call_sets" POST /calls/events "$(call_body 880000000002 offered 100 "$offered")" "$cti_token"
capture call_abandoned "$call_marks" "" POST /calls/events "$(call_body 880000000002 hangup 60 ',"cause":"abandoned"')" "$cti_token"
cat "$tmp/pgbench/call_offered.sql" "$tmp/pgbench/call_answered.sql" "$tmp/pgbench/call_hangup.sql" >"$tmp/pgbench/call_answered_3.sql"
cat "$tmp/pgbench/call_offered2.sql" "$tmp/pgbench/call_abandoned.sql" >"$tmp/pgbench/call_abandoned_2.sql"
stmts_per[calls]=$(( (4 * (stmts_per[call_offered] + stmts_per[call_answered] + stmts_per[call_hangup]) +
  stmts_per[call_offered2] + stmts_per[call_abandoned]) * 10 / 14 ))
stmts_per[calls]="$((stmts_per[calls] / 10)).$((stmts_per[calls] % 10))"
stop_hotlined() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; pid=""; }
stop_hotlined
# The sweeper's statements: hotlined's other sessions in the capture's log.
sed -n "$((n_start + 1)),\$p" "$pglog" | grep -a ' hotlined ' | grep -av "^$wpid " >"$tmp/capture/sweeper.log" || true
psql_q -c "ALTER SYSTEM RESET log_statement" -c "ALTER SYSTEM RESET log_line_prefix" \
  -c "SELECT pg_reload_conf()" >/dev/null
auth_per_request=$(grep -q 'FROM api_tokens' "$tmp/pgbench/get.sql" && echo yes || echo no)
pgb_vars=(-D max_id="$max_id" -D callers="$callers")
for f in "$tmp"/capture/*.vars; do
  while IFS= read -r line; do pgb_vars+=(-D "$line"); done <"$f"
done

if [[ -n "${BENCH_CAPTURE_ONLY:-}" ]]; then
  note "captured scripts in $tmp/pgbench"
  exit 0
fi
threads=$threads_main
note "== hotlined ($threads threads, log level $log_level)"
start_hotlined
sleep 1
rss_start=$(rss_kb)

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

# pgbench NAME CONNECTIONS SECONDS SCRIPT[@W]... → sets p_tps, p_lat_ms, p_failed
# pgbench opens its connections when it starts (64 take about 3 s here), and a fresh PostgreSQL
# backend spends its first transactions filling its caches; hotlined's connections are long
# warm. So pgbench runs longer and only the seconds from `pgb_warm` s after its first
# transaction to its last full second count (per-second aggregates). A call script is a whole call, several requests:
# TPS is scaled by the mean number of requests per script (from the weights).
pgb_warm=${BENCH_PGBENCH_WARMUP:-2}
run_pgbench() {
  local name=$1 c=$2 s=$3 j=$(($2 < 2 ? $2 : 2)) per=1
  shift 3
  local files=() f
  for f in "$@"; do files+=(-f "$tmp/pgbench/$f"); done
  per=$(printf '%s\n' "$@" | awk -F@ '{ w = ($2 == "") ? 1 : $2; n = ($1 ~ /_3\.sql$/) ? 3 : ($1 ~ /_2\.sql$/) ? 2 : 1
      sw += w; sn += w * n } END { printf "%.4f", sn / sw }')
  rm -f "$tmp"/agg.*
  # connecting 64 clients takes this machine seconds: allow c/16 s for it on top of the warm-up
  "$PGBIN/pgbench" -n -M prepared -c "$c" -j "$j" -T "$((s + pgb_warm + c / 16 + 1))" "${pgb_vars[@]}" "${files[@]}" \
    --log --aggregate-interval=1 --log-prefix="$tmp/agg" hotline >"$tmp/$name.pgbench" 2>&1 || true
  read -r p_tps p_lat_ms <<<"$(cat "$tmp"/agg.* 2>/dev/null | awk -v warm="$pgb_warm" -v per="$per" '
      { n[$1] += $2; lat[$1] += $3; if (first == "" || $1 < first) first = $1; if ($1 > last) last = $1 }
      END { for (t in n) if (t >= first + warm && t < last) { tx += n[t]; l += lat[t]; secs++ }
            if (secs) printf "%.1f %.3f", tx / secs * per, (tx ? l / tx / 1000 : 0); else print "0 0" }')"
  p_failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$tmp/$name.pgbench")
  if [[ -z "$p_tps" || "$p_tps" == 0* ]] || grep -q 'aborted' "$tmp/$name.pgbench"; then
    note "pgbench $name: $(grep -m2 -E 'error|aborted' "$tmp/$name.pgbench")"
  fi
  p_tps=${p_tps:-0} p_lat_ms=${p_lat_ms:-0} p_failed=${p_failed:-0}
}

# Scenario table: wrk script, pgbench scripts (with weights), the target ratio.
declare -A wrk_script pgb_scripts target label
wrk_script[post]=post_ticket.lua; pgb_scripts[post]="create.sql"; target[post]=0.8
label[post]="POST /tickets"
wrk_script[get]=get_ticket.lua; pgb_scripts[get]="get.sql"; target[get]=0.6
label[get]="GET /tickets/{id}"
wrk_script[list]=list_tickets.lua; pgb_scripts[list]="list_owner.sql@50 list_phone.sql@50"
target[list]=0.6; label[list]="GET /tickets (owner page, caller look-up)"
wrk_script[calls]=call_events.lua; pgb_scripts[calls]="call_answered_3.sql@80 call_abandoned_2.sql@20"
target[calls]=0.8; label[calls]="POST /calls/events (call mix)"
wrk_script[mixed]=mixed.lua
pgb_scripts[mixed]="get.sql@245 events.sql@70 list_phone.sql@70 callers.sql@70 list_owner.sql@70 create.sql@70 patch.sql@35 call_answered_3.sql@20 call_abandoned_2.sql@5"
target[mixed]=0.6; label[mixed]="mixed agent desk"
results_rows=()
declare -A peak p50_c1 pgtps

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
  "$PGBIN/pgbench" -n -M prepared -c $c -j 2 -T "$((secs + pgb_warm + 2))" -R "$rate" --log --log-prefix="$tmp/pgl" \
    "${pgb_vars[@]}" $(for f in ${pgb_scripts[$sc]}; do echo -f "$tmp/pgbench/$f"; done) hotline \
    >"$tmp/half-$sc.pgbench" 2>&1 || true
  read -r g50 g99 <<<"$(cat "$tmp"/pgl.* 2>/dev/null | sort -k5,5n | awk -v warm="$pgb_warm" \
      'NR == 1 { t0 = $5 } $5 >= t0 + warm { print ($3 - (NF >= 7 ? $7 : 0)) / 1000 }' |
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
{
  echo "BEGIN;" # the sweeper's claims would change rows: roll everything back
  for q in list_owner list_phone callers sweeper; do
    awk -v mode=explain -v prefix="$q" -f "$bench/capture.awk" "$tmp/capture/$q.log"
  done
  echo "ROLLBACK;"
} >"$tmp/explain.sql"
psql_q -f "$tmp/explain.sql" >"$tmp/explain.out" 2>&1 || true
timing_rows=()
for q in list_owner list_phone callers; do
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
  echo "pgbench runs what hotlined sent for one request of each kind, captured from PostgreSQL's"
  echo "statement log with the parameter values (tests/bench/capture.awk); ids, phone numbers and call"
  echo "ids are randomised. Statements per request: $(for k in get create list_owner list_phone events patch; do printf '%s %s, ' "$k" "${stmts_per[$k]}"; done)call event ${stmts_per[calls]} (mean of the call mix)."
  echo "The scripts are listed at the end."
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
  echo "Plans of what hotlined sent for a \"my tickets\" page, a caller look-up by phone, the screen-pop"
  echo "(GET /callers/{phone}) and the sweeper's pass, with the captured values (EXPLAIN ANALYZE of a"
  echo "PREPAREd statement, i.e. the custom plan; the sweeper's statements inside a rolled-back transaction)."
  echo
  echo "| query (pgbench, 1 client, 3 s) | mean ms |"
  echo "|---|--:|"
  printf '%s\n' "${timing_rows[@]}"
  echo
  echo '```'
  cat "$tmp/explain.out"
  echo '```'
  echo
  echo "## The pgbench scripts (captured; long statements cut at 300 characters)"
  for f in get create list_owner list_phone events patch call_answered_3 call_abandoned_2; do
    echo
    echo "\`$f.sql\`:"
    echo
    echo '```'
    cut -c1-300 "$tmp/pgbench/$f.sql"
    echo '```'
  done
} >"$tmp/results.md"
# Issue 11's emergencies (import vs COPY, list building, claims): its own cluster and data.
if [[ ${BENCH_EMERGENCIES:-1} != 0 ]]; then
  note "== emergencies (tests/bench/emergencies.sh)"
  BENCH_BIN="$bin" "$bench/emergencies.sh" >>"$tmp/results.md" ||
    printf '\n## Emergencies\n\nemergencies.sh failed (exit %s)\n' "$?" >>"$tmp/results.md"
fi
mkdir -p "$(dirname "$results")"
cp "$tmp/results.md" "$results"
echo
cat "$tmp/results.md"
echo
echo "written to ${results#"$root"/}"
