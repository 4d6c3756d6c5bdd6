#!/usr/bin/env bash
# Emergencies side by side with PostgreSQL's own limit (issue 11's "make bench" items):
#   1. importing N customers over HTTP (POST /customers/import, CSV) beside COPY of the same
#      rows into the same empty table                                  (wanted: ratio >= 0.5)
#   2. building a notification list of the half of them in one area (POST
#      /incidents/{id}/notifications) beside the bare INSERT … SELECT run by pgbench
#                                                                      (wanted: <= 2x)
#   3. claim + result throughput with 20 agents at once (wrk, one connection and one token per
#      agent) beside pgbench running the same two statements with 20 clients
# Uses its own PostgreSQL (fsync on) and build/hotlined; prints a Markdown table.
#
# Environment (optional): BENCH_CUSTOMERS=100000, BENCH_ROUNDS=3, BENCH_CLAIM_SECONDS=5,
#   BENCH_THREADS=8 (HOTLINE_THREADS), BENCH_KEEP_TMP=1, BENCH_BIN=PATH.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${BENCH_BIN:-$root/build/hotlined}
n=${BENCH_CUSTOMERS:-100000}
rounds=${BENCH_ROUNDS:-3}
claim_secs=${BENCH_CLAIM_SECONDS:-5}
threads=${BENCH_THREADS:-8}
agents=20

[[ -x $bin ]] || { echo "emergencies bench: $bin missing (make all)" >&2; exit 1; }
for tool in wrk curl awk; do
  command -v $tool >/dev/null || { echo "emergencies bench: $tool missing" >&2; exit 1; }
done

tmp=$(mktemp -d /tmp/hotline-bench-emerg.XXXXXX)
chmod 755 "$tmp"
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  "$root/deploy/local/pg.sh" stop "$tmp/pg" immediate >/dev/null 2>&1 || true
  if [[ -n "${BENCH_KEEP_TMP:-}" ]]; then echo "bench files kept in $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
note() { printf '%s\n' "$*" >&2; }

note "== PostgreSQL (fsync on)"
PG_FSYNC=on "$root/deploy/local/pg.sh" start "$tmp/pg" >/dev/null
# shellcheck disable=SC1091
. "$tmp/pg/pg.env"
export PGHOST PGPORT PGUSER PGDATABASE=hotline
"$PGBIN/createdb" hotline 2>/dev/null || true # pg.sh may have made it
psql_q() { "$PGBIN/psql" -X -v ON_ERROR_STOP=1 -tAq "$@"; }
export HOTLINE_DATABASE_URL="host=$PGHOST port=$PGPORT user=postgres dbname=hotline"
"$bin" migrate >/dev/null

note "== hotlined (HOTLINE_THREADS=$threads)"
HOTLINE_LISTEN=127.0.0.1:0 HOTLINE_PORT_FILE="$tmp/port" HOTLINE_THREADS=$threads \
  HOTLINE_LOG_LEVEL=warn HOTLINE_NOTIFY_CLAIM_MINUTES=60 "$bin" serve >"$tmp/hotlined.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [[ -s $tmp/port ]] && break; sleep 0.1; done
H=http://127.0.0.1:$(cat "$tmp/port")
S=$("$bin" token create --role supervisor --name bench-sup 2>/dev/null)
T=$("$bin" token create --role agent --name bench-agent 2>/dev/null)
for i in $(seq $agents); do "$bin" token create --role agent --name "desk$i" 2>/dev/null; done \
  >"$tmp/agents"

note "== $n customers (half in area BIG, 9 in 10 with a phone)"
awk -v n="$n" -v csv="$tmp/customers.csv" -v copy="$tmp/customers.copy" 'BEGIN {
  print "account_number,name,phones,address,area_code,street,tags" > csv
  for (i = 1; i <= n; i++) {
    phone = i % 10 ? sprintf("139%08d", i) : ""
    area = i % 2 ? sprintf("A%02d", i % 50) : "BIG"
    tag = i % 7 ? "" : "vip"
    printf "ACC-%07d,Customer %d,%s,%d Lane %d,%s,Street %d,%s\n", i, i, phone, i, i % 300, area, i % 200, tag > csv
    printf "ACC-%07d\tCustomer %d\t{%s}\t{%s}\t%d Lane %d\t%s\tStreet %d\t{%s}\tbench\t2026-11-26 10:00:00+08\tbench\t2026-11-26 10:00:00+08\n", \
      i, i, phone, phone ? "86" phone : "", i, i % 300, area, i % 200, tag > copy
  }
}'
cols="account_number, name, phones, phones_norm, address, area_code, street, tags, created_by, created_at, updated_by, updated_at"
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
empty() { psql_q -c "TRUNCATE customers RESTART IDENTITY CASCADE" -c "CHECKPOINT"; }

