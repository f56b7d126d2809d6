/**
 * A small workspace shaped like the real one (controllers with chart/ and their binary, chart-only
 * packages under charts/, the umbrella depending on the others through file:// and workspace:*),
 * written to a temp directory so the release scripts can rewrite it freely.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const umbrellaChart = `apiVersion: v2
name: mcp-controllers
description: umbrella
type: application
version: 0.1.0
appVersion: "0.1.0"
dependencies:
  # The CRDs: off by default.
  - name: mcp-controllers-crds
    alias: crds
    version: 0.1.0
    repository: file://../crds
    condition: crds.enabled
  - name: group-controller
    alias: groupController
    version: 0.1.0 # pinned by the release
    repository: file://../../packages/group-controller/chart
  - name: telemetry-controller
    version: 0.1.0
    repository: file://../../packages/telemetry-controller/chart
  - name: cert-manager
    version: 1.2.3
    repository: https://charts.jetstack.io
`;

function controllerChart(name: string): string {
  return `apiVersion: v2
name: ${name}
type: application
version: 0.1.0
appVersion: "0.1.0"
dependencies:
  # The shared templates.
  - name: controller-lib
    version: 0.1.0
    repository: file://../../../charts/controller-lib
`;
}

function pkg(name: string, version: string, dependencies: Record<string, string> = {}): string {
  return `${JSON.stringify({ name, version, private: true, dependencies }, null, 2)}\n`;
}

/** A controller package: its binary is the bundle the root Dockerfile copies into its image. */
function controllerPkg(dir: string): string {
  const binary = `mcp-${dir}`;
  return `${JSON.stringify(
    {
      name: `@mcp-controllers/${dir}`,
      version: '0.1.0',
      private: true,
      description: `${binary}: the ${dir.replace(/-controller$/, '')} controller`,
      bin: { [binary]: './dist/main.mjs' },
      dependencies: {
        '@mcp-controllers/core': 'workspace:*',
        '@mcp-controllers/chart-controller-lib': 'workspace:*',
      },
    },
    null,
    2,
  )}\n`;
}

/** Writes the fixture into a new temp directory and returns its path. */
export function writeFixture(extra: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'release-fixture-'));
  const files: Record<string, string> = {
    'package.json': `${JSON.stringify({ name: 'fixture-root', private: true }, null, 2)}\n`,
    'pnpm-workspace.yaml': 'packages:\n  - packages/*\n  - charts/*\n  - scripts/release\n',
    'scripts/release/package.json': pkg('@mcp-controllers/release', '0.0.0'),
    'packages/core/package.json': pkg('@mcp-controllers/core', '0.1.0'),
    'packages/group-controller/package.json': controllerPkg('group-controller'),
    'packages/group-controller/chart/Chart.yaml': controllerChart('group-controller'),
    'packages/telemetry-controller/package.json': controllerPkg('telemetry-controller'),
    'packages/telemetry-controller/chart/Chart.yaml': controllerChart('telemetry-controller'),
    'charts/crds/package.json': pkg('@mcp-controllers/chart-crds', '0.1.0'),
    'charts/crds/Chart.yaml':
      'apiVersion: v2\nname: mcp-controllers-crds\nversion: 0.1.0\nappVersion: "0.1.0"\n',
    'charts/controller-lib/package.json': pkg('@mcp-controllers/chart-controller-lib', '0.1.0'),
    'charts/controller-lib/Chart.yaml':
      'apiVersion: v2\nname: controller-lib\ntype: library\nversion: 0.1.0\n',
    'charts/mcp-controllers/package.json': pkg('@mcp-controllers/chart-umbrella', '0.1.0', {
      '@mcp-controllers/chart-crds': 'workspace:*',
      '@mcp-controllers/group-controller': 'workspace:*',
      '@mcp-controllers/telemetry-controller': 'workspace:*',
    }),
    'charts/mcp-controllers/Chart.yaml': umbrellaChart,
    ...extra,
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return root;
}
