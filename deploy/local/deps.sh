#!/usr/bin/env bash
# Installs the Debian packages Hotline needs to build, run and test. As root it runs apt-get;
# otherwise it prints the exact command and fails. Usage: deps.sh [extra-package...]
set -euo pipefail

packages=(make gcc pkg-config libmicrohttpd-dev libjansson-dev libpq-dev libcurl4-openssl-dev
          libssl-dev libcmocka-dev postgresql-15 postgresql-client-15 tzdata curl ca-certificates "$@")

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "hotline: missing packages: ${missing[*]}" >&2
  echo "hotline: run as root:  $cmd" >&2
  exit 1
fi
echo "hotline: installing ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The tests want promtool from the prometheus package, not the Prometheus server it also
# starts where systemd runs: stop and disable that again.
if [[ " ${missing[*]} " == *" prometheus "* ]] && [[ -d /run/systemd/system ]]; then
  systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
