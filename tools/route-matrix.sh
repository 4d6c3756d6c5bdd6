#!/usr/bin/env bash
# Prints the README's authorization matrix from the router table (`hotlined routes`).
# Usage: tools/route-matrix.sh build/hotlined
set -euo pipefail
bin=${1:-build/hotlined}
roles=(agent supervisor manager cti admin operations)
printf '| Method | Path |'
for r in "${roles[@]}"; do printf ' %s |' "$r"; done
printf '\n|---|---|'
for _ in "${roles[@]}"; do printf ':-:|'; done
printf '\n'
"$bin" routes | while read -r method path rest; do
  printf '| %s | `%s` |' "$method" "$path"
  for r in "${roles[@]}"; do
    if [[ " $rest " == *" open "* ]]; then printf ' open |'
    elif [[ " $rest " == *" $r "* ]]; then printf ' ✓ |'
    else printf '   |'; fi
  done
  printf '\n'
done
