/**
 * Chart test helpers: render with helm, and the REST resource of each kind a chart renders, so tests
 * can apply the output (for real, or with server-side dry-run) through a raw-JSON client.
 */
import { createHash } from 'node:crypto';
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

/** `helm template` of a chart directory, parsed into objects (empty documents dropped). */
export async function renderChart(chart: string, options: RenderOptions = {}): Promise<RenderedObject[]> {
  const args = ['template', options.release ?? 'test', chart, '--namespace', options.namespace ?? 'default'];
  for (const s of options.set ?? []) args.push('--set', s);
  return parseAllDocuments(await helm(args))
    .map((d) => d.toJS() as RenderedObject | null)
    .filter((d): d is RenderedObject => d !== null);
}

/**
 * `helm dependency update` for a chart with file:// dependencies, needed before it renders. Test
 * files run in parallel, so this holds a lock, and skips the update when the dependencies are
 * unchanged since the last one (a stamp of their files); nobody renders while the archives are
 * being rewritten.
 */
export async function buildChartDependencies(chart: string): Promise<void> {
  const stampFile = join(chart, 'charts', '.sources-stamp');
  const stamp = dependencyStamp(chart);
  await withLock(join(chart, '.dependency-update.lock'), async () => {
    if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return;
    await helm(['dependency', 'update', chart, '--skip-refresh']);
    writeFileSync(stampFile, stamp);
  });
}

function dependencyStamp(chart: string): string {
  const hash = createHash('sha256');
  const chartYaml = readFileSync(join(chart, 'Chart.yaml'), 'utf8');
  hash.update(chartYaml);
  const meta = parse(chartYaml) as { dependencies?: { repository?: string }[] };
  for (const dep of meta.dependencies ?? []) {
    if (!dep.repository?.startsWith('file://')) continue;
    const dir = resolve(chart, dep.repository.slice('file://'.length));
    for (const file of (readdirSync(dir, { recursive: true }) as string[]).sort()) {
      const path = join(dir, file);
      if (statSync(path).isFile()) hash.update(file).update(readFileSync(path));
    }
  }
  return hash.digest('hex');
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
