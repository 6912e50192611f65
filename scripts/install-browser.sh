#!/usr/bin/env bash
# Installs Debian's Chromium for the web client's browser tests (Playwright drives
# /usr/bin/chromium and never downloads a browser of its own). Does nothing when it is already
# there. Needs root (or sudo) and the Debian package mirrors.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-browser: root or sudo is needed to install chromium" >&2; exit 1; }
  sudo="sudo"
fi
echo "installing chromium (apt-get)"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
/usr/bin/chromium --version
