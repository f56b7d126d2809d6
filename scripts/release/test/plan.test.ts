import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { githubOutputs, releasePlan, versionMismatches } from '../src/plan.js';
import { unitsOf } from '../src/units.js';
import { readWorkspace } from '../src/workspace.js';
import { writeFixture } from './fixture.js';

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

function units(patch: (root: string) => void = () => undefined) {
  root = writeFixture();
  patch(root);
  return unitsOf(readWorkspace(root));
}

describe('releasePlan', () => {
  it('releases every unit when no tag exists (the first release)', () => {
    const plan = releasePlan(units(), new Set());
    expect(plan.units.map((u) => u.tag)).toEqual([
      '@mcp-controllers/group-controller@0.1.0',
      '@mcp-controllers/telemetry-controller@0.1.0',
      '@mcp-controllers/chart-controller-lib@0.1.0',
      '@mcp-controllers/chart-crds@0.1.0',
      '@mcp-controllers/chart-umbrella@0.1.0',
    ]);
    expect(plan.controllers.map((c) => `${c.image}:${c.version}`)).toEqual([
      'ghcr.io/mcp-controllers/group-controller:0.1.0',
      'ghcr.io/mcp-controllers/telemetry-controller:0.1.0',
    ]);
    expect(plan.unchanged).toEqual([]);
  });

  it('releases only the units whose version has no tag: one controller bumped, plus the umbrella', () => {
    const all = units((r) => {
      for (const file of ['packages/group-controller/package.json', 'charts/mcp-controllers/package.json']) {
        const path = join(r, file);
        const json = JSON.parse(readFileSync(path, 'utf8')) as { version: string };
        writeFileSync(path, JSON.stringify({ ...json, version: '0.1.1' }));
      }
    });
    const tags = new Set([
      '@mcp-controllers/group-controller@0.1.0',
      '@mcp-controllers/telemetry-controller@0.1.0',
      '@mcp-controllers/chart-controller-lib@0.1.0',
      '@mcp-controllers/chart-crds@0.1.0',
      '@mcp-controllers/chart-umbrella@0.1.0',
      'unrelated@1.0.0',
    ]);
    const plan = releasePlan(all, tags);
    expect(plan.controllers).toEqual([
      {
        name: '@mcp-controllers/group-controller',
        version: '0.1.1',
        dir: 'packages/group-controller',
        image: 'ghcr.io/mcp-controllers/group-controller',
        controller: 'group-controller',
        description: 'mcp-group-controller: the group controller',
        tag: '@mcp-controllers/group-controller@0.1.1',
      },
    ]);
    expect(plan.charts.map((c) => `${c.chartDir} ${c.chartArchive}`)).toEqual([
      'packages/group-controller/chart group-controller-0.1.1.tgz',
      'charts/mcp-controllers mcp-controllers-0.1.1.tgz',
    ]);
    expect(plan.unchanged).toEqual([
      '@mcp-controllers/telemetry-controller@0.1.0',
      '@mcp-controllers/chart-controller-lib@0.1.0',
      '@mcp-controllers/chart-crds@0.1.0',
    ]);
  });

  it('releases nothing when every unit has its tag', () => {
    const all = units();
    const plan = releasePlan(all, new Set(all.map((u) => u.tag)));
    expect(plan.units).toEqual([]);
    expect(githubOutputs(plan)).toContain('has-units=false\n');
  });
});

describe('versionMismatches', () => {
  it('names a chart whose version or appVersion is not its package version', () => {
    root = writeFixture({
      'charts/crds/package.json': JSON.stringify({ name: '@mcp-controllers/chart-crds', version: '0.2.0' }),
    });
    expect(versionMismatches(readWorkspace(root))).toEqual([
      'charts/crds/Chart.yaml: version 0.1.0 but @mcp-controllers/chart-crds is 0.2.0',
      'charts/crds/Chart.yaml: appVersion 0.1.0 but @mcp-controllers/chart-crds is 0.2.0',
    ]);
  });

  it('finds nothing in a workspace in sync, and ignores a library chart without appVersion', () => {
    root = writeFixture();
    expect(versionMismatches(readWorkspace(root))).toEqual([]);
  });
});

describe('githubOutputs', () => {
  it('writes one line per output, JSON on a single line, booleans for the job conditions', () => {
    const plan = releasePlan(units(), new Set(['@mcp-controllers/telemetry-controller@0.1.0']));
    const lines = githubOutputs(plan).trimEnd().split('\n');
    const outputs = Object.fromEntries(
      lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(Object.keys(outputs)).toEqual([
      'plan',
      'controllers',
      'charts',
      'has-controllers',
      'has-charts',
      'has-units',
    ]);
    expect((JSON.parse(outputs.controllers!) as { name: string }[]).map((c) => c.name)).toEqual([
      '@mcp-controllers/group-controller',
    ]);
    expect(outputs['has-controllers']).toBe('true');
    expect(outputs['has-units']).toBe('true');
  });
});
