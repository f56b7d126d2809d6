import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chartSyncPlan, missingDependencyLinks, syncCharts } from '../src/sync-chart-versions.js';
import { readWorkspace } from '../src/workspace.js';
import { umbrellaChart, writeFixture } from './fixture.js';

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

function setVersion(r: string, file: string, version: string): void {
  const path = join(r, file);
  const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  writeFileSync(path, JSON.stringify({ ...json, version }, null, 2));
}

const read = (file: string): string => readFileSync(join(root!, file), 'utf8');

describe('syncCharts', () => {
  it('writes each chart version from its package.json, and the umbrella pins the new controller chart', () => {
    root = writeFixture();
    setVersion(root, 'packages/group-controller/package.json', '0.2.0');
    setVersion(root, 'charts/mcp-controllers/package.json', '0.1.1');
    setVersion(root, 'charts/controller-lib/package.json', '0.1.5');

    const changed = syncCharts(root, false);

    expect(changed.sort()).toEqual(
      [
        'charts/mcp-controllers/Chart.yaml',
        'packages/group-controller/chart/Chart.yaml',
        'packages/telemetry-controller/chart/Chart.yaml',
        'charts/controller-lib/Chart.yaml',
      ].sort(),
    );
    expect(read('packages/group-controller/chart/Chart.yaml')).toContain(
      'version: 0.2.0\nappVersion: "0.2.0"\n',
    );
    // Every controller chart pins the library chart it embeds.
    expect(read('packages/telemetry-controller/chart/Chart.yaml')).toContain(
      '  - name: controller-lib\n    version: 0.1.5\n',
    );
    expect(read('packages/telemetry-controller/chart/Chart.yaml')).toContain(
      'version: 0.1.0\nappVersion: "0.1.0"\n',
    );
    expect(read('charts/controller-lib/Chart.yaml')).toBe(
      'apiVersion: v2\nname: controller-lib\ntype: library\nversion: 0.1.5\n',
    );
    expect(read('charts/mcp-controllers/Chart.yaml')).toBe(
      umbrellaChart
        .replace('version: 0.1.0\nappVersion: "0.1.0"', 'version: 0.1.1\nappVersion: "0.1.1"')
        .replace('version: 0.1.0 # pinned by the release', 'version: 0.2.0 # pinned by the release'),
    );
    // A second run finds nothing to do.
    expect(syncCharts(root, false)).toEqual([]);
  });

  it('with check, reports the charts out of sync and writes nothing', () => {
    root = writeFixture();
    setVersion(root, 'charts/crds/package.json', '1.0.0');
    const before = read('charts/crds/Chart.yaml');
    expect(syncCharts(root, true)).toEqual(['charts/crds/Chart.yaml', 'charts/mcp-controllers/Chart.yaml']);
    expect(read('charts/crds/Chart.yaml')).toBe(before);
  });

  it('refuses a file:// dependency on a chart that no workspace package owns', () => {
    root = writeFixture({
      'charts/mcp-controllers/Chart.yaml': `${umbrellaChart}  - name: stray\n    version: 0.1.0\n    repository: file://../stray\n`,
    });
    expect(() => chartSyncPlan(readWorkspace(root!))).toThrow(
      "charts/mcp-controllers/Chart.yaml: dependency 'stray' points at charts/stray, which is no workspace chart",
    );
  });
});

describe('missingDependencyLinks', () => {
  it('finds none when every embedded workspace chart is a package dependency', () => {
    root = writeFixture();
    expect(missingDependencyLinks(readWorkspace(root))).toEqual([]);
  });

  it('names an umbrella that embeds a controller chart its package.json does not depend on', () => {
    root = writeFixture({
      'charts/mcp-controllers/package.json': JSON.stringify({
        name: '@mcp-controllers/chart-umbrella',
        version: '0.1.0',
        dependencies: {
          '@mcp-controllers/chart-crds': 'workspace:*',
          '@mcp-controllers/group-controller': 'workspace:*',
        },
      }),
    });
    expect(missingDependencyLinks(readWorkspace(root))).toEqual([
      `charts/mcp-controllers/package.json: its chart embeds 'telemetry-controller' (packages/telemetry-controller/chart) but it does not depend on @mcp-controllers/telemetry-controller; add "@mcp-controllers/telemetry-controller": "workspace:*" to its dependencies`,
    ]);
  });
});
