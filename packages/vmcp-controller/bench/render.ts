// The pure half of `pnpm bench`: what building and rendering `config.yaml` costs for a group of
// 1,000 members, in this process, without a cluster. The members are shaped as the bench's cluster
// members (and the test harness's): MCPServers and MCPRemoteProxies with a status.url and phase
// Ready, MCPServerEntries in phase Valid. Throws when the synthetic VirtualMCPServer does not parse
// (a schema change the bench must follow), never otherwise.
import { group, parseVirtualMCPServer } from '@mcp-controllers/api';
import { buildVmcpConfig, renderConfigYaml, vmcpConfigMap } from '../src/config.js';
import { desiredObjects } from '../src/desired.js';
import type { Member } from '../src/members.js';
import type { VirtualServer } from '../src/types.js';
import { median } from './measure.js';

export interface GroupShape {
  servers: number;
  remoteProxies: number;
  entries: number;
}

export const memberNames = (shape: GroupShape) => ({
  servers: Array.from({ length: shape.servers }, (_, i) => `server-${i}`),
  remoteProxies: Array.from({ length: shape.remoteProxies }, (_, i) => `proxy-${i}`),
  entries: Array.from({ length: shape.entries }, (_, i) => `entry-${i}`),
});

const apiVersion = `${group}/v1beta1`;

/** The members of `shape` as the controller's cache holds them. */
export function syntheticMembers(namespace: string, shape: GroupShape): Member[] {
  const names = memberNames(shape);
  const member = (kind: Member['kind'], name: string, spec: object, status: object): Member => ({
    kind,
    object: { apiVersion, kind, metadata: { name, namespace }, spec, status },
  });
  return [
    ...names.servers.map((n) =>
      member(
        'MCPServer',
        n,
        { image: 'yardstick', transport: 'streamable-http', groupRef: { name: 'team' } },
        { phase: 'Ready', url: `http://mcp-${n}-proxy.${namespace}.svc.cluster.local:8080` },
      ),
    ),
    ...names.remoteProxies.map((n) =>
      member(
        'MCPRemoteProxy',
        n,
        {
          remoteUrl: 'https://mcp.example.com/mcp',
          transport: 'streamable-http',
          groupRef: { name: 'team' },
        },
        { phase: 'Ready', url: `http://mcp-${n}-remote-proxy.${namespace}.svc.cluster.local:8080` },
      ),
    ),
    ...names.entries.map((n) =>
      member(
        'MCPServerEntry',
        n,
        {
          remoteUrl: `https://${n}.example.com/mcp`,
          transport: 'streamable-http',
          groupRef: { name: 'team' },
        },
        { phase: 'Valid' },
      ),
    ),
  ];
}

/** An inline-mode VirtualMCPServer over group `team`, parsed as the reconcile parses it. */
export function inlineVmcp(namespace: string, name: string): VirtualServer {
  const parsed = parseVirtualMCPServer({
    apiVersion,
    kind: 'VirtualMCPServer',
    metadata: { name, namespace, generation: 1, uid: '00000000-0000-0000-0000-000000000001' },
    spec: {
      groupRef: { name: 'team' },
      incomingAuth: { type: 'anonymous' },
      outgoingAuth: { source: 'inline' },
    },
  });
  if (!parsed.ok)
    throw new Error(`the bench's VirtualMCPServer no longer parses: ${JSON.stringify(parsed.errors)}`);
  const { metadata, spec } = parsed.value as unknown as VirtualServer;
  return { apiVersion, kind: 'VirtualMCPServer', metadata: { ...metadata, name, namespace }, spec };
}

export interface RenderCost {
  backends: number;
  yamlBytes: number;
  runs: number;
  /** Medians, in ms. */
  buildMs: number;
  renderMs: number;
  configMapMs: number;
  desiredMs: number;
}

function timed<T>(samples: number[], run: () => T): T {
  const started = performance.now();
  const out = run();
  samples.push(performance.now() - started);
  return out;
}

/**
 * Median cost, over `runs` runs after 5 warm-ups, of each pure step a reconcile takes for `config.yaml`:
 * `buildVmcpConfig`, `renderConfigYaml`, `vmcpConfigMap` (the content checksum) and `desiredObjects`
 * (all of it again plus the Deployment, RBAC and Service: what one reconcile computes).
 */
export function renderCost(shape: GroupShape, runs: number): RenderCost {
  const vmcp = inlineVmcp('bench', 'hub');
  const members = syntheticMembers('bench', shape);
  const build: number[] = [];
  const render: number[] = [];
  const configMap: number[] = [];
  const desired: number[] = [];
  let yaml = '';
  let backends = 0;
  for (let i = 0; i < runs + 5; i++) {
    const config = timed(build, () => buildVmcpConfig(vmcp, { members }));
    yaml = timed(render, () => renderConfigYaml(config.config));
    timed(configMap, () => vmcpConfigMap(vmcp, yaml));
    timed(desired, () => desiredObjects(vmcp, { config, members, image: 'vmcp' }));
    backends = Array.isArray(config.config.backends) ? config.config.backends.length : 0;
  }
  const steady = (samples: number[]) => median(samples.slice(5));
  return {
    backends,
    yamlBytes: Buffer.byteLength(yaml),
    runs,
    buildMs: steady(build),
    renderMs: steady(render),
    configMapMs: steady(configMap),
    desiredMs: steady(desired),
  };
}
