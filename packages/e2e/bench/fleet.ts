// The objects of the whole-system bench, as a platform team would apply them, and the state each one
// settles in. Pure: `plan()` builds every manifest and `settledState()` judges one listed object
// against the plan; nothing here talks to the apiserver.
//
// Layout at scale 1: 5 namespaces, 100 MCPGroups (20 per namespace), 1,000 MCPServers (10 per
// group), 200 MCPServerEntries (2 per group), 10 VirtualMCPServers in discovered mode (2 per
// namespace, each on a group of its own), plus per namespace one MCPTelemetryConfig, which a fifth
// of the servers reference, and one CA bundle ConfigMap, which a fifth of the entries use. Server
// variants follow examples/servers.yaml: streamable-http with env and resources (yardstick),
// streamable-http with telemetry (fetch), stdio behind an SSE proxy (arxiv), plain stdio.

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [field: string]: unknown;
}

export interface Scale {
  namespaces: number;
  groups: number;
  servers: number;
  entries: number;
  vmcps: number;
}

/** The brief's figures times `factor` (at least one of each; no more namespaces than groups). */
export function scaleOf(factor: number): Scale {
  const of = (n: number) => Math.max(1, Math.round(n * factor));
  const groups = of(100);
  return { namespaces: Math.min(5, groups), groups, servers: of(1_000), entries: of(200), vmcps: of(10) };
}

export interface Plan {
  scale: Scale;
  namespaces: string[];
  /** In creation order: ConfigMaps and telemetry configs, groups, servers, entries, vMCPs. */
  objects: Manifest[];
  /** `<Kind>/<namespace>/<name>` -> what its settled status must show. */
  expected: Map<string, Expectation>;
}

export type Expectation =
  | { kind: 'MCPGroup'; servers: number; entries: number }
  | { kind: 'MCPTelemetryConfig'; references: number }
  | { kind: 'MCPServer'; telemetry: boolean }
  | { kind: 'MCPServerEntry' }
  | { kind: 'VirtualMCPServer'; backends: number };

const apiVersion = 'toolhive.stacklok.dev/v1beta1';
export const telemetryName = 'otel';
export const caName = 'remote-ca';

const resources = {
  limits: { cpu: '100m', memory: '128Mi' },
  requests: { cpu: '50m', memory: '64Mi' },
};

/**
 * Server variant 0-9: 0-5 yardstick, 6-7 fetch with telemetry, 8 arxiv (stdio, SSE proxy), 9 plain
 * stdio (github, without its OIDC).
 */
function serverSpec(
  i: number,
  variant: number,
  group: string,
): { spec: Record<string, unknown>; telemetry: boolean } {
  const groupRef = { name: group };
  if (variant <= 5) {
    return {
      telemetry: false,
      spec: {
        image: 'ghcr.io/stackloklabs/yardstick/yardstick-server:1.1.1',
        transport: 'streamable-http',
        env: [{ name: 'TRANSPORT', value: 'streamable-http' }],
        proxyPort: 8080,
        mcpPort: 8080,
        resources,
        groupRef,
      },
    };
  }
  if (variant <= 7) {
    return {
      telemetry: true,
      spec: {
        image: 'ghcr.io/stackloklabs/gofetch/server:1.0.1',
        transport: 'streamable-http',
        proxyPort: 8080,
        mcpPort: 8080,
        resources,
        groupRef,
        telemetryConfigRef: { name: telemetryName, serviceName: `fetch-${i}` },
      },
    };
  }
  if (variant === 8) {
    return {
      telemetry: false,
      spec: {
        image: 'ghcr.io/stackloklabs/arxiv-mcp-server:latest',
        transport: 'stdio',
        proxyMode: 'sse',
        groupRef,
      },
    };
  }
  return {
    telemetry: false,
    spec: { image: 'ghcr.io/github/github-mcp-server:latest', transport: 'stdio', groupRef },
  };
}

