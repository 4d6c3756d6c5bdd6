#!/usr/bin/env bash
# Lints openapi/openapi.yaml with Redocly CLI (pinned in package.json / package-lock.json).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [[ ! -x node_modules/.bin/redocly ]]; then
  command -v npm >/dev/null || { echo "lint-openapi: npm is missing (apt-get install nodejs npm)" >&2; exit 1; }
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
echo "== OpenAPI lint"
node_modules/.bin/redocly lint --format=stylish openapi/openapi.yaml 2>&1 | grep -v -e '^\s*$' -e 'Node.js' -e '╔' -e '╚' -e '║' || true
node_modules/.bin/redocly lint openapi/openapi.yaml >/dev/null 2>&1
echo "  ok    openapi/openapi.yaml"
