// The run command's second half: install the CRDs, apply examples/, start the controllers and show
// the reconciled status of the example resources. MCP_RUN_TARGET says where: `local` (our own control
// plane: the CRDs are updated to the generated ones) or `cluster` (someone's cluster, where the user
// agreed to this: missing CRDs are created, existing ones are left exactly as they are).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseAllDocuments } from 'yaml';
import { kinds, mcpGroup } from '@mcp-controllers/api';
import { configMapResource, KubeClient, loadKubeConfig, secretResource } from '@mcp-controllers/core';
import { installCRDsReport } from '@mcp-controllers/testkit';
import { runDir, startControllers } from './controllers.mjs';

const root = new URL('../..', import.meta.url).pathname;
const kc = loadKubeConfig();
const client = new KubeClient(kc, { userAgent: 'mcp-controllers-demo' });

const crdDir = join(root, 'packages/api/generated/crds');
const onCluster = process.env.MCP_RUN_TARGET === 'cluster';
// How long to wait for the examples to settle before showing them as they are (and exiting 1).
const waitS = Number(process.env.MCP_RUN_WAIT_S ?? 60);
if (!(waitS > 0))
  throw new Error(`MCP_RUN_WAIT_S must be a positive number of seconds, not '${process.env.MCP_RUN_WAIT_S}'`);
const crds = await installCRDsReport(
  kc,
  readdirSync(crdDir).map((f) => join(crdDir, f)),
  { existing: onCluster ? 'keep' : 'update' },
);
const count = (action) => crds.filter((c) => c.action === action).length;
console.log(
  `CRDs: ${count('created')} created, ${count('updated')} updated, ${count('kept')} left as they were (all Established).`,
);
for (const c of crds.filter((c) => c.action === 'kept')) {
  const release = c.metadata.annotations['meta.helm.sh/release-name'];
  console.log(`  ${c.name}: kept${release ? ` (Helm release ${release})` : ''}`);
}

// Server-side apply makes re-running the command idempotent.
const resources = new Map(kinds.map((k) => [k.kind, k.resource]));
resources.set('Namespace', {
  group: '',
  version: 'v1',
  plural: 'namespaces',
  kind: 'Namespace',
  namespaced: false,
});
resources.set('ConfigMap', configMapResource);
resources.set('Secret', secretResource);
const documents = [];
for (const file of readdirSync(join(root, 'examples'))
  .filter((f) => f.endsWith('.yaml'))
  .sort()) {
  for (const doc of parseAllDocuments(readFileSync(join(root, 'examples', file), 'utf8'))) {
    const obj = doc.toJS();
    if (!obj) continue;
    if (!resources.has(obj.kind)) throw new Error(`examples/${file}: no resource known for kind ${obj.kind}`);
    documents.push(obj);
  }
}
// Namespaces first, whichever file declares them.
const applied = [
  ...documents.filter((o) => o.kind === 'Namespace'),
  ...documents.filter((o) => o.kind !== 'Namespace'),
];
for (const obj of applied) {
  await client.patch(
    resources.get(obj.kind),
    { namespace: obj.metadata.namespace, name: obj.metadata.name },
    'apply',
    obj,
    { fieldManager: 'mcp-controllers-demo', force: true },
  );
}
console.log(`Applied ${applied.length} example objects from examples/.`);

const kubeconfig = process.env.KUBECONFIG;
for (const c of await startControllers(kubeconfig))
  console.log(`Started ${c.name} (pid ${c.pid}, log ${c.log}).`);

