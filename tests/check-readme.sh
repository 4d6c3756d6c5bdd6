#!/usr/bin/env bash
# The README keeps its promises: the two commands, every configuration variable, and the
# authorization matrix exactly as the router table has it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/hotlined}
readme="$root/README.md"
fail=0
grep -q 'make run' "$readme" || { echo "README lacks 'make run'"; fail=1; }
grep -q 'make test' "$readme" || { echo "README lacks 'make test'"; fail=1; }
for v in $("$bin" --help | grep -o 'HOTLINE_[A-Z_]*' | sort -u); do
  grep -q "$v" "$readme" || { echo "README does not document $v"; fail=1; }
done
want=$("$root/tools/route-matrix.sh" "$bin")
have=$(sed -n '/<!-- routes:begin -->/,/<!-- routes:end -->/p' "$readme" | sed '1d;$d')
if [[ "$want" != "$have" ]]; then
  echo "README's authorization matrix differs from the router table; regenerate it with"
  echo "  tools/route-matrix.sh build/hotlined"
  diff <(echo "$want") <(echo "$have") || true
  fail=1
fi
while read -r method path _; do
  grep -qF -- "\`$method $path\`" "$readme" || { echo "README has no example for \`$method $path\`"; fail=1; }
done < <("$bin" routes)
[[ $fail -eq 0 ]] && echo "README matches the binary"
exit $fail
