// The run command's second half: install the CRDs, apply examples/, start the controllers and show
// the reconciled status of the example resources.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseAllDocuments } from 'yaml';
import { kinds, mcpGroup } from '@mcp-controllers/api';
import { KubeClient, loadKubeConfig } from '@mcp-controllers/core';
import { installCRDs } from '@mcp-controllers/testkit';
import { startControllers } from './controllers.mjs';

const root = new URL('../..', import.meta.url).pathname;
const kc = loadKubeConfig();
const client = new KubeClient(kc, { userAgent: 'mcp-controllers-demo' });

const crdDir = join(root, 'packages/api/generated/crds');
const crds = await installCRDs(
  kc,
  readdirSync(crdDir).map((f) => join(crdDir, f)),
);
console.log(`Installed ${crds.length} CRDs (Established).`);

// Server-side apply makes re-running the command idempotent.
const resources = new Map(kinds.map((k) => [k.kind, k.resource]));
resources.set('Namespace', {
  group: '',
  version: 'v1',
  plural: 'namespaces',
  kind: 'Namespace',
  namespaced: false,
});
const applied = [];
for (const file of readdirSync(join(root, 'examples'))
  .filter((f) => f.endsWith('.yaml'))
  .sort()) {
  for (const doc of parseAllDocuments(readFileSync(join(root, 'examples', file), 'utf8'))) {
    const obj = doc.toJS();
    if (!obj) continue;
    const resource = resources.get(obj.kind);
    if (!resource) throw new Error(`examples/${file}: no resource known for kind ${obj.kind}`);
    await client.patch(
      resource,
      { namespace: obj.metadata.namespace, name: obj.metadata.name },
      'apply',
      obj,
      {
        fieldManager: 'mcp-controllers-demo',
        force: true,
      },
    );
    applied.push(obj);
  }
}
console.log(`Applied ${applied.length} example objects from examples/.`);

const kubeconfig = process.env.KUBECONFIG;
for (const c of await startControllers(kubeconfig))
  console.log(`Started ${c.name} (pid ${c.pid}, log ${c.log}).`);

// Wait (with a deadline) until every example group has been reconciled at its current generation.
const groups = applied.filter((o) => o.kind === 'MCPGroup');
const deadline = Date.now() + 60_000;
let current = [];
for (;;) {
  current = await Promise.all(
    groups.map((g) =>
      client.get(mcpGroup.resource, { namespace: g.metadata.namespace, name: g.metadata.name }),
    ),
  );
  if (current.every((g) => g.status?.observedGeneration === g.metadata.generation)) break;
  if (Date.now() > deadline) {
    console.error('Not every MCPGroup was reconciled within 60 s; see the controller logs in .run/.');
    process.exitCode = 1;
    break;
  }
  await sleep(200);
}

const checked = (g) => g.status?.conditions?.find((c) => c.type === 'MCPServersChecked');
const rows = [
  ['NAMESPACE', 'MCPGROUP', 'PHASE', 'SERVERS', 'REMOTE PROXIES', 'ENTRIES', 'CHECKED'],
  ...current.map((g) => [
    g.metadata.namespace,
    g.metadata.name,
    g.status?.phase ?? '-',
    (g.status?.servers ?? []).join(',') || '-',
    (g.status?.remoteProxies ?? []).join(',') || '-',
    (g.status?.entries ?? []).join(',') || '-',
    `${checked(g)?.status ?? '-'} ${checked(g)?.reason ?? ''}`.trim(),
  ]),
];
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
console.log('\nReconciled MCPGroups:\n');
for (const row of rows)
  console.log(
    row
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
for (const g of current.filter((x) => checked(x)?.status === 'False')) {
  console.log(`\n${g.metadata.namespace}/${g.metadata.name}: ${checked(g).message}`);
}

console.log(`\nCluster: ${kc.getCurrentCluster()?.server}`);
console.log(`export KUBECONFIG=${kubeconfig}   # then: kubectl get toolhive -A`);
console.log('bash scripts/run.sh stop   # stops the controllers and the local control plane');
await client.close();
