#!/usr/bin/env bash
# The Meridian server the browser tests run against (started by playwright.config.ts): this
# checkout's server with the web/dist it embeds, a fresh SQLite database in a temporary folder,
# a known administrator, cookies usable over plain HTTP, and the repository's plugins folder (the
# sample plugin, for plugins.spec.ts). MERIDIAN_E2E_BIN runs a prebuilt binary instead of building
# one.
set -euo pipefail
port=${MERIDIAN_E2E_PORT:?MERIDIAN_E2E_PORT is not set}
dir=$(mktemp -d "${TMPDIR:-/tmp}/meridian-e2e.XXXXXX")
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

bin=${MERIDIAN_E2E_BIN:-}
if [ -z "$bin" ]; then
  (cd "$(dirname "$0")/../.." && go build -o "$dir/meridian" ./cmd/meridian)
  bin="$dir/meridian"
fi

export MERIDIAN_DB="sqlite:$dir/meridian.db" MERIDIAN_DATA_DIR="$dir/data" MERIDIAN_LOG_LEVEL=warn
# A second tenant with an administrator of its own (tenants.spec.ts).
"$bin" tenant create beta "Beta Trading" >/dev/null
MERIDIAN_USER_PASSWORD='beta designer passphrase 9' "$bin" user create --tenant beta --email admin@beta.e2e.meridian.local \
  --name "Beta Admin" --admin >/dev/null

MERIDIAN_ADDR="127.0.0.1:$port" \
MERIDIAN_TENANT=default \
MERIDIAN_ADMIN_EMAIL=admin@e2e.meridian.local \
MERIDIAN_ADMIN_PASSWORD=e2e-password-123 \
MERIDIAN_ADMIN_NAME="E2E Admin" \
MERIDIAN_COOKIE_SECURE=false \
MERIDIAN_LOGIN_RATE_LIMIT=off \
MERIDIAN_PLUGINS_DIR="$(cd "$(dirname "$0")/../.." && pwd)/plugins" \
  "$bin" serve &
pid=$!
wait "$pid"
