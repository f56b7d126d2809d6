import { KubeConfig } from '@kubernetes/client-node';

/**
 * `--kubeconfig` when given, else the usual order: KUBECONFIG, in-cluster service account,
 * ~/.kube/config. Throws with the places it looked when none works.
 */
export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) {
    throw new Error(
      'no Kubernetes cluster configured: pass --kubeconfig, set KUBECONFIG, or run in a pod with a service account',
    );
  }
  return kc;
}
