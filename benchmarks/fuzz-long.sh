#!/usr/bin/env bash
# The long fuzzing run: every Jazzer target of scripts/fuzz until 10 million inputs (or FUZZ_HOURS hours per
# target, whichever comes first), one line per target, as recorded in docs/BENCHMARKS.md ("Fuzzing").
# A crash is written under the target's test resources and fails the run; `mvn verify` then replays it.
# Needs: `mvn -B install -DskipTests` (or verify) run first, so that the offline runs find every module.
# Usage: benchmarks/fuzz-long.sh [executions] [target-filter]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
executions="${1:-10000000}"
hours="${FUZZ_HOURS:-2}"
echo "fuzz-long: up to $executions inputs or ${hours} h per target, $(nproc) cores, $(date -u +%FT%TZ)"
FUZZ_EXECUTIONS="$executions" exec scripts/fuzz "$(( hours * 3600 ))" "${2:-}"
