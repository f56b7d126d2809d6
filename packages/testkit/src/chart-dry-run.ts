/**
 * Cluster side of the chart dry-run tests: what a render with every option on needs to exist on the
 * test control plane, and the one adjustment a Kubernetes 1.20 apiserver needs.
 */
import { KubernetesObjectApi, type KubeConfig } from '@kubernetes/client-node';
import type { RenderedObject } from './charts.js';
import { installCRDs } from './cluster.js';
import { serviceMonitorCRD } from './service-monitor-crd.js';

/**
 * What the everything-on render needs to exist: the ServiceMonitor CRD (the fixture) and the
 * PriorityClass (admission rejects a pod naming an unknown one). Idempotent; throws when the
 * CRD does not become Established or the apiserver refuses the PriorityClass.
 */
export async function prepareChartDryRun(kc: KubeConfig, priorityClass: string): Promise<void> {
  await installCRDs(kc, [serviceMonitorCRD]);
  const api = KubernetesObjectApi.makeApiClient(kc);
  const pc = {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: priorityClass },
    value: 1000,
  };
  try {
    await api.create(pc);
  } catch (err) {
    // Already there (a second call on the same control plane): that is what we wanted.
    if ((err as { code?: number }).code !== 409) throw err;
  }
}

/**
 * The test control plane is Kubernetes 1.20, which serves PodDisruptionBudget only as
 * policy/v1beta1 (policy/v1 came in 1.21; the chart targets >= 1.25). The fields the chart sets
 * (selector, minAvailable, maxUnavailable) are the same in both, so the dry-run sends v1beta1.
 */
export function forTestControlPlane(doc: RenderedObject): RenderedObject {
  return doc.kind === 'PodDisruptionBudget' && doc.apiVersion === 'policy/v1'
    ? { ...doc, apiVersion: 'policy/v1beta1' }
    : doc;
}
