#!/usr/bin/env bash
# Make sure GNU gettext's msgfmt is installed: it compiles the Spanish catalogue (locale/).
set -euo pipefail
if command -v msgfmt >/dev/null; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Need root to install gettext (apt-get install gettext), which compiles locale/." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq gettext >/dev/null
