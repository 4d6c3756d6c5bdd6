#!/usr/bin/env bash
# Points sqlmap (Debian package) at the ticket list/search parameters and a ticket id of a
# hotlined of its own (private PostgreSQL, loopback, free port), bounded in time, and prints
# the verdict. Every server answer of 500 counts as a finding too.
#   tests/fault/sqlmap.sh [SECONDS]      (default 1200)
set -uo pipefail
limit=${1:-1200}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
"$root/deploy/local/deps.sh" sqlmap >/dev/null || exit 1
make --no-print-directory all >/dev/null || exit 1
out="$root/build/sqlmap"
rm -rf "$out"
mkdir -p "$out"
tmp=$(mktemp -d /tmp/hotline-sqlmap.XXXXXX)
chmod 755 "$tmp"
pid=
cleanup() {
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  "$root/deploy/local/pg.sh" stop "$tmp/pg" immediate >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT
PG_FSYNC=off "$root/deploy/local/pg.sh" start "$tmp/pg" >/dev/null || exit 1
# shellcheck disable=SC1091
. "$tmp/pg/pg.env"
"$PGBIN/createdb" -h "$PGHOST" -p "$PGPORT" -U postgres hotline
export HOTLINE_DATABASE_URL="host=$PGHOST port=$PGPORT user=postgres dbname=hotline"
build/hotlined migrate >/dev/null || exit 1
token=$(HOTLINE_LOG_LEVEL=warn build/hotlined token create --role admin --name sqlmap)
HOTLINE_LISTEN=127.0.0.1:0 HOTLINE_PORT_FILE="$tmp/port" HOTLINE_THREADS=2 \
  build/hotlined serve >"$out/hotlined.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [[ -s "$tmp/port" ]] && break; sleep 0.1; done
base="http://127.0.0.1:$(cat "$tmp/port")"
for i in 1 2 3 4 5; do
  curl -s -o /dev/null -X POST "$base/tickets" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' \
    -d "{\"class\":\"general\",\"subject\":\"sqlmap $i\",\"caller_phone\":\"1380013800$i\"}"
done
cursor=$(curl -s "$base/tickets?limit=2" -H "Authorization: Bearer $token" |
  sed -n 's/.*"next_cursor":"\([^"]*\)".*/\1/p')
list="$base/tickets?status=new&class=general&kind=inquiry&owner=sqlmap&phone=13800138001"
list+="&created_from=2026-01-01T00:00:00%2B08:00&created_to=2030-01-01T00:00:00%2B08:00"
list+="&limit=5&cursor=$cursor"
common=(--batch --flush-session --disable-coloring --headers="Authorization: Bearer $token"
        --dbms=PostgreSQL --level=3 --risk=2 --technique=BEUST --time-sec=2 --threads=1
        --output-dir="$out/session")
verdict=0
run() { # label, sqlmap arguments
  local label=$1; shift
  echo "== sqlmap: $label"
  timeout "$limit" sqlmap "${common[@]}" "$@" >"$out/$label.txt" 2>&1
  local rc=$?
  grep -E "do not appear to be injectable|appears to be .*injectable|is vulnerable|heuristic|WARNING.*(not|no)|CRITICAL|tested parameters" \
    "$out/$label.txt" | sed 's/^/   /' | sort -u | head -n 40
  [[ $rc -eq 124 ]] && echo "   (stopped after ${limit}s)"
  if grep -qE "appears to be .*injectable|is vulnerable|sqlmap identified the following injection" "$out/$label.txt"; then
    verdict=1
  fi
}
run list -u "$list" -p "status,class,kind,owner,phone,created_from,created_to,limit,cursor"
run ticket-id -u "$base/tickets/1*"
run events -u "$base/tickets/1/events?limit=5&cursor=$cursor" -p "limit,cursor"
errors=$(grep -c '"status":500' "$out/hotlined.log" || true)
requests=$(grep -c '"msg":"request"' "$out/hotlined.log" || true)
statuses=$(grep -o '"status":[0-9]*' "$out/hotlined.log" | sort | uniq -c | tr '\n' ' ')
echo "hotlined answered $requests requests ($statuses); 500s: $errors"
if [[ $verdict -ne 0 || $errors -ne 0 ]]; then
  echo "sqlmap verdict: FINDINGS (see $out)"
  exit 1
fi
echo "sqlmap verdict: no injectable parameter found"