export function plan(scale: Scale, namespaces: string[]): Plan {
  const nsOfGroup = (g: number) => namespaces[g % namespaces.length] ?? '';
  const groupName = (g: number) => `team-${g}`;
  const objects: Manifest[] = [];
  const expected = new Map<string, Expectation>();
  const key = (kind: string, ns: string, name: string) => `${kind}/${ns}/${name}`;
  const serversIn = new Array<number>(scale.groups).fill(0);
  const entriesIn = new Array<number>(scale.groups).fill(0);
  const references = new Map<string, number>();

  for (const ns of namespaces) {
    objects.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: caName, namespace: ns },
      data: { 'ca.crt': '-----BEGIN CERTIFICATE-----\n(placeholder)\n-----END CERTIFICATE-----\n' },
    });
    objects.push({
      apiVersion,
      kind: 'MCPTelemetryConfig',
      metadata: { name: telemetryName, namespace: ns },
      spec: {
        openTelemetry: {
          enabled: true,
          endpoint: 'otel-collector.monitoring.svc.cluster.local:4318',
          insecure: true,
          tracing: { enabled: true, samplingRate: '0.1' },
          metrics: { enabled: true },
        },
        prometheus: { enabled: true },
      },
    });
  }
  for (let g = 0; g < scale.groups; g++) {
    objects.push({
      apiVersion,
      kind: 'MCPGroup',
      metadata: { name: groupName(g), namespace: nsOfGroup(g) },
      spec: { description: `Tools of team ${g}` },
    });
  }
  for (let i = 0; i < scale.servers; i++) {
    const g = i % scale.groups;
    const ns = nsOfGroup(g);
    // Not `i % 10`: with servers dealt round-robin over the groups, each group (and namespace) would
    // get one variant only.
    const { spec, telemetry } = serverSpec(i, (i + Math.floor(i / scale.groups)) % 10, groupName(g));
    objects.push({ apiVersion, kind: 'MCPServer', metadata: { name: `server-${i}`, namespace: ns }, spec });
    expected.set(key('MCPServer', ns, `server-${i}`), { kind: 'MCPServer', telemetry });
    serversIn[g] = (serversIn[g] ?? 0) + 1;
    if (telemetry) references.set(ns, (references.get(ns) ?? 0) + 1);
  }
  for (let j = 0; j < scale.entries; j++) {
    const g = j % scale.groups;
    const ns = nsOfGroup(g);
    objects.push({
      apiVersion,
      kind: 'MCPServerEntry',
      metadata: { name: `entry-${j}`, namespace: ns },
      spec: {
        remoteUrl: `https://tools-${j}.example.com/mcp`,
        // By j / 5, not j: j % 5 is the namespace (at 5 namespaces), so each gets both transports and CAs.
        transport: Math.floor(j / 5) % 2 === 0 ? 'streamable-http' : 'sse',
        groupRef: { name: groupName(g) },
        ...(Math.floor(j / 5) % 5 === 0
          ? { caBundleRef: { configMapRef: { name: caName, key: 'ca.crt' } } }
          : {}),
      },
    });
    expected.set(key('MCPServerEntry', ns, `entry-${j}`), { kind: 'MCPServerEntry' });
    entriesIn[g] = (entriesIn[g] ?? 0) + 1;
  }
  // Spread the vMCPs over the groups, one group each, and over the namespaces (group g lives in
  // namespace g % n: a step of `groups / vmcps` alone could land every vMCP in one namespace).
  const step = Math.max(1, Math.floor(scale.groups / scale.vmcps));
  for (let k = 0; k < scale.vmcps; k++) {
    const g = (k * step + k) % scale.groups;
    const ns = nsOfGroup(g);
    objects.push({
      apiVersion,
      kind: 'VirtualMCPServer',
      metadata: { name: `hub-${k}`, namespace: ns },
      spec: {
        groupRef: { name: groupName(g) },
        incomingAuth: { type: 'anonymous' },
        outgoingAuth: { source: 'discovered' },
        config: { aggregation: { conflictResolution: 'prefix' } },
      },
    });
    expected.set(key('VirtualMCPServer', ns, `hub-${k}`), {
      kind: 'VirtualMCPServer',
      backends: (serversIn[g] ?? 0) + (entriesIn[g] ?? 0),
    });
  }
  for (let g = 0; g < scale.groups; g++) {
    expected.set(key('MCPGroup', nsOfGroup(g), groupName(g)), {
      kind: 'MCPGroup',
      servers: serversIn[g] ?? 0,
      entries: entriesIn[g] ?? 0,
    });
  }
  for (const ns of namespaces) {
    expected.set(key('MCPTelemetryConfig', ns, telemetryName), {
      kind: 'MCPTelemetryConfig',
      references: references.get(ns) ?? 0,
    });
  }
  return { scale, namespaces, objects, expected };
}

export interface ListedObject {
  metadata: { name: string; namespace?: string; generation?: number };
  status?: {
    phase?: string;
    observedGeneration?: number;
    conditions?: { type: string; status: string }[];
    serverCount?: number;
    entryCount?: number;
    referencingWorkloads?: unknown[];
    telemetryConfigHash?: string;
    backendCount?: number;
  };
}

/**
 * 'settled', or what is still missing (a short reason, so a report can count objects by it). A vMCP
 * is settled once its runtime reported every member of its group as a backend and the phase is Ready
 * (examples.ts `currentStates`: `BackendsDiscovered` present); a group once it lists every member.
 */
export function settledState(expectation: Expectation, o: ListedObject): string {
  const s = o.status;
  if (!s) return 'no status';
  if (s.observedGeneration !== o.metadata.generation) return `not observed (${s.phase ?? 'no phase'})`;
  const condition = (type: string) => s.conditions?.find((c) => c.type === type)?.status;
  switch (expectation.kind) {
    case 'MCPGroup':
      if (s.phase !== 'Ready') return `phase ${s.phase ?? '-'}`;
      if (s.serverCount !== expectation.servers || s.entryCount !== expectation.entries)
        return 'members not all listed';
      return 'settled';
    case 'MCPTelemetryConfig':
      if (condition('Valid') !== 'True') return `Valid ${condition('Valid') ?? '-'}`;
      if ((s.referencingWorkloads?.length ?? 0) !== expectation.references)
        return 'references not all listed';
      return 'settled';
    case 'MCPServer':
      if (s.phase !== 'Ready') return `phase ${s.phase ?? '-'}`;
      if (expectation.telemetry && !s.telemetryConfigHash) return 'telemetry hash not copied';
      return 'settled';
    case 'MCPServerEntry':
      return s.phase === 'Valid' ? 'settled' : `phase ${s.phase ?? '-'}`;
    case 'VirtualMCPServer':
      if (!condition('BackendsDiscovered')) return `backends not reported (${s.phase ?? '-'})`;
      if (s.backendCount !== expectation.backends) return 'not every member discovered';
      return s.phase === 'Ready' ? 'settled' : `phase ${s.phase ?? '-'}`;
  }
}
