# syntax=docker/dockerfile:1.7
# The image of every controller: Node 22 (distroless, non-root) and one file, the controller's
# tree-shaken bundle dist/main.mjs with its source map. Which controller: the build arg CONTROLLER,
# its directory under packages/ (group-controller, telemetry-controller, entry-controller,
# server-controller, vmcp-controller). Build from the repository root:
#   docker buildx build --build-arg CONTROLLER=group-controller -t mcp-group-controller:dev .
# A reproducible build (same lockfile and sources -> same image digest) also passes
#   --build-arg SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) --output type=image,rewrite-timestamp=true
# and the label values VERSION, REVISION, CREATED and DESCRIPTION (see the README, "Building an
# image"; the release passes the package's description).
#
# Both bases are pinned by digest. The digests were taken from public Dockerfiles that pin the same
# tags (the build base: node:22-bookworm-slim of 2026-09-24; the runtime base:
# gcr.io/distroless/nodejs22-debian12:nonroot as pinned by several projects); no registry was
# reachable when they were written. To update them:
#   docker buildx imagetools inspect node:22-bookworm-slim --format '{{json .Manifest.Digest}}'
#   docker buildx imagetools inspect gcr.io/distroless/nodejs22-debian12:nonroot --format '{{json .Manifest.Digest}}'
ARG BUILD_IMAGE=node:22-bookworm-slim@sha256:43ac6c60b8f89723f746e8a92ce91abd5017e627ce1ddfe4238355d3a30b772c
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs22-debian12:nonroot@sha256:13593b7570658e8477de39e2f4a1dd25db2f836d68a0ba771251572d23bb4f8e

FROM ${BUILD_IMAGE} AS build
ARG CONTROLLER
# Fail at once, naming the fix, rather than at a COPY of packages//dist.
RUN case "${CONTROLLER}" in \
      *-controller) ;; \
      *) echo "set --build-arg CONTROLLER=<directory under packages/>, e.g. CONTROLLER=group-controller" >&2; exit 1 ;; \
    esac
# The pnpm version package.json pins in packageManager (a test checks they agree).
RUN npm install --global pnpm@10.34.8
ENV CI=true
WORKDIR /src
# Dependency layer: only the lockfile decides what is fetched, so a source change reuses it. The
# store lives in a BuildKit cache mount shared by every controller's build; if that cache was pruned
# while this layer stayed cached, the offline install below fails naming a missing package: rebuild
# with --no-cache.
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
RUN --mount=type=cache,id=mcp-controllers-pnpm-store,target=/pnpm/store \
    pnpm fetch --store-dir /pnpm/store
COPY . .
RUN --mount=type=cache,id=mcp-controllers-pnpm-store,target=/pnpm/store \
    pnpm install --offline --frozen-lockfile --store-dir /pnpm/store \
 && pnpm turbo run build --filter=@mcp-controllers/${CONTROLLER}

FROM ${RUNTIME_IMAGE}
ARG CONTROLLER
ARG DESCRIPTION="mcp-${CONTROLLER}: a Kubernetes controller for ToolHive's MCP resources"
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
ARG CREATED=1970-01-01T00:00:00Z
ARG SOURCE=https://github.com/mcp-controllers/mcp-controllers
# SPDX; the repository declares no license yet, so nothing is asserted.
ARG LICENSES=NOASSERTION
LABEL org.opencontainers.image.title="mcp-${CONTROLLER}" \
      org.opencontainers.image.description="${DESCRIPTION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="${LICENSES}"
ENV NODE_ENV=production
# Everything the controller runs: one file (every dependency inside) and its source map, owned by
# root and read-only for the process, so the root filesystem can be mounted read-only.
COPY --from=build /src/packages/${CONTROLLER}/dist/main.mjs /src/packages/${CONTROLLER}/dist/main.mjs.map /app/
# distroless's nonroot user, which the chart's securityContext expects.
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["/nodejs/bin/node", "--enable-source-maps", "/app/main.mjs"]
