#!/usr/bin/env bash
# Customer data stays out of the logs: every server log of the whole test run (the folder
# tests/run.sh keeps them in) is searched for the phone numbers and names the tests sent.
#   tests/check-logs.sh TEST_TMP_DIR
set -uo pipefail
dir=${1:?usage: check-logs.sh TEST_TMP_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
mapfile -t logs < <(find "$dir" -name '*.log' -path '*/test_*' -type f)
[[ ${#logs[@]} -gt 0 ]] || { echo "no server logs under $dir"; exit 1; }
# mobile numbers (11 digits from 13x-19x) as the tests write them, with or without separators
mapfile -t phones < <(grep -rhoE '1[3-9][0-9][- ]?[0-9]{4}[- ]?[0-9]{4}' \
  "$root/tests/integration" "$root/tests/fault" "$root/openapi/openapi.yaml" 2>/dev/null |
  tr -d ' -' | sort -u)
names=("张三" "李四" "王五")
bad=0
for p in "${phones[@]}"; do
  dashed="${p:0:3}-${p:3:4}-${p:7:4}"
  for v in "$p" "$dashed"; do
    if grep -qF -- "$v" "${logs[@]}"; then echo "a log holds the phone number $v:"; grep -lF -- "$v" "${logs[@]}"; bad=1; fi
  done
done
for n in "${names[@]}"; do
  if grep -qF -- "$n" "${logs[@]}"; then echo "a log holds the name $n:"; grep -lF -- "$n" "${logs[@]}"; bad=1; fi
done
[[ $bad -eq 0 ]] && echo "${#logs[@]} server logs, ${#phones[@]} phone numbers and ${#names[@]} names: none in any log"
exit $bad
