/**
 * A real etcd + kube-apiserver on loopback, envtest style: no kubelet, scheduler or
 * controller-manager. One per test file; each takes 4-5 s to start and about 400 MB of memory.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureBinaries, type ControlPlaneBinaries } from './binaries.js';
import { createPki, type ControlPlanePki } from './certs.js';
import { freeLoopbackPort } from './ports.js';
import { startProcess, type ManagedProcess } from './processes.js';

export interface ControlPlaneOptions {
  binaries?: ControlPlaneBinaries;
  /** Working folder (certificates, kubeconfig, logs, etcd data); a fresh temporary one by default. */
  dir?: string;
  /** Extra kube-apiserver flags, e.g. `--watch-cache=false`. */
  apiServerFlags?: string[];
  /** How long each component may take to become ready. */
  startTimeoutMs?: number;
  /** Keep the working folder after `stop()` (also with MCP_TESTKIT_KEEP=1), for post-mortems. */
  keepDir?: boolean;
}

export interface ControlPlane {
  readonly dir: string;
  /** `https://127.0.0.1:<port>` */
  readonly server: string;
  readonly etcdUrl: string;
  /** Admin kubeconfig (client certificate in `system:masters`). */
  readonly kubeconfigPath: string;
  readonly kubeConfig: KubeConfig;
  readonly pki: ControlPlanePki;
  /** PIDs of the processes currently running for this control plane. */
  pids(): number[];
  /** Every PID this control plane ever started (restarts included). */
  allPids(): number[];
  /** Stops the apiserver alone; etcd and its data stay. */
  stopApiServer(): Promise<void>;
  /** Starts the apiserver again on the same port, against the same etcd. */
  startApiServer(): Promise<void>;
  /** Compacts etcd's history up to its current revision, so older resource versions answer 410 Gone. */
  compactEtcd(): Promise<string>;
  /** Stops everything and deletes the working folder. Idempotent. */
  stop(): Promise<void>;
}

class StartupError extends Error {}

async function tail(file: string, lines = 40): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitUntil(
  what: string,
  proc: ManagedProcess,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!proc.isRunning()) {
      throw new StartupError(
        `${proc.name} exited before ${what}; last log lines of ${proc.logFile}:\n${await tail(proc.logFile)}`,
      );
    }
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new StartupError(
    `${what} not reached within ${timeoutMs} ms; last log lines of ${proc.logFile}:\n${await tail(proc.logFile)}`,
  );
}

function kubeconfigYaml(server: string, pki: ControlPlanePki): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: mcp-controllers-local
  cluster:
    server: ${server}
    certificate-authority: ${pki.caCert}
users:
- name: admin
  user:
    client-certificate: ${pki.adminCert}
    client-key: ${pki.adminKey}
contexts:
- name: mcp-controllers-local
  context: {cluster: mcp-controllers-local, user: admin}
