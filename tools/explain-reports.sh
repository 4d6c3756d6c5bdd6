#!/usr/bin/env bash
# The plans the reports and the metrics gauges run with, at scale: loads a synthetic history
# (default 10,000,000 tickets over 1,000 days, their events, calls, follow-ups and attempts)
# into a scratch database, serves it with hotlined, asks for the reports and /metrics, and
# prints what PostgreSQL's auto_explain recorded for those statements (EXPLAIN ANALYZE,
# BUFFERS) with the time each answer took.
#
#   tools/explain-reports.sh PG_ENV_FILE [TICKETS]      e.g. a cluster from deploy/local/pg.sh
#   EXPLAIN_REUSE=1 tools/explain-reports.sh ...        ask again, without loading again
#
# Needs build/hotlined (make). Loading 10,000,000 tickets takes 10-20 minutes on two cores
# and about 12 GB of disk; indexes are built after the load, as a restore would.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
envfile=${1:?usage: tools/explain-reports.sh PG_ENV_FILE [TICKETS]}
tickets=${2:-10000000}
bin=$root/build/hotlined
# shellcheck disable=SC1090
. "$envfile"
export PGHOST PGPORT PGUSER
db=hotline_explain
log=$(dirname "$envfile")/pg.log
export HOTLINE_DATABASE_URL="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$db"
psql() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
load() {
"$PGBIN/dropdb" --if-exists "$db"
"$PGBIN/createdb" "$db"
"$bin" migrate >/dev/null 2>&1

echo "== loading $tickets tickets ($(date +%T))"
psql -v n="$tickets" <<'SQL'
SET maintenance_work_mem = '512MB';
SET synchronous_commit = off;
-- indexes are rebuilt after the load (much faster than maintaining them row by row)
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT indexname FROM pg_indexes WHERE tablename IN ('tickets', 'ticket_events',
      'calls', 'followups', 'followup_attempts') AND indexname NOT LIKE '%_pkey'
      AND indexname NOT LIKE '%_key' LOOP
    EXECUTE 'DROP INDEX ' || quote_ident(r.indexname);
  END LOOP; END $$;
ALTER TABLE ticket_events DISABLE TRIGGER ticket_events_no_change;

-- 10,000 tickets a day over :n / 10,000 days up to 2026-11-26 00:00 +08:00; ticket i is
-- 8.64 s older than ticket i - 1. Classes 60% general, 20% hard, 10% special, 10% government;
-- one in seven a complaint; 90% resolved in time, the rest late; the last day's still open.
INSERT INTO tickets (class, kind, status, subject, owner, created_by, created_at, updated_at,
                     resolve_due_at, relay_due_at, relayed_at, callback_due_at, called_back_at,
                     resolved_at, overdue, caller_phone_norm)
SELECT cls, CASE WHEN i % 7 = 0 THEN 'complaint' ELSE 'inquiry' END,
       CASE WHEN open THEN 'new' ELSE 'resolved' END, 'synthetic', 'agent' || (i % 200), 'load',
       at, at,
       CASE WHEN cls IN ('general', 'hard') THEN at + interval '8 hours' END,
       CASE WHEN cls = 'government' THEN at + interval '15 minutes' END,
       CASE WHEN cls = 'government' THEN at + interval '10 minutes' END,
       CASE WHEN cls = 'government' THEN at + interval '70 minutes' END,
       CASE WHEN cls = 'government' AND NOT open THEN at + interval '60 minutes' END,
       CASE WHEN NOT open THEN at + CASE WHEN i % 10 = 3 THEN interval '30 hours'
                                         ELSE interval '4 hours' END END,
       open AND i % 3 = 0, '86139' || lpad((i % 1000000)::text, 8, '0')
  FROM (SELECT i, '2026-11-26T00:00:00+08:00'::timestamptz - i * interval '8.64 seconds' AS at,
               (ARRAY['general','general','general','general','general','general','hard','hard',
                      'special','government'])[i % 10 + 1] AS cls,
               i <= 10000 AS open
          FROM generate_series(1, :n) i) g;

INSERT INTO ticket_events (ticket_id, at, actor, kind, after)
SELECT id, created_at, 'load', 'created', '{}'::jsonb FROM tickets;
INSERT INTO ticket_events (ticket_id, at, actor, kind, after)
SELECT id, resolved_at, 'load', 'transition', '{"status":"resolved"}'::jsonb FROM tickets
 WHERE resolved_at IS NOT NULL;

-- 3,000 inbound calls a day, 1 in 10 abandoned; 300 outbound.
INSERT INTO calls (call_id, direction, from_norm, agent, state, outcome, offered_at, answered_at,
                   ended_at, ring_seconds, talk_seconds, answered_within_threshold, event_count,
                   created_at, updated_at)
SELECT 'l' || i, CASE WHEN i % 11 = 0 THEN 'outbound' ELSE 'inbound' END,
       '86139' || lpad((i % 1000000)::text, 8, '0'),
       CASE WHEN i % 10 <> 0 THEN 'agent' || (i % 200) END, 'ended',
       CASE WHEN i % 10 = 0 THEN 'abandoned' ELSE 'answered' END, at,
       CASE WHEN i % 10 <> 0 THEN at + (i % 30) * interval '1 second' END,
       at + interval '3 minutes', i % 30, CASE WHEN i % 10 <> 0 THEN 150 END,
       CASE WHEN i % 11 <> 0 THEN i % 10 <> 0 AND i % 30 <= 15 END, 3, at, at
  FROM (SELECT i, '2026-11-26T00:00:00+08:00'::timestamptz - i * interval '26 seconds' AS at
          FROM generate_series(1, :n * 33 / 100) i) g;

-- A weekly callback per special ticket, made on time mostly; an attempt each.
INSERT INTO followups (kind, ticket_id, due_at, deadline_at, agent, status, attempts, outcome,
                       created_by, created_at, updated_at, closed_at)
SELECT 'weekly_callback', id, created_at + interval '7 days', created_at + interval '7 days',
       owner, 'done', 1, 'reached', 'rules', created_at, created_at,
       created_at + interval '7 days' - CASE WHEN id % 5 = 0 THEN interval '-1 hour'
                                             ELSE interval '1 hour' END
  FROM tickets WHERE class = 'special';
INSERT INTO followup_attempts (followup_id, at, actor, outcome)
SELECT id, closed_at, agent, 'reached' FROM followups;
ANALYZE;
SQL
echo "== building indexes ($(date +%T))"
# the definitions, from a database the migrations made
"$PGBIN/dropdb" "${db}_schema" 2>/dev/null || true
"$PGBIN/createdb" "${db}_schema"
HOTLINE_DATABASE_URL="host=$PGHOST port=$PGPORT user=$PGUSER dbname=${db}_schema" "$bin" migrate \
  >/dev/null 2>&1
"$PGBIN/psql" -X -At -d "${db}_schema" -c "SELECT indexdef || ';' FROM pg_indexes WHERE tablename
  IN ('tickets', 'ticket_events', 'calls', 'followups', 'followup_attempts') AND indexname NOT
  LIKE '%_pkey' AND indexname NOT LIKE '%_key'" >"/tmp/explain-reports-idx.$$"
"$PGBIN/dropdb" "${db}_schema"
{ echo "SET maintenance_work_mem = '512MB';"; cat "/tmp/explain-reports-idx.$$";
  echo "ALTER TABLE ticket_events ENABLE TRIGGER ticket_events_no_change;"; } | psql
rm -f "/tmp/explain-reports-idx.$$"
psql -c "VACUUM ANALYZE"
echo "== loaded ($(date +%T)): $(psql -At -c "SELECT pg_size_pretty(pg_database_size(current_database()))")"
psql -At -c "SELECT 'tickets ' || count(*) FROM tickets UNION ALL SELECT 'ticket_events ' ||
  count(*) FROM ticket_events UNION ALL SELECT 'calls ' || count(*) FROM calls UNION ALL
  SELECT 'followups ' || count(*) FROM followups"
}
[[ -n "${EXPLAIN_REUSE:-}" ]] || load

