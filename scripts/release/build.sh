#!/usr/bin/env bash
# The release's build steps that need no registry: the bundles of every package (turbo build), then
# every chart packaged with helm into dist/charts/ and checked against its package's version. The
# release workflow builds the images and pushes them and the charts; this is what CI runs of it.
# Extra arguments go to build.ts (e.g. --only @mcp-controllers/group-controller).
set -euo pipefail
cd "$(dirname "$0")/../.."
pnpm turbo run build --output-logs=errors-only >&2
pnpm --silent --filter @mcp-controllers/release build-release "$@"
