/**
 * Typed views of the objects a controller chart renders, for the shared chart tests: pick objects by
 * kind, the Deployment's pod and container, the standard labels. They throw (failing the test with
 * a message) when the expected object is missing.
 */
import type { RenderedObject } from './charts.js';

export interface Container {
  image: string;
  args: string[];
  env: { name: string; value?: string }[];
  securityContext: Record<string, unknown>;
  livenessProbe: { httpGet: { path: string } };
  readinessProbe: { httpGet: { path: string } };
  resources: { requests?: unknown };
  ports: { name: string; containerPort: number; protocol?: string }[];
  volumeMounts?: { name: string; mountPath: string }[];
}

export interface PodSpec {
  serviceAccountName: string;
  securityContext: Record<string, unknown>;
  containers: Container[];
  imagePullSecrets?: { name: string }[];
  priorityClassName?: string;
  volumes?: { name: string }[];
  topologySpreadConstraints?: {
    topologyKey: string;
    labelSelector?: { matchLabels?: Record<string, string> };
  }[];
}

interface DeploymentView {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}

/** The label keys every object, pod and CRD of the project carries. */
export const standardLabelKeys = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/version',
  'app.kubernetes.io/component',
  'app.kubernetes.io/part-of',
  'app.kubernetes.io/managed-by',
];

export const ofKind = (docs: RenderedObject[], kind: string): RenderedObject[] =>
  docs.filter((d) => d.kind === kind);

export function labelsOf(obj: RenderedObject): Record<string, string> {
  return (obj.metadata['labels'] ?? {}) as Record<string, string>;
}

export function deployments(docs: RenderedObject[]): DeploymentView[] {
  return ofKind(docs, 'Deployment') as unknown as DeploymentView[];
}

/** The one Deployment's pod template and its first container. */
export function podOf(docs: RenderedObject[]): {
  podLabels: Record<string, string>;
  pod: PodSpec;
  container: Container;
} {
  const all = deployments(docs);
  const [deployment] = all;
  if (all.length !== 1 || !deployment) throw new Error(`expected one Deployment, rendered ${all.length}`);
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  if (!container) throw new Error('the Deployment has no container');
  return { podLabels: deployment.spec.template.metadata.labels, pod, container };
}

/** The value of `--<flag>=` in the container's args, or undefined. */
export function flagValue(container: Container, flag: string): string | undefined {
  const arg = container.args.find((a) => a.startsWith(`--${flag}=`));
  return arg?.slice(flag.length + 3);
}

/** `kind namespace/name` of each object (of these kinds; all when none given), sorted: readable in a failed assertion. */
export function identities(docs: RenderedObject[], ...kinds: string[]): string[] {
  return docs
    .filter((d) => kinds.length === 0 || kinds.includes(d.kind))
    .map((d) => `${d.kind} ${d.metadata.namespace ?? ''}/${d.metadata.name}`)
    .sort();
}

/** An RBAC rule as rendered or stored; core's PolicyRule has this shape (testkit does not depend on core). */
export interface RuleView {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

/** Every `group resource verb` a list of rules grants (no wildcards are used on either side). */
export function grants(rules: readonly RuleView[]): string[] {
  return rules.flatMap((r) =>
    r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g} ${res} ${v}`))),
  );
}

/** The controller's own rules: its ClusterRole, or each watched namespace's Role (leader election's aside). */
export function controllerRules(docs: RenderedObject[]): (readonly RuleView[])[] {
  return docs
    .filter(
      (d) => (d.kind === 'ClusterRole' || d.kind === 'Role') && !d.metadata.name.endsWith('-leader-election'),
    )
    .map((d) => (d as unknown as { rules: RuleView[] }).rules);
}

/** The env of the first container of the Deployment of that name; throws when none was rendered. */
export function containerEnv(docs: RenderedObject[], deployment: string): Container['env'] {
  const found = deployments(docs).find((d) => d.metadata.name === deployment);
  if (!found) throw new Error(`no Deployment ${deployment} rendered`);
  return found.spec.template.spec.containers[0]?.env ?? [];
}
