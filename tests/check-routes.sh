#!/usr/bin/env bash
# Every route of the router table is in openapi/openapi.yaml, and every operation there is
# a route: the contract and the code cannot drift apart.
set -euo pipefail
bin=${1:?usage: check-routes.sh HOTLINED}
root=$(cd "$(dirname "$0")/.." && pwd)
code=$("$bin" routes | awk '{print $1, $2}' | sort)
spec=$(awk '
  /^paths:/ {inpaths=1; next}
  inpaths && /^[^ ]/ {inpaths=0}
  inpaths && /^  \/[^ ]*:[ ]*$/ {path=$1; sub(":$", "", path); next}
  inpaths && /^    (get|put|post|patch|delete):[ ]*$/ {m=$1; sub(":$", "", m); print toupper(m), path}
' "$root/openapi/openapi.yaml" | sort)
if [[ "$code" != "$spec" ]]; then
  echo "router table and openapi/openapi.yaml differ (< router only, > spec only):"
  diff <(echo "$code") <(echo "$spec") || true
  exit 1
fi
echo "$(echo "$code" | wc -l) routes match the OpenAPI paths"