# auto_explain records the plan of every statement hotlined sends to this database
psql -c "ALTER DATABASE $db SET session_preload_libraries = 'auto_explain'" \
     -c "ALTER DATABASE $db SET auto_explain.log_min_duration = 0" \
     -c "ALTER DATABASE $db SET auto_explain.log_analyze = on" \
     -c "ALTER DATABASE $db SET auto_explain.log_buffers = on" \
     -c "ALTER DATABASE $db SET auto_explain.log_level = warning"
"$bin" token revoke explain >/dev/null 2>&1 || true
"$bin" token revoke explain-admin >/dev/null 2>&1 || true
token=$("$bin" token create --role supervisor --name explain 2>/dev/null | tail -1)
admin=$("$bin" token create --role admin --name explain-admin 2>/dev/null | tail -1)
portfile=$(mktemp)
HOTLINE_LISTEN=127.0.0.1:0 HOTLINE_PORT_FILE=$portfile HOTLINE_THREADS=1 "$bin" serve \
  >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$portfile"' EXIT
for _ in $(seq 50); do [[ -s $portfile ]] && break; sleep 0.1; done
base=http://127.0.0.1:$(cat "$portfile")
ask() { # label path [token]
  local start; start=$(wc -c <"$log")
  # twice: the first answer also warms the cache; the second is the one measured
  curl -s -o /dev/null "$base$2" -H "Authorization: Bearer ${3:-$token}"
  start=$(wc -c <"$log")
  local t; t=$(curl -s -o /dev/null -w '%{time_total}' "$base$2" -H "Authorization: Bearer ${3:-$token}")
  echo
  echo "==== $1: GET $2 answered in ${t}s"
  tail -c +"$((start + 1))" "$log" | awk '/duration: .* plan:/ {p = 0; d = $0; next}
    /Query Text: (WITH p AS|WITH open_tickets)/ {p = 1; print d} p'
}
ask "daily report of the last day" "/reports/daily?date=2026-11-25"
ask "a week by day" "/reports/summary?from=2026-11-19&to=2026-11-25&group_by=day"
ask "a week by agent" "/reports/summary?from=2026-11-19&to=2026-11-25&group_by=agent"
ask "a week by class" "/reports/summary?from=2026-11-19&to=2026-11-25&group_by=class"
ask "a month by day" "/reports/summary?from=2026-10-26&to=2026-11-25&group_by=day"
ask "a month by agent" "/reports/summary?from=2026-10-26&to=2026-11-25&group_by=agent"
ask "metrics gauges" "/metrics" "$admin"
