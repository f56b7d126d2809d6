// Exits 0 when the cluster in KUBECONFIG answers /version within 5 s.
import { KubeConfig, VersionApi } from '@kubernetes/client-node';

const kc = new KubeConfig();
try {
  kc.loadFromDefault();
  await Promise.race([
    kc.makeApiClient(VersionApi).getCode(),
    new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 5000)),
  ]);
  process.exit(0);
} catch {
  process.exit(1);
}
