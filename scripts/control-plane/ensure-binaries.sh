#!/usr/bin/env bash
# ensure-binaries.sh: make sure a kube-apiserver and an etcd are available for the local control
# plane, and print the folder that holds them (the envtest `KUBEBUILDER_ASSETS` layout).
#
# Resolution order (the first that has both binaries wins):
#   1. $KUBEBUILDER_ASSETS                     (existing envtest binaries: nothing is built)
#   2. $TEST_ASSET_KUBE_APISERVER + $TEST_ASSET_ETCD
#   3. the cache: $MCP_CONTROL_PLANE_CACHE (default ~/.cache/mcp-controllers/control-plane/v1.20.2)
#   4. build into the cache: kube-apiserver v1.20.2 from Debian bookworm's `kubernetes` source
#      package with Debian's Go, and etcd from Debian's `etcd-server` (needs root or sudo, ~5 min).
#
# Progress goes to stderr; the one line on stdout is the folder (or, for 2., the apiserver's folder).
# Idempotent: a second run with a filled cache returns at once.
set -euo pipefail

VERSION=v1.20.2
CACHE=${MCP_CONTROL_PLANE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mcp-controllers/control-plane/$VERSION}
WORK=${MCP_CONTROL_PLANE_WORK:-${TMPDIR:-/tmp}/mcp-controllers-k8s-src}
KEEP_SOURCE=${MCP_CONTROL_PLANE_KEEP_SOURCE:-0}

say() { printf '[control-plane] %s\n' "$*" >&2; }
die() { printf '[control-plane] error: %s\n' "$*" >&2; exit 1; }
has_pair() { [ -x "$1/kube-apiserver" ] && [ -x "$1/etcd" ]; }

if [ -n "${KUBEBUILDER_ASSETS:-}" ]; then
  has_pair "$KUBEBUILDER_ASSETS" \
    || die "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS has no executable kube-apiserver and etcd; fix the path or unset it"
  say "using KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS"
  echo "$KUBEBUILDER_ASSETS"; exit 0
fi
if [ -n "${TEST_ASSET_KUBE_APISERVER:-}" ] || [ -n "${TEST_ASSET_ETCD:-}" ]; then
  [ -x "${TEST_ASSET_KUBE_APISERVER:-}" ] && [ -x "${TEST_ASSET_ETCD:-}" ] \
    || die "set both TEST_ASSET_KUBE_APISERVER and TEST_ASSET_ETCD to executables (got '${TEST_ASSET_KUBE_APISERVER:-}' and '${TEST_ASSET_ETCD:-}')"
  say "using TEST_ASSET_KUBE_APISERVER and TEST_ASSET_ETCD"
  dirname "$TEST_ASSET_KUBE_APISERVER"; exit 0
fi
if has_pair "$CACHE"; then
  say "cached binaries in $CACHE"
  echo "$CACHE"; exit 0
fi

# Building needs Debian's archive (bookworm: the only release whose `kubernetes` source package still
# carries the apiserver and its vendored dependencies).
. /etc/os-release 2>/dev/null || true
if [ "${ID:-}" != debian ]; then
  die "no kube-apiserver/etcd found and this is not Debian (${PRETTY_NAME:-unknown OS}), so they cannot be built here.
  Install envtest binaries (e.g. \`setup-envtest use -p path\`) and set KUBEBUILDER_ASSETS to their folder,
  or point KUBECONFIG at an existing cluster for the run command."
fi
SUDO=
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || die "building needs root (apt-get); run as root, install sudo, or set KUBEBUILDER_ASSETS"
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
started=$(date +%s)

# One build at a time: a second caller (another test run, run.sh beside CI) waits for the first and
# then finds the cache filled, instead of building in the same source tree and deleting it under it.
mkdir -p "$(dirname "$CACHE")"
exec 9>"$(dirname "$CACHE")/.build.lock"
if ! flock -n 9; then
  say "another build of the control-plane binaries is running; waiting for it"
  flock 9
fi
if has_pair "$CACHE"; then
  say "cached binaries in $CACHE (built by the run we waited for)"
  echo "$CACHE"; exit 0
fi

if ! grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list.d/ /etc/apt/sources.list; then
  say "adding a deb-src entry for bookworm"
  $SUDO tee /etc/apt/sources.list.d/mcp-controllers-bookworm-src.sources >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
say "apt-get update and install (golang-go, make, rsync, dpkg-dev, reflect2 1.0.2, etcd-server)"
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends golang-go make rsync dpkg-dev \
  golang-github-modern-go-reflect2-dev etcd-server >&2

mkdir -p "$WORK"
SRC=$(ls -d "$WORK"/kubernetes-*/ 2>/dev/null | head -1 || true)
if [ -z "$SRC" ]; then
  say "fetching Debian's kubernetes source package into $WORK"
  (cd "$WORK" && apt-get source -qq kubernetes >&2)
  SRC=$(ls -d "$WORK"/kubernetes-*/ | head -1)
fi

# The vendored reflect2 1.0.1 calls reflect.mapiterinit with its pre-Go-1.18 signature and crashes
# the apiserver the first time a custom resource is stored; Debian's 1.0.2 is the fixed release.
R="$SRC/vendor/github.com/modern-go/reflect2"
if ! [ -f "$R/go_above_118.go" ]; then
  say "replacing vendored reflect2 1.0.1 with Debian's 1.0.2"
  rm -f "$R"/*.go "$R"/*.s
  cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.go /usr/share/gocode/src/github.com/modern-go/reflect2/*.s "$R"/
fi

say "building kube-apiserver (make WHAT=cmd/kube-apiserver, offline; about 4-5 minutes on 2 cores)"
(
  cd "$SRC"
  # Kubernetes 1.20 builds in GOPATH mode from vendor/; the make rules also generate the OpenAPI
  # definitions that the source tarball lacks.
  export GOPROXY=off GOFLAGS= CGO_ENABLED=0 GOTOOLCHAIN=local GOCACHE="$WORK/go-build" HOME=${HOME:-/root}
  make WHAT=cmd/kube-apiserver >&2
)
mkdir -p "$CACHE"
install -m 0755 "$SRC/_output/bin/kube-apiserver" "$CACHE/kube-apiserver.tmp"
install -m 0755 "$(command -v etcd || echo /usr/bin/etcd)" "$CACHE/etcd.tmp"
mv "$CACHE/etcd.tmp" "$CACHE/etcd"
mv "$CACHE/kube-apiserver.tmp" "$CACHE/kube-apiserver"   # last: its presence marks a complete cache
if [ "$KEEP_SOURCE" != 1 ]; then rm -rf "$WORK"; fi
say "$("$CACHE/kube-apiserver" --version) and $("$CACHE/etcd" --version | head -1) cached in $CACHE ($(( $(date +%s) - started )) s)"
echo "$CACHE"
