#!/usr/bin/env bash
# `make run`: a private PostgreSQL under ./var, migrations, an admin token, hotlined in the
# foreground on 127.0.0.1:8080 (HOTLINE_LISTEN to change). Ctrl-C stops hotlined; `make stop-db`
# stops the database.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
var="$root/var"
mkdir -p "$var"

"$root/deploy/local/pg.sh" start "$var" "${HOTLINE_PG_PORT:-}"
# shellcheck disable=SC1091
. "$var/pg.env"
export HOTLINE_DATABASE_URL="host=$PGHOST port=$PGPORT user=postgres dbname=hotline"
export HOTLINE_LISTEN=${HOTLINE_LISTEN:-127.0.0.1:8080}
bin="$root/build/hotlined"

"$bin" migrate

token_file="$var/admin.token"
token=""
if [[ -s "$token_file" ]]; then
  token=$(cat "$token_file")
  hash=$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)
  valid=$("$PGBIN/psql" -h "$PGHOST" -p "$PGPORT" -U postgres -d hotline -tAq \
    -c "SELECT count(*) FROM api_tokens WHERE token_hash = '$hash' AND revoked_at IS NULL")
  [[ "$valid" == "1" ]] || token=""
fi
if [[ -z "$token" ]]; then
  token=$("$bin" token create --role admin --name "admin-$(date +%Y%m%d%H%M%S)")
  (umask 077 && printf '%s' "$token" >"$token_file")
fi

base="http://$HOTLINE_LISTEN"
cat <<MSG

Hotline is starting on $base (database: $PGHOST, port $PGPORT).
Admin token (kept in var/admin.token): $token

Try:
  curl -s $base/healthz
  curl -s -X POST $base/tickets -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{"class":"general","subject":"Where is my order?","caller_phone":"13800138000"}'
  curl -s "$base/tickets?limit=10" -H "Authorization: Bearer $token"

Ctrl-C stops hotlined; \`make stop-db\` stops the database.

MSG
exec "$bin" serve
