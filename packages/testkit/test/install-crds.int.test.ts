import { CustomObjectsApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { installCRDsReport, readCRDs } from '../src/index.js';
import { useControlPlane } from '../src/vitest.js';

const crdPath = new URL('./fixtures/widgets-crd.yaml', import.meta.url).pathname;
const crdApi = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' };
const name = 'widgets.testkit.mcp-controllers.dev';
// What `helm install` leaves on a CRD it owns: the run command must never strip these.
const helmOwned = {
  annotations: {
    'meta.helm.sh/release-name': 'mcp-crds',
    'meta.helm.sh/release-namespace': 'mcp-system',
    'helm.sh/resource-policy': 'keep',
  },
  labels: { 'app.kubernetes.io/managed-by': 'Helm' },
};

const controlPlane = useControlPlane();

type CRDView = {
  metadata: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion: string;
  };
  spec: { versions: { name: string; additionalPrinterColumns?: unknown[] }[] };
};

describe('installCRDs on a cluster where someone else installed the CRD', () => {
  it('updates the spec and keeps every foreign label and annotation, or leaves it untouched on request', async () => {
    const kc = controlPlane().kubeConfig;
    const api = kc.makeApiClient(CustomObjectsApi);
    const [ours] = await readCRDs([crdPath]);
    // Someone else's copy: same CRD, their metadata, and a spec that differs from ours.
    const theirs = structuredClone(ours!);
    theirs.metadata = { ...theirs.metadata, ...helmOwned };
    theirs.spec.versions[0]!.additionalPrinterColumns = [
      { name: 'Theirs', type: 'string', jsonPath: '.spec.color' },
    ];
    await api.createClusterCustomObject({ ...crdApi, body: theirs });

    const [kept] = await installCRDsReport(kc, [crdPath], { existing: 'keep' });
    expect(kept).toMatchObject({ name, action: 'kept' });
    const afterKeep = (await api.getClusterCustomObject({ ...crdApi, name })) as CRDView;
    expect(afterKeep.spec.versions[0]!.additionalPrinterColumns).toEqual([
      { name: 'Theirs', type: 'string', jsonPath: '.spec.color' },
    ]);

    const [updated] = await installCRDsReport(kc, [crdPath]);
    expect(updated).toMatchObject({ name, action: 'updated' });
    const afterUpdate = (await api.getClusterCustomObject({ ...crdApi, name })) as CRDView;
    expect(afterUpdate.spec.versions[0]!.additionalPrinterColumns).toBeUndefined();
    expect(afterUpdate.metadata.annotations).toMatchObject(helmOwned.annotations);
    expect(afterUpdate.metadata.labels).toMatchObject(helmOwned.labels);
    expect(updated!.metadata.annotations).toMatchObject(helmOwned.annotations);
  });
});