// Wait (at most MCP_RUN_WAIT_S seconds) until every example MCPGroup, MCPTelemetryConfig,
// MCPServerEntry, MCPServer and VirtualMCPServer has been reconciled at its current generation, then
// show them.
const shownKinds = new Set([
  'MCPGroup',
  'MCPTelemetryConfig',
  'MCPServerEntry',
  'MCPServer',
  'VirtualMCPServer',
]);
const shown = applied.filter((o) => shownKinds.has(o.kind));
const conditionOf = (o, type) => o.status?.conditions?.find((c) => c.type === type);
// An MCPServer is settled once its pods have decided: Ready, Failed or Stopped. A VirtualMCPServer
// too, and when its pods serve (Ready or Degraded) only once the vmcp runtime has reported its
// backends (condition BackendsDiscovered): before that, Ready only means "no backends heard of yet".
function workloadSettled(o) {
  if (o.kind !== 'MCPServer' && o.kind !== 'VirtualMCPServer') return true;
  const phase = o.status?.phase;
  if (phase === undefined || phase === 'Pending') return false;
  if (o.kind === 'MCPServer' || phase === 'Failed') return true;
  return conditionOf(o, 'BackendsDiscovered') !== undefined;
}
const deadline = Date.now() + waitS * 1000;
// Reconciled is not settled: an entry first validated against a group that was not Ready yet turns
// Valid once the group does. So the statuses must also have stopped changing for 2 s.
const quietMs = 2_000;
let current = [];
let lastSeen = '';
let unchangedSince = Date.now();
for (;;) {
  current = await Promise.all(
    shown.map((o) =>
      client.get(resources.get(o.kind), { namespace: o.metadata.namespace, name: o.metadata.name }),
    ),
  );
  const seen = JSON.stringify(current.map((o) => o.status));
  if (seen !== lastSeen) [lastSeen, unchangedSince] = [seen, Date.now()];
  const reconciled = current.every(
    (o) => o.status?.observedGeneration === o.metadata.generation && workloadSettled(o),
  );
  if (reconciled && Date.now() - unchangedSince >= quietMs) break;
  if (Date.now() > deadline) {
    console.error(`Not everything was reconciled within ${waitS} s; see the controller logs in ${runDir}.`);
    process.exitCode = 1;
    break;
  }
  await sleep(200);
}

const said = (c) => `${c?.status ?? '-'} ${c?.reason ?? ''}`.trim();
const list = (names) => (names ?? []).join(',') || '-';
function table(title, header, rows) {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  console.log(`\n${title}\n`);
  for (const row of all)
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    );
}
const groupsNow = current.filter((o) => o.kind === 'MCPGroup');
table(
  'MCPGroups (mcp-group-controller):',
  ['NAMESPACE', 'MCPGROUP', 'PHASE', 'SERVERS', 'REMOTE PROXIES', 'ENTRIES', 'CHECKED'],
  groupsNow.map((g) => [
    g.metadata.namespace,
    g.metadata.name,
    g.status?.phase ?? '-',
    list(g.status?.servers),
    list(g.status?.remoteProxies),
    list(g.status?.entries),
    said(conditionOf(g, 'MCPServersChecked')),
  ]),
);
const configsNow = current.filter((o) => o.kind === 'MCPTelemetryConfig');
table(
  'MCPTelemetryConfigs (mcp-telemetry-controller):',
  ['NAMESPACE', 'MCPTELEMETRYCONFIG', 'VALID', 'CONFIG HASH', 'REFERENCED BY'],
  configsNow.map((c) => [
    c.metadata.namespace,
    c.metadata.name,
    said(conditionOf(c, 'Valid')),
    c.status?.configHash ?? '-',
    list(c.status?.referencingWorkloads?.map((r) => `${r.kind}/${r.name}`)),
  ]),
);
const entriesNow = current.filter((o) => o.kind === 'MCPServerEntry');
// The condition that explains an entry's phase: the first one that is False, else Valid.
const entryReason = (e) => e.status?.conditions?.find((c) => c.status === 'False') ?? conditionOf(e, 'Valid');
table(
  'MCPServerEntries (mcp-entry-controller):',
  ['NAMESPACE', 'MCPSERVERENTRY', 'PHASE', 'GROUP', 'REMOTE URL', 'REASON'],
  entriesNow.map((e) => [
    e.metadata.namespace,
    e.metadata.name,
    e.status?.phase ?? '-',
    e.spec.groupRef.name,
    e.spec.remoteUrl,
    entryReason(e)?.reason ?? '-',
  ]),
);
const serversNow = current.filter((o) => o.kind === 'MCPServer');
// The condition that explains a server's phase: Ready when it is, else the first problem (a False
// condition other than StdioReplicaCapped, which is False whenever no cap applies), else Ready.
const serverReason = (s) =>
  s.status?.phase === 'Ready'
    ? conditionOf(s, 'Ready')
    : (s.status?.conditions?.find((c) => c.status === 'False' && c.type !== 'StdioReplicaCapped') ??
      conditionOf(s, 'Ready'));
