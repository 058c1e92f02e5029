#!/usr/bin/env bash
# Rewrites every golden file from the current code and lists the files it changed.
# Every golden test goes through internal/golden and its one -update flag; this runs the
# packages whose tests use it with -update, then compares checksums taken before and after.
# Review the list (and `git diff`) before committing: a changed fixture under
# fixtures/golden is a change to seeded output and belongs in CHANGELOG.md.
set -euo pipefail
cd "$(dirname "$0")/.."

snapshot() {
  find . \( -path ./.git -prune \) -o -type f \( -path '*/testdata/*' -o -path './fixtures/golden/*' \) -print0 |
    sort -z | xargs -0 -r sha256sum
}

pkgs=$(go list -f '{{.ImportPath}} {{join .TestImports " "}} {{join .XTestImports " "}}' ./... |
  awk '/ github.com\/ciosim\/ciosim\/internal\/golden( |$)/ {print $1}')
if [ -z "$pkgs" ]; then
  echo "no package uses internal/golden" >&2; exit 1
fi

before=$(mktemp); after=$(mktemp)
trap 'rm -f "$before" "$after"' EXIT
snapshot >"$before"
# shellcheck disable=SC2086
go test -count=1 $pkgs -update >/dev/null || { echo "update-goldens: tests failed after rewriting; run them to see why" >&2; }
go test -count=1 $pkgs >/dev/null
snapshot >"$after"

changed=$(comm -13 <(sort "$before") <(sort "$after") | cut -c67-)
if [ -z "$changed" ]; then
  echo "update-goldens: no golden file changed ($(echo "$pkgs" | wc -w) packages)"
else
  echo "update-goldens: rewrote:"; echo "$changed" | sed 's/^/  /'
fi
