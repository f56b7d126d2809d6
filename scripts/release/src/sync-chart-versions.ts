/**
 * `pnpm version-packages` runs this after `changeset version`: every chart takes its version from
 * the package.json that owns it, so one version number names a controller's package, image and
 * chart.
 *
 * - `version` = the package's version; `appVersion` = the same for application charts (library
 *   charts keep theirs: they run no app);
 * - each `file://` dependency's `version` = the version of the workspace chart it points at, so the
 *   umbrella pins exactly the controller charts it was released with.
 *
 * Only those fields change (comments and order are kept, see chart-yaml.ts); a file already in sync
 * is not rewritten. Usage: `sync-chart-versions [--root <dir>] [--check]`; `--check` writes nothing
 * and exits 1 listing the charts out of sync. Failure modes: a Chart.yaml that does not parse, a
 * `file://` dependency on a directory no workspace chart owns, or a chart embedding a workspace
 * chart whose package its package.json does not depend on (changesets would not release it along),
 * exits 1 naming the file and the fix.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { syncChartYaml, type WantedVersions } from './chart-yaml.js';
import { isMain, repoRoot } from './root.js';
import { readWorkspace, type WorkspacePackage } from './workspace.js';

export interface ChartSync {
  /** Chart.yaml path relative to the root. */
  file: string;
  wanted: WantedVersions;
}

/** What each chart's Chart.yaml should say, from the packages' versions. Pure. */
export function chartSyncPlan(packages: readonly WorkspacePackage[]): ChartSync[] {
  const versionByChart = new Map<string, string>();
  const versionByDir = new Map<string, string>();
  for (const pkg of packages) {
    if (!pkg.chart) continue;
    versionByChart.set(pkg.chart.name, pkg.version);
    versionByDir.set(pkg.chart.dir, pkg.version);
  }
  return packages.flatMap((pkg): ChartSync[] => {
    const chart = pkg.chart;
    if (!chart) return [];
    const localDependencies = new Map<string, string>();
    for (const [name, dir] of chart.localDependencies) {
      const version = versionByDir.get(dir) ?? versionByChart.get(name);
      if (version === undefined) {
        throw new Error(
          `${chart.dir}/Chart.yaml: dependency '${name}' points at ${dir}, which is no workspace chart; give that chart a package.json listed in pnpm-workspace.yaml`,
        );
      }
      localDependencies.set(name, version);
    }
    return [
      {
        file: `${chart.dir}/Chart.yaml`,
        wanted: {
          version: pkg.version,
          appVersion: chart.type === 'library' ? undefined : pkg.version,
          localDependencies,
        },
      },
    ];
  });
}

/**
 * Pure: charts that embed another workspace chart (`file://`) while their package.json does not
 * depend on that chart's package. changesets follows package.json only, so such a chart would not
 * be released when the chart it embeds is; one message per missing link, naming the fix.
 */
export function missingDependencyLinks(packages: readonly WorkspacePackage[]): string[] {
  const packageByChartDir = new Map<string, string>();
  for (const pkg of packages) if (pkg.chart) packageByChartDir.set(pkg.chart.dir, pkg.name);
  const problems: string[] = [];
  for (const pkg of packages) {
    for (const [name, dir] of pkg.chart?.localDependencies ?? []) {
      const owner = packageByChartDir.get(dir);
      if (owner !== undefined && !pkg.dependencies.includes(owner)) {
        problems.push(
          `${pkg.dir}/package.json: its chart embeds '${name}' (${dir}) but it does not depend on ${owner}; add "${owner}": "workspace:*" to its dependencies`,
        );
      }
    }
  }
  return problems;
}

/** Applies the plan under `root`; returns the files that changed (or would, with `check`). */
export function syncCharts(root: string, check: boolean): string[] {
  const changed: string[] = [];
  for (const { file, wanted } of chartSyncPlan(readWorkspace(root))) {
    const path = join(root, file);
    const text = readFileSync(path, 'utf8');
    const next = syncChartYaml(text, wanted, file);
    if (next === text) continue;
    changed.push(file);
    if (!check) writeFileSync(path, next);
  }
  return changed;
}

function main(): number {
  const { values } = parseArgs({ options: { root: { type: 'string' }, check: { type: 'boolean' } } });
  const root = values.root ?? repoRoot();
  const check = values.check ?? false;
  try {
    const links = missingDependencyLinks(readWorkspace(root));
    if (links.length > 0) {
      process.stderr.write(`chart dependencies changesets cannot see:\n  ${links.join('\n  ')}\n`);
      return 1;
    }
    const changed = syncCharts(root, check);
    if (check && changed.length > 0) {
      process.stderr.write(
        `charts out of sync with their package.json versions:\n  ${changed.join('\n  ')}\nrun: pnpm --filter @mcp-controllers/release sync-chart-versions\n`,
      );
      return 1;
    }
    process.stdout.write(
      changed.length === 0
        ? 'every chart already matches its package version\n'
        : `${check ? 'would update' : 'updated'}:\n  ${changed.join('\n  ')}\n`,
    );
    return 0;
  } catch (err) {
    process.stderr.write(`sync-chart-versions: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

if (isMain(import.meta.url)) process.exitCode = main();
