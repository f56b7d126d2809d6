/**
 * The workspace as the release tooling sees it: every package of pnpm-workspace.yaml, with its
 * version and, when it ships one, its Helm chart (`<dir>/chart/Chart.yaml` for a controller,
 * `<dir>/Chart.yaml` for a chart-only package such as charts/crds).
 *
 * `readWorkspace` is the file-system edge; the rest is pure. Failure modes: a package.json without
 * a name or version, an unreadable Chart.yaml, or a workspace pattern other than `dir`, `dir/*`
 * throws naming the file.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse } from 'yaml';
import { chartFields, type ChartFields } from './chart-yaml.js';

export interface WorkspaceChart extends ChartFields {
  /** Directory of the chart, relative to the root (posix). */
  dir: string;
  /** Directories (relative to the root) of its `file://` dependencies, by dependency name. */
  localDependencies: ReadonlyMap<string, string>;
}

export interface WorkspacePackage {
  /** Directory relative to the root (posix), e.g. `packages/group-controller`. */
  dir: string;
  name: string;
  version: string;
  chart: WorkspaceChart | undefined;
  /** package.json `description` (a controller's image carries it as a label). */
  description: string | undefined;
  /** Names of package.json `bin` (a controller has one: the bundle its image runs). */
  bins: string[];
  /** Names in package.json `dependencies` (what changesets follows to bump dependents). */
  dependencies: string[];
}

/** Expands pnpm-workspace.yaml's `packages` patterns (`dir` or `dir/*`) against a directory listing. */
export function expandPatterns(patterns: readonly string[], listDir: (dir: string) => string[]): string[] {
  const dirs: string[] = [];
  for (const raw of patterns) {
    const pattern = posix.normalize(raw.replace(/\/$/, ''));
    if (pattern.startsWith('!')) continue;
    if (pattern.endsWith('/*') && !pattern.slice(0, -2).includes('*')) {
      const parent = pattern.slice(0, -2);
      for (const child of listDir(parent).sort()) dirs.push(posix.join(parent, child));
    } else if (!pattern.includes('*')) {
      dirs.push(pattern);
    } else {
      throw new Error(
        `pnpm-workspace.yaml: pattern '${raw}' is not supported by the release scripts (use 'dir' or 'dir/*')`,
      );
    }
  }
  return [...new Set(dirs)];
}

function readChart(root: string, chartDir: string): WorkspaceChart {
  const file = join(root, chartDir, 'Chart.yaml');
  const fields = chartFields(readFileSync(file, 'utf8'), file);
  const localDependencies = new Map<string, string>();
  for (const dep of fields.dependencies) {
    if (dep.repository?.startsWith('file://')) {
      localDependencies.set(
        dep.name,
        posix.normalize(posix.join(chartDir, dep.repository.slice('file://'.length))),
      );
    }
  }
  return { ...fields, dir: chartDir, localDependencies };
}

/** Every workspace package under `root`, with its chart when it has one. */
export function readWorkspace(root: string): WorkspacePackage[] {
  const manifest = parse(readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8')) as { packages?: string[] };
  const listDir = (dir: string): string[] =>
    existsSync(join(root, dir))
      ? readdirSync(join(root, dir)).filter((d) => statSync(join(root, dir, d)).isDirectory())
      : [];
  const packages: WorkspacePackage[] = [];
  for (const dir of expandPatterns(manifest.packages ?? [], listDir)) {
    const file = join(root, dir, 'package.json');
    if (!existsSync(file)) continue;
    const json = JSON.parse(readFileSync(file, 'utf8')) as {
      name?: string;
      version?: string;
      description?: string;
      bin?: Record<string, string>;
      dependencies?: Record<string, string>;
    };
    if (!json.name || !json.version) throw new Error(`${file}: needs a name and a version to be released`);
    const chartDir = existsSync(join(root, dir, 'chart', 'Chart.yaml'))
      ? posix.join(dir, 'chart')
      : existsSync(join(root, dir, 'Chart.yaml'))
        ? dir
        : undefined;
    packages.push({
      dir,
      name: json.name,
      version: json.version,
      chart: chartDir === undefined ? undefined : readChart(root, chartDir),
      description: json.description,
      bins: Object.keys(json.bin ?? {}),
      dependencies: Object.keys(json.dependencies ?? {}),
    });
  }
  return packages;
}
