#!/usr/bin/env bash
# Runs the test suites of one build variant against a throwaway PostgreSQL cluster.
#   tests/run.sh BUILD_DIR PROD_BINARY [integration-name-filter]
# Unit tests need no database. Each integration binary gets its own database, cloned from a
# migrated template, and starts its own hotlined processes (127.0.0.1, stopped by PID).
# Everything is torn down on exit, failure included.
set -uo pipefail

build=${1:?usage: tests/run.sh BUILD_DIR PROD_BINARY [filter]}
prod=${2:?usage: tests/run.sh BUILD_DIR PROD_BINARY [filter]}
filter=${3:-}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/hotline-test.XXXXXX)
chmod 755 "$tmp"
failed=()

cleanup() {
  "$root/deploy/local/pg.sh" stop "$tmp/pg" immediate >/dev/null 2>&1 || true
  if [[ ${#failed[@]} -eq 0 && -z "${HOTLINE_KEEP_TMP:-}" ]]; then rm -rf "$tmp"; else echo "test files kept in $tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

run() { # name, command...
  local name=$1; shift
  local start=$SECONDS
  local out="$tmp/${name//\//_}.out"
  if "$@" >"$out" 2>&1; then
    printf '  ok    %-40s %3ss\n' "$name" $((SECONDS - start))
  else
    printf '  FAIL  %-40s %3ss\n' "$name" $((SECONDS - start))
    tail -n 60 "$out" | sed 's/^/        /'
    failed+=("$name")
  fi
}

echo "== unit tests ($build)"
for t in "$build"/tests/unit/test_*; do
  [[ -x "$t" ]] || continue
  run "unit/$(basename "$t")" "$t"
done

echo "== PostgreSQL"
PG_FSYNC=off "$root/deploy/local/pg.sh" start "$tmp/pg" || { echo "cannot start PostgreSQL"; exit 1; }
# shellcheck disable=SC1091
. "$tmp/pg/pg.env"
export PGHOST PGPORT PGUSER PGBIN
"$PGBIN/createdb" hotline_template
HOTLINE_DATABASE_URL="host=$PGHOST port=$PGPORT user=postgres dbname=hotline_template" \
  "$build/hotlined" migrate >"$tmp/migrate.out" 2>&1 || { cat "$tmp/migrate.out"; exit 1; }
echo "  cluster on port $PGPORT, schema migrated"

echo "== integration tests"
for t in "$build"/tests/integration/test_*; do
  [[ -x "$t" ]] || continue
  name=$(basename "$t")
  [[ -n "$filter" && "$name" != *"$filter"* ]] && continue
  db="t_${name#test_}"
  # a suite that stops the database (restart and fault tests) must not break the next one
  "$root/deploy/local/pg.sh" start "$tmp/pg" >/dev/null
  "$PGBIN/createdb" -T hotline_template "$db"
  mkdir -p "$tmp/$name"
  run "integration/$name" env \
    HOTLINE_TEST_BIN="$build/hotlined" HOTLINE_TEST_PROD_BIN="$prod" \
    HOTLINE_TEST_DB="host=$PGHOST port=$PGPORT user=postgres dbname=$db" \
    HOTLINE_TEST_PGENV="$tmp/pg/pg.env" HOTLINE_TEST_TMP="$tmp/$name" \
    HOTLINE_TEST_ROOT="$root" "$t"
done

echo "== customer data in logs"
run "contract/logs-mask-customer-data" "$root/tests/check-logs.sh" "$tmp"

echo "== contract"
run "contract/routes-match-openapi" "$root/tests/check-routes.sh" "$prod"
run "contract/readme" "$root/tests/check-readme.sh" "$prod"
run "contract/deploy" "$root/tests/check-deploy.sh" "$prod"
run "contract/prism-proxy" "$root/tests/contract-prism.sh" "$prod"

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all tests passed"
