#!/usr/bin/env bash
# Runs every check and test Meridian has: formatting, vet, then the whole Go test suite on the
# embedded SQLite database and again on PostgreSQL (MERIDIAN_TEST_POSTGRES, default
# postgres://postgres@127.0.0.1:5432/test). The fuzz targets' seed corpora run as ordinary tests.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== gofmt"
unformatted=$(gofmt -l cmd internal)
if [ -n "$unformatted" ]; then
  echo "not gofmt-formatted:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== go test (SQLite)"
MERIDIAN_TEST_DB=sqlite go test -count=1 -timeout 20m ./...

echo "== go test (PostgreSQL)"
MERIDIAN_TEST_DB=postgres go test -count=1 -timeout 20m ./...
