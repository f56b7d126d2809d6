/**
 * Chart test helpers: render with helm, and the REST resource of each kind a chart renders, so tests
 * can apply the output (for real, or with server-side dry-run) through a raw-JSON client.
 */
import { createHash, type Hash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse, parseAllDocuments } from 'yaml';
import { helm } from './helm.js';
import { pidAlive } from './processes.js';

export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface RenderOptions {
  release?: string;
  namespace?: string;
  set?: string[];
}

/**
 * `helm template` of a chart directory, parsed into objects (empty documents dropped). Builds the
 * chart's file:// dependencies first (see buildChartDependencies). Throws with helm's stderr when
 * the render fails (schema violations, `fail` messages).
 */
export async function renderChart(chart: string, options: RenderOptions = {}): Promise<RenderedObject[]> {
  if (localDependencies(chart).length > 0) await buildChartDependencies(chart);
  const args = ['template', options.release ?? 'test', chart, '--namespace', options.namespace ?? 'default'];
  for (const s of options.set ?? []) args.push('--set', s);
  return parseAllDocuments(await helm(args))
    .map((d) => d.toJS() as RenderedObject | null)
    .filter((d): d is RenderedObject => d !== null);
}

/**
 * The NOTES a `helm install` of the chart would print, from a client-side dry run (no cluster
 * needed). Throws when the chart fails to render.
 */
export async function renderNotes(chart: string, options: RenderOptions = {}): Promise<string> {
  if (localDependencies(chart).length > 0) await buildChartDependencies(chart);
  const args = ['install', options.release ?? 'test', chart, '--namespace', options.namespace ?? 'default'];
  args.push('--dry-run=client');
  for (const s of options.set ?? []) args.push('--set', s);
  const out = await helm(args);
  const at = out.indexOf('\nNOTES:\n');
  if (at < 0) throw new Error(`helm install --dry-run printed no NOTES for ${chart}`);
  return out.slice(at + '\nNOTES:\n'.length);
}

/**
 * `helm dependency update` for a chart with file:// dependencies, needed before it renders or
 * lints. Dependencies that have file:// dependencies of their own (a controller chart and the
 * library chart) are updated first, so the archive packed into the parent carries them. Test
 * files run in parallel, so each update holds a lock, and is skipped when the dependencies' sources
 * are unchanged since the last one (a stamp of their files); nobody renders while the archives are
 * being rewritten.
 */
export async function buildChartDependencies(chart: string): Promise<void> {
  const deps = localDependencies(chart);
  for (const dep of deps) if (localDependencies(dep).length > 0) await buildChartDependencies(dep);
  const stampFile = join(chart, 'charts', '.sources-stamp');
  const hash = createHash('sha256').update(readFileSync(join(chart, 'Chart.yaml')));
  for (const dep of deps) hashSources(dep, hash);
  const stamp = hash.digest('hex');
  await withLock(join(chart, '.dependency-update.lock'), async () => {
    if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return;
    await helm(['dependency', 'update', chart, '--skip-refresh']);
    writeFileSync(stampFile, stamp);
  });
}

/** Directories of a chart's file:// dependencies. */
function localDependencies(chart: string): string[] {
  const meta = parse(readFileSync(join(chart, 'Chart.yaml'), 'utf8')) as {
    dependencies?: { repository?: string }[];
  };
  return (meta.dependencies ?? [])
    .map((d) => d.repository)
    .filter((r): r is string => r?.startsWith('file://') === true)
    .map((r) => resolve(chart, r.slice('file://'.length)));
}

/**
 * Feeds a chart's own files (not what `helm dependency update` writes into it) and, recursively,
 * its file:// dependencies' into the hash.
 */
function hashSources(dir: string, hash: Hash): void {
  const built = (f: string) =>
    f === 'Chart.lock' ||
    f.startsWith('charts/') ||
    f === 'charts' ||
    f.startsWith('.dependency-update.lock');
  for (const file of (readdirSync(dir, { recursive: true }) as string[]).sort()) {
    const path = join(dir, file);
    if (!built(file) && statSync(path).isFile()) hash.update(file).update(readFileSync(path));
  }
  for (const dep of localDependencies(dir)) hashSources(dep, hash);
}

async function withLock(lockDir: string, body: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileOr(join(lockDir, 'pid'), '0'));
      if (holder > 0 && !pidAlive(holder)) rmSync(lockDir, { recursive: true, force: true });
      if (Date.now() > deadline)
        throw new Error(`${lockDir} held for 120 s; remove it if no test run is active`);
      await sleep(100);
    }
  }
  try {
    await body();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function readFileOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

const builtin: Record<string, { plural: string; namespaced: boolean }> = {
  ServiceAccount: { plural: 'serviceaccounts', namespaced: true },
  Service: { plural: 'services', namespaced: true },
  ConfigMap: { plural: 'configmaps', namespaced: true },
  Secret: { plural: 'secrets', namespaced: true },
  Deployment: { plural: 'deployments', namespaced: true },
  Role: { plural: 'roles', namespaced: true },
  RoleBinding: { plural: 'rolebindings', namespaced: true },
  ClusterRole: { plural: 'clusterroles', namespaced: false },
  ClusterRoleBinding: { plural: 'clusterrolebindings', namespaced: false },
  CustomResourceDefinition: { plural: 'customresourcedefinitions', namespaced: false },
  PodDisruptionBudget: { plural: 'poddisruptionbudgets', namespaced: true },
  // prometheus-operator's; the apiserver knows it only once its CRD is installed (serviceMonitorCRD).
  ServiceMonitor: { plural: 'servicemonitors', namespaced: true },
};

/** The REST coordinates of a rendered object (the kinds charts in this repository render). */
export function resourceOf(obj: RenderedObject): {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
} {
  const known = builtin[obj.kind];
  if (!known)
    throw new Error(`resourceOf: no REST mapping for kind ${obj.kind}; add it to testkit/src/charts.ts`);
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  return { group: group ?? '', version: version ?? 'v1', kind: obj.kind, ...known };
}

/**
 * The given flags (`--name=value`) from the first container of the chart's rendered Deployment, so
 * RBAC tests run the controller with the Lease name and namespaces the chart would give it.
 * Throws when the chart rendered no Deployment or a flag is missing.
 */
export function chartArgs(docs: RenderedObject[], ...flags: string[]): string[] {
  const deployment = docs.find((d) => d.kind === 'Deployment') as
    { spec?: { template?: { spec?: { containers?: { args?: string[] }[] } } } } | undefined;
  const args = deployment?.spec?.template?.spec?.containers?.[0]?.args;
  if (!args) throw new Error('the chart rendered no Deployment with args');
  return flags.map((flag) => {
    const arg = args.find((a) => a.startsWith(`--${flag}=`));
    if (!arg) throw new Error(`the chart's Deployment has no --${flag}`);
    return arg;
  });
}
