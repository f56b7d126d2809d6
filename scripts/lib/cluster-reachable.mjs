// Exits 0 when the cluster in KUBECONFIG answers /version within 5 s, printing which cluster it is
// (context and server) so the run command can name it before it writes anything. Exits 1 otherwise,
// with the reason on stderr.
import { KubeConfig, VersionApi } from '@kubernetes/client-node';

const kc = new KubeConfig();
try {
  kc.loadFromDefault();
  const version = await Promise.race([
    kc.makeApiClient(VersionApi).getCode(),
    new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5000)),
  ]);
  console.log(
    `context "${kc.getCurrentContext()}", server ${kc.getCurrentCluster()?.server} (Kubernetes ${version.gitVersion})`,
  );
  process.exit(0);
} catch (err) {
  console.error(`cluster not reachable: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
