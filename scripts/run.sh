#!/usr/bin/env bash
# Runs the system. With KUBECONFIG pointing at a reachable cluster it uses that cluster; otherwise it
# starts a local control plane (etcd + kube-apiserver on 127.0.0.1) that keeps running afterwards.
# Then it installs the CRDs, applies the examples, starts the controllers in the background and shows
# the examples' reconciled status. `bash scripts/run.sh stop` stops the controllers and the control plane.
source "$(dirname "$0")/lib/bootstrap.sh"
if [ "${1:-}" = stop ]; then
  node scripts/lib/controllers.mjs stop
  pnpm --silent control-plane down || true
  exit 0
fi
log "building"
pnpm turbo run build --output-logs=errors-only >&2
if [ -n "${KUBECONFIG:-}" ] && node scripts/lib/cluster-reachable.mjs; then
  log "using the cluster in KUBECONFIG=$KUBECONFIG"
else
  [ -n "${KUBECONFIG:-}" ] && log "KUBECONFIG=$KUBECONFIG is not reachable; starting a local control plane instead"
  ensure_control_plane_binaries
  log "starting the local control plane"
  # Assign first: `eval "$(...)"` would hide a failed start and carry on without a KUBECONFIG.
  started=$(pnpm --silent control-plane up)
  eval "$started"
  export KUBECONFIG
fi
node scripts/lib/demo.mjs
