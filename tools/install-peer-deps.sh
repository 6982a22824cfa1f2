#!/usr/bin/env bash
# Installs the Debian packages the real-peer tests (test/peer/) use, when missing.
# Root only: without root it prints what is missing and exits 0 (the peer tests then skip,
# except in CI, where requirePeerTests() makes them fail).
# `apt-get update` runs only when something has to be installed.
set -euo pipefail

# package -> a command, or a path (a glob) of a file, that shows it is installed
declare -A CHECK=(
  [socat]=socat
  [dnsmasq-base]=dnsmasq
  [iputils-ping]=ping
  [arping]=arping
  [apache2-utils]=ab
  [tshark]=tshark
  [iproute2]=ip
  [chromium]=chromium
  [netcat-openbsd]=nc
  [python3]=python3
  [curl]=curl
  # test/peer/dns.test.ts: mDNS from the test host (getent through nss-mdns and a confined
  # avahi-daemon; libnss-mdns adds mdns4_minimal to /etc/nsswitch.conf), dig for DNS/mDNS
  [avahi-daemon]=avahi-daemon
  [libnss-mdns]='/lib/*/libnss_mdns4_minimal.so.2'
  [bind9-dnsutils]=dig
)

missing=()
for pkg in "${!CHECK[@]}"; do
  check="${CHECK[$pkg]}"
  if [[ "$check" == /* ]]; then
    compgen -G "$check" >/dev/null || missing+=("$pkg")
  elif ! command -v "$check" >/dev/null 2>&1; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "peer-deps: all present"
  exit 0
fi

if [ "$(id -u)" != "0" ]; then
  echo "peer-deps: missing ${missing[*]}; not root, so not installing (the real-peer tests will skip outside CI)"
  exit 0
fi

echo "peer-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture: answer no, non-interactively.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "peer-deps: done"