current-context: mcp-controllers-local
`;
}

function withoutEtcdEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  // etcd 3.4 reads ETCD_* variables as flags and refuses to start when one conflicts with a flag.
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('ETCD_')));
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const binaries = options.binaries ?? (await ensureBinaries());
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'mcp-control-plane-')));
  const keepDir = options.keepDir ?? process.env.MCP_TESTKIT_KEEP === '1';
  const pki = await createPki(join(dir, 'pki'));
  const ca = await readFile(pki.caCert);
  const clientCert = await readFile(pki.adminCert);
  const clientKey = await readFile(pki.adminKey);
  const started: number[] = [];

  /** GET over TLS as the admin; true for a 2xx answer. */
  const httpsOk = (url: string, bodyCheck?: (body: string) => boolean) =>
    new Promise<boolean>((resolve) => {
      const req = httpsRequest(url, { ca, cert: clientCert, key: clientKey, timeout: 2_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          const ok = (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300;
          resolve(ok && (bodyCheck ? bodyCheck(body) : true));
        });
      });
      req.on('error', () => {
        resolve(false);
      });
      req.on('timeout', () => req.destroy());
      req.end();
    });

  async function startEtcd(): Promise<{ proc: ManagedProcess; url: string }> {
    for (let attempt = 1; ; attempt++) {
      const [clientPort, peerPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
      const url = `http://127.0.0.1:${clientPort}`;
      const peer = `http://127.0.0.1:${peerPort}`;
      const dataDir = join(dir, 'etcd-data');
      await rm(dataDir, { recursive: true, force: true });
      const proc = startProcess(
        'etcd',
        binaries.etcd,
        [
          '--name=local',
          `--data-dir=${dataDir}`,
          `--listen-client-urls=${url}`,
          `--advertise-client-urls=${url}`,
          `--listen-peer-urls=${peer}`,
          `--initial-advertise-peer-urls=${peer}`,
          `--initial-cluster=local=${peer}`,
          '--initial-cluster-state=new',
          '--logger=zap',
          '--log-level=warn',
          '--log-outputs=stderr',
        ],
        join(dir, 'etcd.log'),
        withoutEtcdEnv(process.env),
      );
      started.push(proc.pid);
      try {
        await waitUntil('etcd health', proc, () => httpGetOk(`${url}/health`), timeoutMs);
        return { proc, url };
      } catch (err) {
        await proc.stop();
        if (attempt < 3 && /address already in use/.test(await tail(proc.logFile))) continue;
        throw err;
      }
    }
  }

  const etcd = await startEtcd().catch(async (err: unknown) => {
    if (!keepDir) await rm(dir, { recursive: true, force: true });
    throw err;
  });
  const apiPort = await freeLoopbackPort();
  const server = `https://127.0.0.1:${apiPort}`;
  const kubeconfigPath = join(dir, 'kubeconfig');
  await writeFile(kubeconfigPath, kubeconfigYaml(server, pki), { mode: 0o600 });

  let apiserver: ManagedProcess | undefined;
  async function startApiServer(): Promise<void> {
    if (apiserver?.isRunning()) return;
    const proc = startProcess(
      'kube-apiserver',
      binaries.kubeApiServer,
      [
        '--advertise-address=127.0.0.1',
        '--bind-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        `--etcd-servers=${etcd.url}`,
        `--cert-dir=${join(dir, 'pki')}`,
        `--tls-cert-file=${pki.servingCert}`,
        `--tls-private-key-file=${pki.servingKey}`,
        `--client-ca-file=${pki.caCert}`,
        `--token-auth-file=${pki.tokenAuthFile}`,
        `--service-account-issuer=${server}/`,
        `--service-account-key-file=${pki.serviceAccountPub}`,
        `--service-account-signing-key-file=${pki.serviceAccountKey}`,
        '--authorization-mode=RBAC',
        '--service-cluster-ip-range=10.0.0.0/24',
        '--allow-privileged=true',
        '--disable-admission-plugins=ServiceAccount',
        ...(options.apiServerFlags ?? []),
      ],
      join(dir, 'kube-apiserver.log'),
    );
    started.push(proc.pid);
    apiserver = proc;
    try {
      await waitUntil(
        'apiserver /readyz',
        proc,
        () => httpsOk(`${server}/readyz`, (b) => b.startsWith('ok')),
        timeoutMs,
      );
      // /readyz can answer before the bootstrap controller has created the `default` namespace.
      await waitUntil(
        'the default namespace',
        proc,
        () => httpsOk(`${server}/api/v1/namespaces/default`),
        timeoutMs,
      );
    } catch (err) {
      await proc.stop();
      throw err;
    }
  }

  async function stopAll(): Promise<void> {
    await apiserver?.stop();
    await etcd.proc.stop();
    if (!keepDir) await rm(dir, { recursive: true, force: true });
  }

  try {
    await startApiServer();
  } catch (err) {
    await stopAll();
    throw err;
  }

  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  let stopped: Promise<void> | undefined;

  return {
    dir,
    server,
    etcdUrl: etcd.url,
    kubeconfigPath,
    kubeConfig,
    pki,
    pids: () => [etcd.proc, apiserver].filter((p) => p?.isRunning()).map((p) => p!.pid),
    allPids: () => [...started],
    stopApiServer: async () => {
      await apiserver?.stop();
    },
    startApiServer,
    compactEtcd: async () => {
      const range = await etcdPost(etcd.url, '/v3/kv/range', {
        key: Buffer.from('compact-probe').toString('base64'),
      });
      const revision = (range as { header?: { revision?: string } }).header?.revision;
      if (!revision) throw new Error(`etcd returned no revision: ${JSON.stringify(range)}`);
      await etcdPost(etcd.url, '/v3/kv/compaction', { revision, physical: true });
      return revision;
    },
    stop: () => (stopped ??= stopAll()),
  };
}

async function httpGetOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  return res.ok && (await res.text()).includes('"health":"true"');
}

async function etcdPost(base: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`etcd ${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}
