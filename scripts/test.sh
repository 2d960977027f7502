#!/usr/bin/env bash
# npm test (and so CI): the lint, then the type check beside the whole suite. vitest leaves part of
# the CPUs idle while storms wait, and the type check (~25 s of one core) fits there instead of
# running before it. Both must pass; the type checker's errors are printed after the suite's report.
# Arguments go to vitest (`npm test -- test/storm`).
set -uo pipefail
cd "$(dirname "$0")/.."
npx biome check . || exit 1
types_log=$(mktemp)
npx tsc --noEmit >"$types_log" 2>&1 &
types_pid=$!
# Interrupted (Ctrl-C, a CI timeout): the type check goes too.
trap 'kill "$types_pid" 2>/dev/null; rm -f "$types_log"' EXIT
npx vitest run "$@"
tests=$?
wait "$types_pid"
types=$?
if [ "$types" -ne 0 ]; then
  echo "typecheck failed (tsc --noEmit, exit $types):"
  cat "$types_log"
fi
[ "$tests" -eq 0 ] && [ "$types" -eq 0 ]
