#!/usr/bin/env bash
# Every route, answered through Stoplight Prism's validating proxy (`prism proxy --errors`):
# a request or a response that does not match openapi/openapi.yaml fails this step, as it
# would fail a contract checker in front of a real deployment.
#   tests/contract-prism.sh HOTLINED      (run by tests/run.sh with PGHOST/PGPORT/PGBIN set)
set -euo pipefail
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tmp=$(mktemp -d /tmp/hotline-prism.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

if [[ ! -x node_modules/.bin/prism ]]; then
  command -v npm >/dev/null || { echo "contract-prism: npm is missing (apt-get install nodejs npm)"; exit 1; }
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 40000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  return 1
}

db=t_prism_$$
"$PGBIN/createdb" -h "$PGHOST" -p "$PGPORT" -U postgres "$db"
export HOTLINE_DATABASE_URL="host=$PGHOST port=$PGPORT user=postgres dbname=$db"
export HOTLINE_LOG_LEVEL=warn
"$bin" migrate >/dev/null
admin=$("$bin" token create --role admin --name prism-admin)
agent=$("$bin" token create --role agent --name prism-agent)
super=$("$bin" token create --role supervisor --name prism-super)
cti=$("$bin" token create --role cti --name prism-cti)
manager=$("$bin" token create --role manager --name prism-manager)
dept=$("$bin" token create --role operations --name prism-dept)

HOTLINE_LISTEN=127.0.0.1:0 HOTLINE_PORT_FILE="$tmp/port" "$bin" serve >"$tmp/hotlined.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [[ -s "$tmp/port" ]] && break; sleep 0.05; done
hport=$(cat "$tmp/port")
pport=$(free_port)
node_modules/.bin/prism proxy openapi/openapi.yaml "http://127.0.0.1:$hport" --host 127.0.0.1 \
  --port "$pport" --errors >"$tmp/prism.log" 2>&1 &
pids+=($!)
P="http://127.0.0.1:$pport"
for _ in $(seq 1 600); do
  curl -s -o /dev/null "$P/healthz" 2>/dev/null && break
  sleep 0.1
done
curl -s -o /dev/null "$P/healthz" || { echo "Prism did not start:"; tail -20 "$tmp/prism.log"; exit 1; }

checked=0
failed=0
# call EXPECTED METHOD PATH TOKEN [BODY]: the answer must have the expected status and no
# contract violation (Prism answers 500 with an sl-violations header, or 422 for a request).
call() {
  local want=$1 method=$2 path=$3 token=$4 body=${5:-}
  local args=(-s -D "$tmp/h" -o "$tmp/b" -X "$method" "$P$path")
  [[ -n "$token" ]] && args+=(-H "Authorization: Bearer $token")
  [[ -n "$body" ]] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  curl "${args[@]}" || true
  local got
  got=$(head -1 "$tmp/h" | awk '{print $2}')
  checked=$((checked + 1))
  if [[ "$got" != "$want" ]] || grep -qi '^sl-violations' "$tmp/h"; then
    failed=$((failed + 1))
    echo "FAIL $method $path: want $want, got $got"
    grep -i '^sl-violations' "$tmp/h" | cut -c1-600 || true
    head -c 400 "$tmp/b"; echo
  fi
}
id_of() { grep -o '"id":[0-9]*' "$tmp/b" | head -1 | cut -d: -f2; }

