#!/usr/bin/env bash
# Every check the project has, in the order that fails fastest: types, lint, unit and system tests.
# System tests start real nats-servers and the built services as processes (free ports, temp dirs).
set -euo pipefail
cd "$(dirname "$0")/.."
# The console's end-to-end tests and its benchmark drive Debian's chromium: setup installs it.
MILLWRIGHT_WITH_BROWSER=1 MILLWRIGHT_WITH_TESTS=1 bash scripts/setup.sh

# One command per line: `set -e` does not stop at a failure on the left of `&&`, and a type error
# in the workspace once went through that way.
echo "== typecheck"
npx tsc -p tsconfig.json --noEmit
npx tsc -p libs/shared/console-ui/tsconfig.json --noEmit
# The module-boundary rule reads Nx's project graph and silently skips itself when none is cached.
echo "== lint"
NX_DAEMON=false npx nx show projects >/dev/null
npx eslint .
mkdir -p test-artifacts
echo "== tests"
status=0
npx jest --runInBand --json --outputFile=test-artifacts/jest-results.json "$@" || status=$?
node -e '
  const r = require("./test-artifacts/jest-results.json");
  console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
  if (r.numTotalTests === 0) process.exitCode = 1;
' || status=1
exit $status