note "== import vs COPY ($rounds rounds each, alternating)"
: >"$tmp/import.t"
: >"$tmp/copy.t"
for r in $(seq "$rounds"); do
  empty
  curl -s -o "$tmp/import.json" -w '%{time_total}\n' -X POST "$H/customers/import" \
    -H "Authorization: Bearer $S" -H 'Content-Type: text/csv' --data-binary @"$tmp/customers.csv" \
    >>"$tmp/import.t"
  grep -q "\"inserted\":$n," "$tmp/import.json" || { cat "$tmp/import.json" >&2; exit 1; }
  empty
  t0=$(now)
  psql_q -c "\\copy customers ($cols) FROM '$tmp/customers.copy'"
  echo "$(now) - $t0" | bc -l >>"$tmp/copy.t"
  note "   round $r: import $(tail -1 "$tmp/import.t") s, COPY $(tail -1 "$tmp/copy.t") s"
done
imp=$(median <"$tmp/import.t")
cpy=$(median <"$tmp/copy.t")
again=$(curl -s -o "$tmp/again.json" -w '%{time_total}' -X POST "$H/customers/import" \
  -H "Authorization: Bearer $S" -H 'Content-Type: text/csv' --data-binary @"$tmp/customers.csv")
# the directory now holds the rows the last COPY wrote; importing the file changes nothing
grep -q "\"unchanged\":$n," "$tmp/again.json" || { cat "$tmp/again.json" >&2; exit 1; }

note "== notification list of area BIG vs the bare INSERT … SELECT (pgbench)"
big=$(psql_q -c "SELECT count(*) FROM customers WHERE area_code = 'BIG'")
incident() {
  curl -s -X POST "$H/incidents" -H "Authorization: Bearer $T" -H 'Content-Type: application/json' \
    -d '{"hazard":"gas_leak","severity":"critical","location":"BIG","description":"bench"}' |
    sed -E 's/^\{"id":([0-9]+).*/\1/'
}
: >"$tmp/build.t"
: >"$tmp/bare.t"
for r in $(seq "$rounds"); do
  id=$(incident)
  curl -s -o "$tmp/build.json" -w '%{time_total}\n' -X POST "$H/incidents/$id/notifications" \
    -H "Authorization: Bearer $T" -H 'Content-Type: application/json' -d '{"areas":["BIG"]}' \
    >>"$tmp/build.t"
  grep -q "\"selected\":$big," "$tmp/build.json" || { cat "$tmp/build.json" >&2; exit 1; }
  id=$(incident)
  cat >"$tmp/bare.sql" <<SQL
INSERT INTO incident_notifications (incident_id, round, customer_id, phones, phones_norm, status,
  available_at, created_by, created_at, updated_at)
SELECT $id, 'alert', c.id, c.phones, c.phones_norm, CASE WHEN cardinality(c.phones_norm) > 0
  THEN 'pending' ELSE 'no_contact' END, now(), 'bench', now(), now()
FROM customers c WHERE c.area_code = 'BIG';
SQL
  "$PGBIN/pgbench" -n -t 1 -f "$tmp/bare.sql" 2>&1 |
    awk '/latency average/ {print $4 / 1000}' >>"$tmp/bare.t"
  psql_q -c "CHECKPOINT"
  note "   round $r: list $(tail -1 "$tmp/build.t") s, bare INSERT … SELECT $(tail -1 "$tmp/bare.t") s"
done
bld=$(median <"$tmp/build.t")
bare=$(median <"$tmp/bare.t")

note "== claim + result, $agents agents for ${claim_secs}s"
id=$(incident)
curl -s -o /dev/null -X POST "$H/incidents/$id/notifications" -H "Authorization: Bearer $T" \
  -H 'Content-Type: application/json' -d '{"areas":["BIG"]}'
