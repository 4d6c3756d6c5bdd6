#!/usr/bin/env bash
# Runs the integration suite with every hotlined under valgrind memcheck and sums up the
# errors and definite leaks of each server process.
#   tests/fault/valgrind.sh [integration-name-filter]
# Logs stay in build/valgrind/. Timing-bound tests may fail under valgrind's slowdown (the
# script says which); the memory verdict is what it is for.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
"$root/deploy/local/deps.sh" valgrind >/dev/null || exit 1
make --no-print-directory BUILD=build/test EXTRA_CFLAGS=-DHOTLINE_TESTING test-bins >/dev/null || exit 1
make --no-print-directory all >/dev/null || exit 1
out="$root/build/valgrind"
rm -rf "$out"
mkdir -p "$out"
cat >"$out/hotlined" <<WRAP
#!/bin/sh
exec valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite \\
  --errors-for-leak-kinds=definite --track-origins=yes --num-callers=30 \\
  --log-file="$out/vg.%p.log" "$root/build/test/hotlined" "\$@"
WRAP
chmod +x "$out/hotlined"
HOTLINE_TEST_START_MS=60000 HOTLINE_TEST_STOP_MS=60000 \
  HOTLINE_BIN_OVERRIDE="$out/hotlined" tests/run.sh build/test build/hotlined "${1:-}" | tee "$out/run.txt"
procs=0 errors=0 definite=0 unfinished=0
for f in "$out"/vg.*.log; do
  [[ -f "$f" ]] || continue
  procs=$((procs + 1))
  if ! grep -q 'ERROR SUMMARY' "$f"; then # killed (SIGKILL tests) before valgrind could report
    unfinished=$((unfinished + 1))
    continue
  fi
  e=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$f" | tr -d , | tail -n 1)
  d=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$f" | tr -d , | tail -n 1)
  errors=$((errors + ${e:-0}))
  definite=$((definite + ${d:-0}))
  if [[ ${e:-0} -ne 0 || ${d:-0} -ne 0 ]]; then echo "  $f: ${e:-0} errors, ${d:-0} bytes definitely lost"; fi
done
echo "valgrind memcheck: $procs hotlined processes ($unfinished killed before reporting)," \
  "$errors errors, $definite bytes definitely lost" | tee "$out/summary.txt"
[[ $errors -eq 0 && $definite -eq 0 ]]
