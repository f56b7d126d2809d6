#!/usr/bin/env bash
# Runs the system: the CRDs, the examples in examples/ and every controller, then the examples'
# reconciled status as tables.
#
#   bash scripts/run.sh            a local control plane (etcd + kube-apiserver on 127.0.0.1, kept
#                                  running), or the cluster in KUBECONFIG when it is reachable: then it
#                                  names the cluster and writes nothing unless you say yes (or --apply)
#   bash scripts/run.sh --apply    against the cluster in KUBECONFIG without asking
#   bash scripts/run.sh --local    a local control plane even when KUBECONFIG is set
#   bash scripts/run.sh stop       stops the controllers and the local control plane
#
# The workload simulator (it plays the pods and proxy runners a kubelet would run) is started on the
# local control plane only, never against the cluster in KUBECONFIG. The tables wait at most
# MCP_RUN_WAIT_S seconds (60) for the examples to settle, then show them as they are and exit 1.
# MCP_RUN_DIR (.run/) holds the pid files and logs of the controllers and the simulator.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage='usage: bash scripts/run.sh [--apply | --local] | stop'
target=auto
apply=0
for arg in "$@"; do
  case "$arg" in
    # Stopping needs nothing installed or built: only node and the pid files in .run/.
    stop) exec node "$here/lib/stop.mjs" ;;
    --apply) apply=1 ;;
    --local) target=local ;;
    -h | --help) echo "$usage"; exit 0 ;;
    *) printf "run.sh: unknown argument '%s'\n%s\n" "$arg" "$usage" >&2; exit 2 ;;
  esac
done
source "$here/lib/bootstrap.sh"

if [ "$target" = auto ] && [ -n "${KUBECONFIG:-}" ]; then
  if cluster=$(node scripts/lib/cluster-reachable.mjs); then
    target=cluster
    log "KUBECONFIG=$KUBECONFIG points at a reachable cluster: $cluster"
    if [ "$apply" = 0 ] && [ -t 0 ]; then
      read -r -p "Install the CRDs it lacks (existing ones are left as they are), apply examples/ and start the controllers against it? [y/N] " answer
      case "$answer" in [yY]*) apply=1 ;; esac
    fi
    if [ "$apply" = 0 ]; then
      log "nothing was written to $cluster"
      echo "To run the system there: bash scripts/run.sh --apply" >&2
      echo "To use a local control plane instead: bash scripts/run.sh --local" >&2
      exit 0
    fi
  else
    log "KUBECONFIG=$KUBECONFIG is not reachable; starting a local control plane instead"
  fi
fi

log "building"
pnpm turbo run build --output-logs=errors-only >&2
if [ "$target" != cluster ]; then
  target=local
  ensure_control_plane_binaries
  log "starting the local control plane"
  # Assign first: `eval "$(...)"` would hide a failed start and carry on without a KUBECONFIG.
  started=$(pnpm --silent control-plane up)
  eval "$started"
  export KUBECONFIG
  # No kubelet here: testkit's workload simulator plays the pods of each Deployment and ToolHive's
  # proxy runner, so the example MCPServers reach Ready. It refuses to run against a real cluster.
  node packages/testkit/dist/simulate-cli.js start --kubeconfig "$KUBECONFIG" --run-dir "${MCP_RUN_DIR:-.run}" >&2
fi
MCP_RUN_TARGET=$target node scripts/lib/demo.mjs
