#!/usr/bin/env bash
# Run the test suite. "all" (make test): ansible-test sanity, ansible-lint, then every pytest test.
# "fast" (make test-fast): the pytest tests not marked slow, for the edit-test loop.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH=$ROOT/.venv/bin:$PATH
export ANSIBLE_COLLECTIONS_PATH=$ROOT/.build/collections
what=${1:-all}

sanity() {
  echo "== ansible-test sanity"
  # ansible-test must run inside .../ansible_collections/ngts/vsatellite and resolves symlinks,
  # so it gets a copy of the files git knows (tracked, or untracked and not ignored).
  # Outside the checkout: inside it, ansible-test would ask the outer git and find the copy ignored.
  # A directory of its own per run, so that two runs (two checkouts) never share one.
  local base copy
  base=$(mktemp -d "${TMPDIR:-/tmp}/ngts-vsatellite-sanity.XXXXXX")
  copy=$base/ansible_collections/ngts/vsatellite
  mkdir -p "$copy"
  git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} sh -c 'test -e "{}" && echo "{}"' \
    | tar -c -T - | tar -x -C "$copy"
  local rc=0
  (cd "$copy" && ansible-test sanity --python 3.11 --local --color no) || rc=$?
  rm -rf "$base"
  return $rc
}

lint() {
  echo "== ansible-lint"
  ansible-lint --offline -q
}

unit_and_integration() {
  echo "== pytest $*"
  # A temporary root of its own: two runs (two checkouts) must not clean up each other's directories.
  local base rc=0
  base=$(mktemp -d "${TMPDIR:-/tmp}/ngts-vsatellite-pytest.XXXXXX")
  # -n 2: the machine has 2 cores, and most of a test's time is Ansible starting up.
  pytest -n 2 -p no:cacheprovider --basetemp="$base/t" "$@" || rc=$?
  rm -rf "$base"
  return $rc
}

case "$what" in
  all)
    sanity
    lint
    unit_and_integration
    ;;
  fast)
    unit_and_integration -m "not slow"
    ;;
  sanity) sanity ;;
  lint) lint ;;
  *) echo "usage: $0 [all|fast|sanity|lint]" >&2; exit 2 ;;
esac
