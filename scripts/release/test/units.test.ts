import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { chartBuildOrder, chartGraph, unitsOf } from '../src/units.js';
import { expandPatterns, readWorkspace } from '../src/workspace.js';
import { writeFixture } from './fixture.js';

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

describe('unitsOf', () => {
  it('makes a controller of each package with chart/ and its binary, and a chart of each chart package', () => {
    root = writeFixture();
    const units = unitsOf(readWorkspace(root));
    expect(units.map((u) => [u.name, u.kind, u.chartDir, u.chartArchive, u.image ?? '-', u.tag])).toEqual([
      [
        '@mcp-controllers/group-controller',
        'controller',
        'packages/group-controller/chart',
        'group-controller-0.1.0.tgz',
        'ghcr.io/mcp-controllers/group-controller',
        '@mcp-controllers/group-controller@0.1.0',
      ],
      [
        '@mcp-controllers/telemetry-controller',
        'controller',
        'packages/telemetry-controller/chart',
        'telemetry-controller-0.1.0.tgz',
        'ghcr.io/mcp-controllers/telemetry-controller',
        '@mcp-controllers/telemetry-controller@0.1.0',
      ],
      [
        '@mcp-controllers/chart-controller-lib',
        'chart',
        'charts/controller-lib',
        'controller-lib-0.1.0.tgz',
        '-',
        '@mcp-controllers/chart-controller-lib@0.1.0',
      ],
      [
        '@mcp-controllers/chart-crds',
        'chart',
        'charts/crds',
        'mcp-controllers-crds-0.1.0.tgz',
        '-',
        '@mcp-controllers/chart-crds@0.1.0',
      ],
      [
        '@mcp-controllers/chart-umbrella',
        'chart',
        'charts/mcp-controllers',
        'mcp-controllers-0.1.0.tgz',
        '-',
        '@mcp-controllers/chart-umbrella@0.1.0',
      ],
    ]);
    expect(units[0]!.buildArgs).toEqual({
      CONTROLLER: 'group-controller',
      DESCRIPTION: 'mcp-group-controller: the group controller',
    });
    expect(units.find((u) => u.chartName === 'controller-lib')?.chartType).toBe('library');
  });

  it('refuses a controller chart without its binary: its chart would name an image nothing builds', () => {
    for (const bin of [undefined, { 'mcp-other': './dist/main.mjs' }]) {
      root = writeFixture({
        'packages/group-controller/package.json': `${JSON.stringify({
          name: '@mcp-controllers/group-controller',
          version: '0.1.0',
          ...(bin ? { bin } : {}),
        })}\n`,
      });
      expect(() => unitsOf(readWorkspace(root!))).toThrow(
        `packages/group-controller has a chart in chart/ but its package.json bin is ${JSON.stringify(
          bin ? Object.keys(bin) : [],
        )}, not ["mcp-group-controller"]`,
      );
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('chartBuildOrder', () => {
  it('puts every file:// dependency before the chart that needs it, transitively', () => {
    root = writeFixture();
    const graph = chartGraph(readWorkspace(root));
    const order = chartBuildOrder(graph, ['charts/mcp-controllers']);
    expect(order.at(-1)).toBe('charts/mcp-controllers');
    expect(order).toHaveLength(5);
    for (const [chart, deps] of graph) {
      if (!order.includes(chart)) continue;
      for (const dep of deps) expect(order.indexOf(dep)).toBeLessThan(order.indexOf(chart));
    }
    expect(order.indexOf('charts/controller-lib')).toBeLessThan(
      order.indexOf('packages/group-controller/chart'),
    );
  });

  it('includes each chart once and only what is wanted', () => {
    const graph = new Map([
      ['a', ['lib']],
      ['b', ['lib']],
      ['lib', []],
      ['other', []],
    ]);
    expect(chartBuildOrder(graph, ['a', 'b'])).toEqual(['lib', 'a', 'b']);
  });

  it('names a dependency cycle', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['a']],
    ]);
    expect(() => chartBuildOrder(graph, ['a'])).toThrow('chart dependency cycle: a -> b -> a');
  });
});

describe('expandPatterns', () => {
  it('expands dir/* and keeps literal directories, once each', () => {
    const list = (dir: string): string[] => (dir === 'packages' ? ['b', 'a'] : []);
    expect(expandPatterns(['packages/*', 'scripts/release', 'scripts/release/'], list)).toEqual([
      'packages/a',
      'packages/b',
      'scripts/release',
    ]);
    expect(() => expandPatterns(['packages/**'], list)).toThrow("pattern 'packages/**' is not supported");
  });
});
