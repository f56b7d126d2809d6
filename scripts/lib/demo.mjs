// The run command's second half: install the CRDs that exist, apply the examples, show the status.
// Controllers join here as their issues land; until then it says what it installed and what is next.
import { ApiextensionsV1Api, KubeConfig } from '@kubernetes/client-node';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { installCRDs } from '@mcp-controllers/testkit';

const root = new URL('../..', import.meta.url).pathname;
const kc = new KubeConfig();
kc.loadFromDefault();

const crdDir = join(root, 'packages/api/generated/crds');
const crdFiles = existsSync(crdDir)
  ? readdirSync(crdDir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(crdDir, f))
  : [];
if (crdFiles.length === 0) {
  console.log('No CRDs are generated yet (packages/api/generated/crds is empty): nothing to install.');
} else {
  const names = await installCRDs(kc, crdFiles);
  console.log(`Installed and Established ${names.length} CRDs:\n  ${names.join('\n  ')}`);
}

const crds = await kc.makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition();
const ours = crds.items.filter((c) => c.spec.group === 'toolhive.stacklok.dev');
console.log(`\nCluster: ${kc.getCurrentCluster()?.server}`);
console.log(`toolhive.stacklok.dev CRDs in the cluster: ${ours.length}`);
console.log('No controllers exist yet, so no example resources are applied and nothing is reconciled.');
console.log(`\nexport KUBECONFIG=${process.env.KUBECONFIG}   # to use the cluster with kubectl`);
console.log('pnpm control-plane down                    # to stop the local control plane');