call 200 GET /healthz ""
call 200 GET /readyz ""
call 201 POST /tickets "$agent" '{"class":"general","subject":"Where is my parcel?","caller_name":"张三","caller_phone":"+86 138-0013-8000"}'
t=$(id_of)
call 201 POST /tickets "$agent" '{"class":"special","kind":"complaint","subject":"Refund policy","caller_phone":"13800138001"}'
call 201 POST /tickets "$cti" '{"class":"government","subject":"Road collapsed","owner":"prism-agent"}'
g=$(id_of)
call 400 POST /tickets "$agent" '{"class":"general","subject":"x","caller_phone":"call me maybe"}'
call 401 GET /tickets ""
call 403 GET /tickets "$cti"
call 200 GET "/tickets?limit=2&class=general&overdue=false" "$agent"
call 200 GET "/tickets/$t" "$agent"
call 404 GET /tickets/999999 "$agent"
call 200 PATCH "/tickets/$t" "$agent" '{"department":"logistics"}'
call 200 GET "/tickets/$t/events" "$agent"
call 200 POST "/tickets/$t/transitions" "$agent" '{"to":"in_progress","note":"on it"}'
call 409 POST "/tickets/$t/transitions" "$agent" '{"to":"closed"}'
call 200 GET "/tickets/$g/relays" "$agent"
call 201 POST "/tickets/$t/followups" "$agent" '{"kind":"agreed_callback","due_at":"2026-11-27T10:00:00+08:00"}'
f=$(id_of)
call 200 GET "/followups?status=pending&limit=5" "$agent"
call 200 GET "/followups/$f" "$agent"
call 201 POST "/followups/$f/attempts" "$agent" '{"outcome":"no_answer"}'
call 200 GET /calendar "$agent"
call 200 GET "/calendar/days?from=2026-01-01&to=2026-12-31" "$agent"
call 201 PUT /calendar/days/2026-10-01 "$admin" '{"kind":"holiday","name":"National Day"}'
call 200 GET /calendar/days/2026-10-01 "$agent"
call 204 DELETE /calendar/days/2026-10-01 "$admin"
call 404 GET /calendar/days/2026-10-02 "$agent"
curl -s -o "$tmp/cal" -H "Authorization: Bearer $admin" "$P/calendar"
call 200 PUT /calendar "$admin" "$(sed -e 's/,"version":[0-9]*//' -e 's/,"updated_at":"[^"]*"//' -e 's/,"updated_by":"[^"]*"//' "$tmp/cal")"
call 201 POST /webhooks "$admin" '{"url":"http://127.0.0.1:9/hook","secret":"0123456789abcdef","events":["call.missed"]}'
w=$(id_of)
call 200 GET /webhooks "$admin"
call 204 DELETE "/webhooks/$w" "$admin"
call 200 POST /calls/events "$cti" '{"call_id":"prism-1","event":"offered","at":"2026-11-26T10:00:00+08:00","direction":"inbound","from":"13800138000","to":"95555"}'
call 200 POST /calls/events "$cti" '[{"call_id":"prism-1","event":"answered","at":"2026-11-26T10:00:05+08:00","agent":"prism-agent"},{"call_id":"prism-1","event":"hangup","at":"2026-11-26T10:03:00+08:00","cause":"normal"}]'
call 200 GET "/calls?limit=5" "$agent"
call 200 GET /calls/prism-1 "$agent"
call 200 POST /calls/prism-1/tickets "$agent" "{\"ticket_id\":$t}"
call 200 GET /callers/13800138000 "$agent"
call 200 GET /metrics "$admin"
call 200 GET "/reports/daily?date=2026-11-26" "$super"
call 200 GET "/reports/summary?from=2026-11-20&to=2026-11-26&group_by=agent" "$super"
call 200 GET "/reports/summary?from=2026-11-20&to=2026-11-26&group_by=class" "$super"
call 400 GET "/reports/summary?from=2026-11-26&to=2026-11-20" "$super"
call 403 GET "/reports/daily?date=2026-11-26" "$agent"
# complaints: dispatched, returned, re-dispatched, signed for, answered; escalated, extended,
# resolved, refused closing, reviewed; listed by stage; handed over
call 201 POST /tickets "$agent" '{"class":"hard","kind":"complaint","subject":"Charged twice","caller_phone":"13800138002","complaint":{"product":"Gas bill","what_happened":"Charged twice","customer_wants":"A refund"}}'
c=$(id_of)
call 201 POST "/tickets/$c/dispatches" "$agent" '{"department":"Billing","contact_person":"Wang","agreed":"Check today"}'
d=$(id_of)
call 200 GET "/tickets/$c/dispatches" "$agent"
call 200 GET "/dispatches/$d" "$dept"
call 200 POST "/dispatches/$d/return" "$dept" '{"reason":"Not our function"}'
call 201 POST "/dispatches/$d/redispatch" "$agent" '{"department":"Finance","contact_person":"Zhao","agreed":"Refund"}'
d2=$(id_of)
call 409 POST "/dispatches/$d/ruling" "$super" '{"decision":"department_keeps","reason":"Theirs"}'
call 200 POST "/dispatches/$d2/accept" "$dept" '{}'
call 200 POST "/dispatches/$d2/reply" "$dept" '{"result":"Refunded"}'
call 201 POST "/tickets/$c/escalations" "$super" '{"reason":"Called three times","assignee":"prism-super"}'
call 200 GET "/tickets/$c/escalations" "$agent"
call 201 POST "/tickets/$c/extensions" "$agent" '{"until":"2099-01-01T00:00:00+08:00","reason":"Waiting for the bank"}'
e=$(id_of)
call 200 GET "/tickets/$c/extensions" "$agent"
call 200 POST "/extensions/$e/decision" "$super" '{"decision":"approved"}'
call 200 POST "/tickets/$c/transitions" "$agent" '{"to":"resolved","note":"Refund confirmed"}'
call 409 POST "/tickets/$c/transitions" "$agent" '{"to":"closed"}'
call 200 POST "/tickets/$c/review" "$manager" '{"decision":"approved"}'
call 409 POST "/tickets/$c/review" "$manager" '{"decision":"approved"}'
call 200 GET "/tickets?kind=complaint&stage=awaiting_callback" "$super"
call 200 POST "/tickets/$c/handover" "$super" '{"to":"prism-super","reason":"On leave"}'

echo "$checked exchanges through Prism, $failed not matching openapi/openapi.yaml"
[[ $failed -eq 0 ]]
