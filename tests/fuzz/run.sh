#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, ASan + UBSan), replays every past crasher kept in
# tests/fuzz/crashers/<harness>/ (each must now pass: they are regression tests), then fuzzes
# each harness for SECONDS from its seed corpus tests/fuzz/corpus/<harness>/.
#   tests/fuzz/run.sh SECONDS
# New inputs go to build/fuzz/run/corpus/ (not the repository); a crash leaves its input in
# build/fuzz/run/artifacts/<harness>/ and fails the run: copy it into crashers/ with the fix.
set -uo pipefail
secs=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
make --no-print-directory fuzz-build >build-fuzz.log 2>&1 || { cat build-fuzz.log; rm -f build-fuzz.log; exit 1; }
rm -f build-fuzz.log
out=build/fuzz/run
mkdir -p "$out"
summary="$out/summary.txt"
: >"$summary"
failed=()
echo "== fuzz (${secs}s per harness)"
for bin in build/fuzz/bin/fuzz_*; do
  [[ -x "$bin" ]] || continue
  name=$(basename "$bin")
  h=${name#fuzz_}
  seeds="tests/fuzz/corpus/$h"
  crashers="tests/fuzz/crashers/$h"
  work="$out/corpus/$h"
  art="$out/artifacts/$h/"
  mkdir -p "$work" "$art" "$seeds"
  if compgen -G "$crashers/*" >/dev/null; then
    if ! "$bin" -runs=1 "$crashers"/* >"$out/$h.replay.log" 2>&1; then
      printf '  FAIL  fuzz/%-12s a past crasher fails again\n' "$h"
      tail -n 30 "$out/$h.replay.log" | sed 's/^/        /'
      failed+=("$h")
      continue
    fi
  fi
  start=$SECONDS
  "$bin" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$art" -max_len=4096 \
    -timeout=10 -rss_limit_mb=2048 "$work" "$seeds" >"$out/$h.log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$h.log" | tail -n 1)
  corpus=$(find "$work" -type f | wc -l)
  if [[ $rc -ne 0 ]]; then
    printf '  FAIL  fuzz/%-12s crashed after %s runs (%ss); input kept in %s\n' "$h" "${execs:-?}" \
      $((SECONDS - start)) "$art"
    grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$out/$h.log" | head -n 8 | sed 's/^/        /'
    failed+=("$h")
  else
    printf '  ok    fuzz/%-12s %10s runs %4ss, corpus %s\n' "$h" "$execs" $((SECONDS - start)) "$corpus"
  fi
  echo "$h ${execs:-0}" >>"$summary"
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "FUZZ FAILED: ${failed[*]}"
  exit 1
fi
