/**
 * Releasable units: what the release workflow builds, tags and pushes, each at its own version.
 *
 * - a controller is a package with a chart in `chart/` and one `bin`, the bundle its image runs: an
 *   image `<registry>/<directory name>`, built by the root Dockerfile with the build args
 *   CONTROLLER (the directory name) and DESCRIPTION (the package's), and a chart, both at the
 *   package's version;
 * - a chart is a package whose directory is itself a chart (the CRDs, the umbrella, the library
 *   chart): a chart only.
 * A unit is released once per version; its git tag is `<package name>@<version>`, which is what
 * `changeset tag` creates. Pure. Failure modes: a package with `chart/` but not exactly one `bin`
 * named `mcp-<directory name>` throws (its chart would point at an image nothing builds: the image
 * is titled and built after that name); a cycle of `file://` chart dependencies throws.
 */
import { posix } from 'node:path';
import { chartFields } from './chart-yaml.js';
import type { WorkspacePackage } from './workspace.js';

export const defaultImageRegistry = 'ghcr.io/mcp-controllers';

export interface Unit {
  /** Package name, e.g. `@mcp-controllers/group-controller`. */
  name: string;
  version: string;
  kind: 'controller' | 'chart';
  /** Package directory, relative to the root. */
  dir: string;
  chartDir: string;
  chartName: string;
  chartType: 'application' | 'library';
  /** `<name>@<version>`, the git tag of this release. */
  tag: string;
  /** File name `helm package` writes: `<chart name>-<version>.tgz`. */
  chartArchive: string;
  /** Controllers only: image repository (no tag). */
  image: string | undefined;
  /** Controllers only: the root Dockerfile's build args for this image. */
  buildArgs: { CONTROLLER: string; DESCRIPTION: string } | undefined;
}

export function unitsOf(packages: readonly WorkspacePackage[], registry = defaultImageRegistry): Unit[] {
  const units: Unit[] = [];
  for (const pkg of packages) {
    const chart = pkg.chart;
    if (!chart) continue;
    const controller = chart.dir !== pkg.dir;
    const controllerName = posix.basename(pkg.dir);
    if (controller && (pkg.bins.length !== 1 || pkg.bins[0] !== `mcp-${controllerName}`)) {
      throw new Error(
        `${pkg.dir} has a chart in chart/ but its package.json bin is ${JSON.stringify(pkg.bins)}, not ` +
          `["mcp-${controllerName}"]: the Dockerfile builds and names the image after that binary, and ` +
          'the chart would name an image nothing builds',
      );
    }
    units.push({
      name: pkg.name,
      version: pkg.version,
      kind: controller ? 'controller' : 'chart',
      dir: pkg.dir,
      chartDir: chart.dir,
      chartName: chart.name,
      chartType: chart.type,
      tag: `${pkg.name}@${pkg.version}`,
      chartArchive: `${chart.name}-${pkg.version}.tgz`,
      image: controller ? `${registry}/${controllerName}` : undefined,
      buildArgs: controller
        ? { CONTROLLER: controllerName, DESCRIPTION: pkg.description ?? `mcp-${controllerName}` }
        : undefined,
    });
  }
  return units;
}

/**
 * Chart directories in the order their dependencies must be built: every `file://` dependency of a
 * chart comes before it. Starts from `wanted` and includes their local dependencies transitively.
 */
export function chartBuildOrder(
  charts: ReadonlyMap<string, readonly string[]>,
  wanted: readonly string[],
): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (dir: string, path: string[]): void => {
    const seen = state.get(dir);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new Error(`chart dependency cycle: ${[...path, dir].join(' -> ')}`);
    state.set(dir, 'visiting');
    for (const dep of charts.get(dir) ?? []) visit(dep, [...path, dir]);
    state.set(dir, 'done');
    order.push(dir);
  };
  for (const dir of wanted) visit(dir, []);
  return order;
}

/** Chart dir -> directories of its `file://` dependencies, for `chartBuildOrder`. */
export function chartGraph(packages: readonly WorkspacePackage[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const pkg of packages)
    if (pkg.chart) graph.set(pkg.chart.dir, [...pkg.chart.localDependencies.values()]);
  return graph;
}

/** Pure: what an archive's Chart.yaml must say for `unit`; messages for every difference. */
export function archiveProblems(unit: Unit, chartYaml: string): string[] {
  const fields = chartFields(chartYaml, unit.chartArchive);
  const problems: string[] = [];
  if (fields.name !== unit.chartName) problems.push(`name is ${fields.name}, expected ${unit.chartName}`);
  if (fields.version !== unit.version)
    problems.push(`version is ${fields.version ?? '(none)'}, expected ${unit.version}`);
  if (unit.chartType === 'application' && fields.appVersion !== unit.version) {
    problems.push(`appVersion is ${fields.appVersion ?? '(none)'}, expected ${unit.version}`);
  }
  return problems;
}
