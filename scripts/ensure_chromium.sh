#!/usr/bin/env bash
# Make sure Debian's Chromium and ChromeDriver are installed for the browser tests.
set -euo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Need root to install chromium and chromium-driver (apt-get)." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium chromium-driver >/dev/null
