/**
 * The repository's real .changeset/config.json, driven through the real `changeset version` on a
 * temp copy of a workspace shaped like ours, then sync-chart-versions and the plan: a change to one
 * package releases exactly it and its dependents, each at its own version.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { releasePlan } from '../src/plan.js';
import { repoRoot } from '../src/root.js';
import { syncCharts } from '../src/sync-chart-versions.js';
import { unitsOf } from '../src/units.js';
import { readWorkspace } from '../src/workspace.js';
import { writeFixture } from './fixture.js';

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.email=ci@example.invalid', '-c', 'user.name=ci', ...args], {
    cwd,
    encoding: 'utf8',
  });

/** A fixture with our changesets config and one changeset, committed, then `changeset version`. */
function version(changeset: Record<string, 'patch' | 'minor' | 'major'>): string {
  // Set before anything can throw, so afterEach removes it.
  const r = (root = writeFixture());
  mkdirSync(join(r, '.changeset'));
  copyFileSync(join(repoRoot(), '.changeset/config.json'), join(r, '.changeset/config.json'));
  const front = Object.entries(changeset)
    .map(([name, bump]) => `'${name}': ${bump}`)
    .join('\n');
  writeFileSync(join(r, '.changeset/some-change.md'), `---\n${front}\n---\n\nA change.\n`);
  git(r, 'init', '-q');
  git(r, 'add', '-A');
  git(r, 'commit', '-q', '-m', 'fixture');
  execFileSync(process.execPath, [join(repoRoot(), 'node_modules/@changesets/cli/bin.js'), 'version'], {
    cwd: r,
    stdio: 'pipe',
  });
  syncCharts(r, false);
  return r;
}

function versions(r: string): Record<string, string> {
  return Object.fromEntries(readWorkspace(r).map((p) => [p.name, p.version]));
}

const firstRelease = new Set([
  '@mcp-controllers/group-controller@0.1.0',
  '@mcp-controllers/telemetry-controller@0.1.0',
  '@mcp-controllers/chart-controller-lib@0.1.0',
  '@mcp-controllers/chart-crds@0.1.0',
  '@mcp-controllers/chart-umbrella@0.1.0',
]);

describe('changesets with our config', () => {
  it('a controller change releases that controller and, as a patch, the umbrella; nothing else', () => {
    root = version({ '@mcp-controllers/group-controller': 'minor' });
    expect(versions(root)).toMatchObject({
      '@mcp-controllers/group-controller': '0.2.0',
      '@mcp-controllers/telemetry-controller': '0.1.0',
      '@mcp-controllers/chart-crds': '0.1.0',
      '@mcp-controllers/chart-controller-lib': '0.1.0',
      '@mcp-controllers/chart-umbrella': '0.1.1',
    });
    const umbrella = readFileSync(join(root, 'charts/mcp-controllers/Chart.yaml'), 'utf8');
    expect(umbrella).toContain('version: 0.1.1\nappVersion: "0.1.1"');
    expect(umbrella).toContain('version: 0.2.0 # pinned by the release');
    expect(readFileSync(join(root, 'packages/group-controller/CHANGELOG.md'), 'utf8')).toContain('## 0.2.0');
    const plan = releasePlan(unitsOf(readWorkspace(root)), firstRelease);
    expect(plan.units.map((u) => u.tag)).toEqual([
      '@mcp-controllers/group-controller@0.2.0',
      '@mcp-controllers/chart-umbrella@0.1.1',
    ]);
    expect(plan.controllers.map((c) => `${c.image}:${c.version}`)).toEqual([
      'ghcr.io/mcp-controllers/group-controller:0.2.0',
    ]);
  });

  it('a library chart change releases every controller that embeds it, and the umbrella', () => {
    root = version({ '@mcp-controllers/chart-controller-lib': 'minor' });
    expect(versions(root)).toMatchObject({
      '@mcp-controllers/chart-controller-lib': '0.2.0',
      '@mcp-controllers/group-controller': '0.1.1',
      '@mcp-controllers/telemetry-controller': '0.1.1',
      '@mcp-controllers/chart-crds': '0.1.0',
      '@mcp-controllers/chart-umbrella': '0.1.1',
    });
    expect(readFileSync(join(root, 'packages/telemetry-controller/chart/Chart.yaml'), 'utf8')).toContain(
      '- name: controller-lib\n    version: 0.2.0\n',
    );
  });

  it('a kernel change releases every controller (they bundle it); the kernel itself is no unit', () => {
    root = version({ '@mcp-controllers/core': 'patch' });
    expect(versions(root)).toMatchObject({
      '@mcp-controllers/core': '0.1.1',
      '@mcp-controllers/group-controller': '0.1.1',
      '@mcp-controllers/telemetry-controller': '0.1.1',
      '@mcp-controllers/chart-umbrella': '0.1.1',
      '@mcp-controllers/chart-crds': '0.1.0',
    });
    const plan = releasePlan(unitsOf(readWorkspace(root)), firstRelease);
    expect(plan.units.map((u) => u.name)).not.toContain('@mcp-controllers/core');
  });

  it('`changeset tag` creates exactly the tags the plan looks for, so a released unit is not planned again', () => {
    root = version({ '@mcp-controllers/telemetry-controller': 'patch' });
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'Version Packages');
    const units = unitsOf(readWorkspace(root));
    expect(releasePlan(units, new Set()).units).toHaveLength(5);
    execFileSync(process.execPath, [join(repoRoot(), 'node_modules/@changesets/cli/bin.js'), 'tag'], {
      cwd: root,
      stdio: 'pipe',
    });
    const tags = new Set(
      git(root, 'tag', '--list')
        .split('\n')
        .filter((t) => t !== ''),
    );
    expect(tags).toContain('@mcp-controllers/telemetry-controller@0.1.1');
    expect(releasePlan(units, tags).units).toEqual([]);
  });
});
