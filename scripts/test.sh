#!/usr/bin/env bash
# The whole test suite: unit tests and integration tests against a real kube-apiserver + etcd.
# On a fresh machine this installs pnpm and the dependencies, and builds the control plane once.
source "$(dirname "$0")/lib/bootstrap.sh"
ensure_control_plane_binaries
log "building"
pnpm turbo run build --output-logs=errors-only >&2
log "running every test (vitest, all packages)"
report=$(mktemp)
status=0
pnpm vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
# One plain closing line, whatever vitest printed above it.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$report" || true
rm -f "$report"
exit $status