table(
  'MCPServers (mcp-server-controller):',
  ['NAMESPACE', 'MCPSERVER', 'PHASE', 'READY', 'URL', 'TELEMETRY HASH', 'REASON'],
  serversNow.map((s) => [
    s.metadata.namespace,
    s.metadata.name,
    s.status?.phase ?? '-',
    String(s.status?.readyReplicas ?? 0),
    s.status?.url ?? '-',
    s.status?.telemetryConfigHash ?? '-',
    serverReason(s)?.reason ?? '-',
  ]),
);
const vmcpsNow = current.filter((o) => o.kind === 'VirtualMCPServer');
// The Ready reason explains a vMCP's phase; the lines under the tables name its unhealthy backends.
table(
  'VirtualMCPServers (mcp-vmcp-controller):',
  ['NAMESPACE', 'VIRTUALMCPSERVER', 'PHASE', 'GROUP', 'MODE', 'ROUTABLE/BACKENDS', 'URL', 'REASON'],
  vmcpsNow.map((v) => [
    v.metadata.namespace,
    v.metadata.name,
    v.status?.phase ?? '-',
    v.spec.groupRef?.name ?? '-',
    v.spec.outgoingAuth?.source ?? 'discovered',
    `${v.status?.backendCount ?? 0}/${v.status?.discoveredBackends?.length ?? 0}`,
    v.status?.url ?? '-',
    conditionOf(v, 'Ready')?.reason ?? '-',
  ]),
);
const failing = [
  ...groupsNow.map((g) => [g, conditionOf(g, 'MCPServersChecked')]),
  ...configsNow.map((c) => [c, conditionOf(c, 'Valid')]),
  ...entriesNow.map((e) => [e, entryReason(e)]),
  ...serversNow.map((s) => [s, serverReason(s)]),
  ...vmcpsNow.map((v) => [v, conditionOf(v, 'Ready')]),
].filter(([, c]) => c?.status === 'False');
if (failing.length || vmcpsNow.length) console.log('');
// A vMCP's Ready message does not name the backends it counts as unhealthy: the runtime's report does.
const unhealthy = (o) =>
  o.kind !== 'VirtualMCPServer'
    ? []
    : (o.status?.discoveredBackends ?? [])
        .filter((b) => b.status !== 'ready' && b.status !== 'unauthenticated')
        .map((b) => `${b.name} ${b.status}${b.message ? ` (${b.message})` : ''}`);
for (const [o, c] of failing) {
  const backends = unhealthy(o);
  console.log(
    `${o.kind} ${o.metadata.namespace}/${o.metadata.name}: ${c.message}${backends.length ? `: ${backends.join(', ')}` : ''}`,
  );
}
// In inline mode the controller picks the backends of config.yaml: say which and what it left out.
for (const v of vmcpsNow.filter((v) => conditionOf(v, 'BackendsConfigured')?.status === 'True'))
  console.log(
    `VirtualMCPServer ${v.metadata.namespace}/${v.metadata.name}: ${conditionOf(v, 'BackendsConfigured').message}`,
  );

console.log(`\nCluster: ${kc.getCurrentCluster()?.server}`);
console.log(`export KUBECONFIG=${kubeconfig}   # then: kubectl get toolhive -A`);
console.log('bash scripts/run.sh stop   # stops the controllers and the local control plane');
await client.close();
