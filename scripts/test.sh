#!/usr/bin/env bash
# Runs every check and test Meridian has: formatting, the web client (build, types, unit tests, then
# browser tests with Playwright and axe), vet, then the whole Go test suite on the
# embedded SQLite database and again on PostgreSQL (MERIDIAN_TEST_POSTGRES, default
# postgres://postgres@127.0.0.1:5432/test), where servers run requests as their application role
# under row-level security, as they do by default. The fuzz targets' seed corpora run as
# ordinary tests.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== gofmt"
unformatted=$(gofmt -l cmd internal web/*.go)
if [ -n "$unformatted" ]; then
  echo "not gofmt-formatted:"; echo "$unformatted"; exit 1
fi

echo "== web client (npm ci, generated API types, typecheck, unit tests, build, bundle size)"
# web/dist and web/src/api/schema.d.ts are committed (the server embeds dist; no Node at run
# time); rebuilding them must reproduce the commit byte for byte.
command -v npm >/dev/null || { echo "npm is required (Node 20.19 or later)"; exit 1; }
generated="web/dist web/src/api"
before=""
if [ -z "${CI:-}" ] && [ -n "$(git status --porcelain -- $generated)" ]; then
  # Uncommitted work on a developer's machine: check the build reproduces what is there now.
  before=$(find $generated -type f | LC_ALL=C sort | xargs sha256sum)
fi
(
  cd web
  export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
  npm ci --prefer-offline --loglevel=error
  npm run --silent gen:api
  npm run --silent typecheck
  npm test --silent
  npm run --silent build -- --logLevel warn
  npm run --silent size | tail -n 1
)
if [ -n "$before" ]; then
  after=$(find $generated -type f | LC_ALL=C sort | xargs sha256sum)
  if [ "$before" != "$after" ]; then
    echo "rebuilding changed $generated:"; diff <(echo "$before") <(echo "$after") || true; exit 1
  fi
  echo "(uncommitted changes under $generated: checked that the build reproduces them)"
elif [ -n "$(git status --porcelain -- $generated)" ]; then
  echo "$generated differ from the commit: run 'npm run gen:api && npm run build' in web/ and commit the result"
  git status --porcelain -- $generated; exit 1
fi

echo "== web client in a real browser (Playwright, Debian's Chromium, a fresh server and database)"
# Installs /usr/bin/chromium with apt-get when it is missing; Playwright never downloads a browser.
./scripts/install-browser.sh
browser_start=$SECONDS
(cd web && npx --no-install playwright test)
echo "(browser tests: $((SECONDS - browser_start)) s including the server build)"

echo "== go vet"
go vet ./...

echo "== go test (SQLite)"
MERIDIAN_TEST_DB=sqlite go test -count=1 -timeout 20m ./...

echo "== go test (PostgreSQL; API requests under row-level security as the server's application role, the default)"
MERIDIAN_TEST_DB=postgres go test -count=1 -timeout 20m ./...