cat >"$tmp/claim.lua" <<LUA
local tokens = {}
for line in io.lines("$tmp/agents") do tokens[#tokens + 1] = line end
local next_token = 1
function setup(thread)
  thread:set("token", tokens[next_token])
  next_token = next_token + 1
end
local nid = nil
request = function()
  local auth = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
  if nid then
    return wrk.format("POST", "/incidents/$id/notifications/" .. nid .. "/result", auth,
                      '{"result":"reached"}')
  end
  return wrk.format("POST", "/incidents/$id/notifications/claim", auth)
end
response = function(status, headers, body)
  if nid then nid = nil return end
  if status == 200 then nid = body:match('^{"id":(%d+)') end
end
LUA
wrk -t $agents -c $agents -d "${claim_secs}s" -s "$tmp/claim.lua" "$H" >"$tmp/wrk.out" 2>&1
reached=$(psql_q -c "SELECT count(*) FROM incident_notifications WHERE incident_id = $id AND status = 'reached'")
twice=$(psql_q -c "SELECT count(*) FROM incident_notification_attempts a JOIN incident_notifications n ON n.id = a.notification_id WHERE n.incident_id = $id GROUP BY a.notification_id HAVING count(*) > 1" | wc -l)
claims_per_s=$(echo "$reached / $claim_secs" | bc -l)
# PostgreSQL alone: the same claim and result statements, 20 clients
id2=$(incident)
curl -s -o /dev/null -X POST "$H/incidents/$id2/notifications" -H "Authorization: Bearer $T" \
  -H 'Content-Type: application/json' -d '{"areas":["BIG"]}'
cat >"$tmp/claim.sql" <<SQL
WITH k AS (SELECT m.id FROM incident_notifications m WHERE m.incident_id = $id2 AND m.round = 'alert'
  AND m.status IN ('pending', 'claimed') AND m.available_at <= now() ORDER BY m.available_at, m.id
  LIMIT 1 FOR UPDATE SKIP LOCKED)
UPDATE incident_notifications n SET status = 'claimed', claimed_by = 'pgbench', claimed_at = now(),
  available_at = now() + interval '60 minutes', updated_at = now(), version = n.version + 1
FROM k WHERE n.id = k.id RETURNING n.id \gset
WITH u AS (UPDATE incident_notifications SET status = 'reached', attempts = attempts + 1,
  last_result = 'reached', last_attempt_at = now(), done_at = now(), updated_at = now(),
  version = version + 1 WHERE id = :id RETURNING id)
INSERT INTO incident_notification_attempts (notification_id, at, actor, result)
SELECT id, now(), 'pgbench', 'reached' FROM u;
SQL
pg_tps=$("$PGBIN/pgbench" -n -c $agents -j 4 -T "$claim_secs" -f "$tmp/claim.sql" 2>&1 |
  awk '/^tps/ {print $3; exit}')

ratio_import=$(echo "$cpy / $imp" | bc -l)
ratio_build=$(echo "$bld / $bare" | bc -l)
printf '\n## Emergencies (%s customers, %s rounds, medians)\n\n' "$n" "$rounds"
printf '| What | hotlined | PostgreSQL alone | ratio | wanted |\n|---|---|---|---|---|\n'
printf '| import %s customers (CSV over HTTP vs COPY) | %.2f s | %.2f s | %.2f (COPY / import) | >= 0.5 |\n' "$n" "$imp" "$cpy" "$ratio_import"
printf '| import the same file again (nothing changes) | %.2f s | | | |\n' "$again"
printf '| build a %s-customer notification list (vs bare INSERT … SELECT) | %.3f s | %.3f s | %.2f (list / bare) | <= 2 |\n' "$big" "$bld" "$bare" "$ratio_build"
printf '| claim + result, %d agents | %.0f customers/s | %.0f /s (pgbench) | %.2f | |\n' "$agents" "$claims_per_s" "$pg_tps" "$(echo "$claims_per_s / $pg_tps" | bc -l)"
printf '\nCustomers handed out twice: %s. wrk: %s\n' "$twice" "$(grep -E 'Requests/sec' "$tmp/wrk.out" | tr -s ' ')"
