#!/usr/bin/env bash
# The project's whole test suite: every TypeScript suite under test/ (vitest) and the
# Python suites (pytest), then one closing line that counts both.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
export PATH="$PWD/node_modules/.bin:$PATH"

results=.cache/test-results
rm -rf "$results" && mkdir -p "$results"
status=0

vitest run --reporter=default --reporter=json --outputFile.json="$results/vitest.json" "$@" || status=1

python_suites=(test/train)
if [ $# -eq 0 ]; then
    if [ -x .venv/bin/python ]; then
        .venv/bin/python -m pytest -q --junitxml="$results/pytest.xml" "${python_suites[@]}" || status=1
    else
        echo "test: .venv/bin/python is missing; run 'npm run setup' first" >&2
        status=1
    fi
fi

node scripts/summarize-tests.mjs "$results" || status=1
exit "$status"
