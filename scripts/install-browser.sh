#!/usr/bin/env bash
# Installs Debian's Chromium for the web client's browser tests (Playwright drives
# /usr/bin/chromium and never downloads a browser of its own), and a Chinese font so that the
# screenshots the tests take show Chinese labels rather than empty boxes. Does nothing when both
# are already there. Needs root (or sudo) and the Debian package mirrors.
set -euo pipefail
packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium)
if ! command -v fc-list >/dev/null || [ -z "$(fc-list :lang=zh family 2>/dev/null)" ]; then
  packages+=(fonts-wqy-zenhei)
fi
if [ ${#packages[@]} -eq 0 ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-browser: root or sudo is needed to install ${packages[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "installing ${packages[*]} (apt-get)"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
/usr/bin/chromium --version
