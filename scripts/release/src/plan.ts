/**
 * The release plan: which units (controllers and charts) have a version that was never released,
 * i.e. whose `<package>@<version>` git tag does not exist yet. A controller whose version did not
 * change is not rebuilt, so an image tag always names one build.
 *
 * Usage: `plan [--root <dir>]`. Prints the plan as JSON; when GITHUB_OUTPUT is set it also writes
 * the step outputs `plan` (the whole plan), `controllers` and `charts` (matrix-ready lists),
 * `has-controllers`, `has-charts` and `has-units`. `releasePlan` is pure; `main` reads the workspace
 * and `git tag --list` (the checkout must include tags: `fetch-depth: 0`).
 *
 * Failure modes: a chart whose Chart.yaml version or appVersion differs from its package version
 * (the version step skipped sync-chart-versions) is refused, naming the chart and the fix; git
 * failing exits 1 with its message.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isMain, repoRoot } from './root.js';
import { unitsOf, type Unit } from './units.js';
import { readWorkspace, type WorkspacePackage } from './workspace.js';

export interface ControllerEntry {
  name: string;
  version: string;
  dir: string;
  image: string;
  /** The root Dockerfile's build args, e.g. `CONTROLLER=group-controller`. */
  controller: string;
  description: string;
  tag: string;
}

export interface ChartEntry {
  name: string;
  version: string;
  chartDir: string;
  chartArchive: string;
  tag: string;
}

export interface ReleasePlan {
  /** Every unit to release, controllers first, each once. */
  units: Unit[];
  controllers: ControllerEntry[];
  charts: ChartEntry[];
  /** Units already released at their current version (their tag exists). */
  unchanged: string[];
}

/** Pure: the units whose tag is not in `tags`. */
export function releasePlan(units: readonly Unit[], tags: ReadonlySet<string>): ReleasePlan {
  const release = units.filter((u) => !tags.has(u.tag));
  const ordered = [
    ...release.filter((u) => u.kind === 'controller'),
    ...release.filter((u) => u.kind === 'chart'),
  ];
  return {
    units: ordered,
    controllers: ordered.flatMap((u) =>
      u.kind === 'controller' && u.image !== undefined && u.buildArgs !== undefined
        ? [
            {
              name: u.name,
              version: u.version,
              dir: u.dir,
              image: u.image,
              controller: u.buildArgs.CONTROLLER,
              description: u.buildArgs.DESCRIPTION,
              tag: u.tag,
            },
          ]
        : [],
    ),
    charts: ordered.map((u) => ({
      name: u.name,
      version: u.version,
      chartDir: u.chartDir,
      chartArchive: u.chartArchive,
      tag: u.tag,
    })),
    unchanged: units.filter((u) => tags.has(u.tag)).map((u) => u.tag),
  };
}

/** Pure: charts whose Chart.yaml does not carry their package's version, as messages. */
export function versionMismatches(packages: readonly WorkspacePackage[]): string[] {
  const problems: string[] = [];
  for (const pkg of packages) {
    const chart = pkg.chart;
    if (!chart) continue;
    if (chart.version !== pkg.version) {
      problems.push(
        `${chart.dir}/Chart.yaml: version ${chart.version ?? '(none)'} but ${pkg.name} is ${pkg.version}`,
      );
    }
    if (chart.type === 'application' && chart.appVersion !== pkg.version) {
      problems.push(
        `${chart.dir}/Chart.yaml: appVersion ${chart.appVersion ?? '(none)'} but ${pkg.name} is ${pkg.version}`,
      );
    }
  }
  return problems;
}

/** Lines for $GITHUB_OUTPUT (single-line JSON values). */
export function githubOutputs(plan: ReleasePlan): string {
  const outputs: Record<string, string> = {
    plan: JSON.stringify(plan),
    controllers: JSON.stringify(plan.controllers),
    charts: JSON.stringify(plan.charts),
    'has-controllers': String(plan.controllers.length > 0),
    'has-charts': String(plan.charts.length > 0),
    'has-units': String(plan.units.length > 0),
  };
  return Object.entries(outputs)
    .map(([k, v]) => `${k}=${v}\n`)
    .join('');
}

function gitTags(root: string): Set<string> {
  const out = execFileSync('git', ['tag', '--list'], { cwd: root, encoding: 'utf8' });
  return new Set(out.split('\n').filter((t) => t !== ''));
}

function main(): number {
  const { values } = parseArgs({ options: { root: { type: 'string' } } });
  const root = values.root ?? repoRoot();
  try {
    const packages = readWorkspace(root);
    const problems = versionMismatches(packages);
    if (problems.length > 0) {
      process.stderr.write(
        `charts out of sync with their packages:\n  ${problems.join('\n  ')}\nrun: pnpm --filter @mcp-controllers/release sync-chart-versions, and commit\n`,
      );
      return 1;
    }
    const plan = releasePlan(unitsOf(packages), gitTags(root));
    process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    const output = process.env.GITHUB_OUTPUT;
    if (output) appendFileSync(output, githubOutputs(plan));
    process.stderr.write(
      plan.units.length === 0
        ? 'nothing to release: every unit has its tag\n'
        : `to release: ${plan.units.map((u) => u.tag).join(', ')}\n`,
    );
    return 0;
  } catch (err) {
    process.stderr.write(`plan: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

if (isMain(import.meta.url)) process.exitCode = main();
