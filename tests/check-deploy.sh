#!/usr/bin/env bash
# The deployment files validate without a Docker engine or a Kubernetes cluster:
#   - tests/check-deploy.mjs: YAML syntax, Kubernetes schemas and Hotline's rules (see there);
#   - docker compose config (the Docker CLI plugin, or Debian's docker-compose);
#   - systemd-analyze verify and an exposure ceiling for the systemd units;
#   - promtool check config / rules for the example Prometheus set-up.
# Usage: tests/check-deploy.sh HOTLINED   (the binary tells which HOTLINE_* variables exist)
set -euo pipefail
bin=$(realpath "${1:?usage: check-deploy.sh HOTLINED}")
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [[ ! -d node_modules/kubernetes-models || ! -d node_modules/yaml ]]; then
  command -v npm >/dev/null || { echo "check-deploy: npm is missing (apt-get install nodejs npm)"; exit 1; }
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
HOTLINE_VARS="$("$bin" --help | grep -o 'HOTLINE_[A-Z_]*' | sort -u | tr '\n' ' ')" \
  node tests/check-deploy.mjs

# docker compose: the plugin when the CLI has it, else Debian's docker-compose (no engine needed)
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null; then
  compose=(docker-compose)
else
  echo "check-deploy: neither 'docker compose' nor docker-compose is installed (make test-deps)"; exit 1
fi
HOTLINE_DB_PASSWORD=check "${compose[@]}" -f deploy/docker-compose.yml config -q
echo "  ok    deploy/docker-compose.yml: ${compose[*]} config"

# systemd: verify the units as installed, with the binary and environment file of this tree;
# any complaint (an unknown or misspelt directive is only a warning there) fails.
command -v systemd-analyze >/dev/null || { echo "check-deploy: systemd-analyze is missing (make test-deps)"; exit 1; }
for unit in deploy/systemd/*.service; do
  sed -e "s|/usr/local/bin/hotlined|$bin|g" \
      -e "s|/etc/hotline/hotlined.env|$root/deploy/systemd/hotlined.env.example|g" \
      "$unit" >"$tmp/$(basename "$unit")"
done
if ! systemd-analyze verify "$tmp"/*.service >"$tmp/verify.out" 2>&1 || [[ -s "$tmp/verify.out" ]]; then
  echo "  FAIL  systemd-analyze verify:"; sed 's/^/        /' "$tmp/verify.out"; exit 1
fi
# exposure 0.0 (locked down) .. 10.0 (unprotected); hotlined.service rates 1.4 today
for unit in "$tmp"/*.service; do
  if ! systemd-analyze security --offline=true --threshold=20 "$unit" >"$tmp/security.out" 2>&1; then
    echo "  FAIL  systemd-analyze security $(basename "$unit") rates above 2.0:"
    tail -n 3 "$tmp/security.out" | sed 's/^/        /'; exit 1
  fi
done
echo "  ok    deploy/systemd: systemd-analyze verify, exposure <= 2.0"

# Prometheus: the credentials file is resolved beside the configuration
command -v promtool >/dev/null || { echo "check-deploy: promtool is missing (make test-deps)"; exit 1; }
mkdir "$tmp/prom" && cp deploy/prometheus/*.yml "$tmp/prom/" && echo placeholder >"$tmp/prom/hotline.token"
promtool check config "$tmp/prom/prometheus.yml" >"$tmp/prom.out" 2>&1 ||
  { echo "  FAIL  promtool check config:"; sed 's/^/        /' "$tmp/prom.out"; exit 1; }
echo "  ok    deploy/prometheus: promtool check config (and its rules)"
