import { formatFieldErrors, parseVirtualMCPServer } from '@mcp-controllers/api';
import { findDrift, withAppliedHash } from '@mcp-controllers/core';
import { describe, expect, it } from 'vitest';
import { vmcpLabels, vmcpNames, vmcpURL } from '../src/names.js';
import { checkPodTemplateSpec } from '../src/pod-template.js';
import { vmcpService } from '../src/service.js';
import type { EnvVar, VirtualServer } from '../src/types.js';
import {
  desiredReplicas,
  InvalidPodTemplateError,
  vmcpDeployment,
  vmcpEnv,
  type VmcpDeploymentInputs,
} from '../src/workload.js';

function parsedVmcp(spec: Record<string, unknown> = {}, name = 'demo', namespace = 'team-a'): VirtualServer {
  const parsed = parseVirtualMCPServer({
    apiVersion: 'toolhive.stacklok.dev/v1beta1',
    kind: 'VirtualMCPServer',
    metadata: { name, namespace, generation: 1, uid: 'uid-1' },
    spec: { groupRef: { name: 'engineering' }, incomingAuth: { type: 'anonymous' }, ...spec },
  });
  if (!parsed.ok) throw new Error(`fixture does not parse: ${formatFieldErrors(parsed.errors)}`);
  return { ...parsed.value, metadata: { ...parsed.value.metadata, name, namespace } };
}

const image = 'ghcr.io/stacklok/toolhive/vmcp:v0.6.0';
const inputs = (extra: Partial<VmcpDeploymentInputs> = {}): VmcpDeploymentInputs => ({
  configChecksum: 'sum-1',
  image,
  extraEnv: { headerForward: [], telemetry: [] },
  volumes: [],
  ...extra,
});
const labels = {
  app: 'virtualmcpserver',
  'app.kubernetes.io/instance': 'demo',
  'app.kubernetes.io/name': 'virtualmcpserver',
  toolhive: 'true',
  'toolhive-name': 'demo',
};
type Json = Record<string, unknown>;
const podSpec = (vmcp: VirtualServer, extra: Partial<VmcpDeploymentInputs> = {}) =>
  vmcpDeployment(vmcp, inputs(extra)).spec.template.spec as Json & { containers: Json[]; volumes: Json[] };
const vmcpContainer = (vmcp: VirtualServer, extra: Partial<VmcpDeploymentInputs> = {}) => {
  const container = podSpec(vmcp, extra).containers[0];
  if (!container) throw new Error('no container');
  return container as Json & { env: EnvVar[]; args: string[] };
};
const envNames = (env: EnvVar[]) => env.map((e) => e.name);
const defaults = [
  { name: 'XDG_CONFIG_HOME', value: '/tmp' },
  { name: 'HOME', value: '/tmp' },
  { name: 'TOOLHIVE_RUNTIME', value: 'kubernetes' },
  { name: 'UNSTRUCTURED_LOGS', value: 'false' },
];
const hmacEnv = {
  name: 'VMCP_SESSION_HMAC_SECRET',
  valueFrom: { secretKeyRef: { name: 'demo-hmac-secret', key: 'hmac-secret' } },
};

describe('names', () => {
  it('names everything as ToolHive does', () => {
    expect(vmcpNames('demo')).toEqual({
      deployment: 'demo',
      service: 'vmcp-demo',
      serviceAccount: 'demo-vmcp',
      role: 'demo-vmcp',
      roleBinding: 'demo-vmcp',
      configMap: 'demo-vmcp-config',
      hmacSecret: 'demo-hmac-secret',
    });
    expect(vmcpLabels('demo')).toEqual(labels);
    expect(Object.keys(vmcpLabels('demo'))).toEqual(Object.keys(labels).sort());
    expect(vmcpURL(parsedVmcp())).toBe('http://vmcp-demo.team-a.svc.cluster.local:4483');
  });
});

describe('vmcpDeployment', () => {
  it('builds the minimal Deployment field for field (§9.2)', () => {
    expect(vmcpDeployment(parsedVmcp(), inputs())).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'demo', namespace: 'team-a', labels },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels, annotations: { 'toolhive.stacklok.dev/runconfig-checksum': 'sum-1' } },
          spec: {
            serviceAccountName: 'demo-vmcp',
            terminationGracePeriodSeconds: 30,
            containers: [
              {
                name: 'vmcp',
                image,
                imagePullPolicy: 'IfNotPresent',
                args: ['serve', '--config=/etc/vmcp-config/config.yaml', '--host=0.0.0.0', '--port=4483'],
                ports: [{ name: 'http', containerPort: 4483, protocol: 'TCP' }],
                env: [
                  { name: 'VMCP_NAME', value: 'demo' },
                  { name: 'VMCP_NAMESPACE', value: 'team-a' },
                  hmacEnv,
                  ...defaults,
                ],
                resources: {
                  limits: { cpu: '500m', memory: '512Mi' },
                  requests: { cpu: '100m', memory: '128Mi' },
                },
                volumeMounts: [{ name: 'vmcp-config', mountPath: '/etc/vmcp-config', readOnly: true }],
                livenessProbe: {
                  httpGet: { path: '/health', port: 'http' },
                  initialDelaySeconds: 30,
                  periodSeconds: 10,
                  timeoutSeconds: 5,
                  failureThreshold: 3,
                },
                readinessProbe: {
                  httpGet: { path: '/readyz', port: 'http' },
                  initialDelaySeconds: 15,
                  periodSeconds: 5,
                  timeoutSeconds: 3,
                  failureThreshold: 3,
                },
                securityContext: {
                  capabilities: { drop: ['ALL'] },
                  privileged: false,
                  runAsUser: 1000,
                  runAsGroup: 1000,
                  runAsNonRoot: true,
                  readOnlyRootFilesystem: true,
                  allowPrivilegeEscalation: false,
                  seccompProfile: { type: 'RuntimeDefault' },
                },
              },
            ],
            volumes: [{ name: 'vmcp-config', configMap: { name: 'demo-vmcp-config' } }],
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 1000,
              runAsGroup: 1000,
              fsGroup: 1000,
              seccompProfile: { type: 'RuntimeDefault' },
            },
          },
        },
      },
    });
  });

  it('adds --debug only for operational.logLevel debug', () => {
    expect(vmcpContainer(parsedVmcp({ config: { operational: { logLevel: 'debug' } } })).args).toEqual([
      'serve',
      '--config=/etc/vmcp-config/config.yaml',
      '--host=0.0.0.0',
      '--port=4483',
      '--debug',
    ]);
    expect(vmcpContainer(parsedVmcp({ config: { operational: {} } })).args).not.toContain('--debug');
  });

  it('never carries replicas; desiredReplicas reports them for the separate scale apply', () => {
    const vmcp = parsedVmcp({ replicas: 3 });
    expect(vmcpDeployment(vmcp, inputs()).spec).not.toHaveProperty('replicas');
    expect(desiredReplicas(vmcp.spec)).toBe(3);
    expect(desiredReplicas(parsedVmcp({ replicas: 0 }).spec)).toBe(0);
    expect(desiredReplicas(parsedVmcp().spec)).toBeUndefined();
  });

  it('runs as spec.serviceAccount and pulls with spec.imagePullSecrets (named, deduplicated)', () => {
    const spec = podSpec(
      parsedVmcp({
        serviceAccount: 'custom',
        imagePullSecrets: [{ name: 'regcred' }, {}, { name: 'other' }, { name: 'regcred' }],
      }),
    );
    expect(spec.serviceAccountName).toBe('custom');
    expect(spec.imagePullSecrets).toEqual([{ name: 'regcred' }, { name: 'other' }]);
    expect(podSpec(parsedVmcp({ serviceAccount: '' })).serviceAccountName).toBe('demo-vmcp');
  });

  it('mounts the CA volumes read-only after the config, projecting only the key, first name wins', () => {
    const vmcp = parsedVmcp();
    const volumes = [
      {
        name: 'ca-bundle-internal',
        configMap: 'internal-ca',
        key: 'bundle.pem',
        mountPath: '/etc/toolhive/ca-bundles/internal',
      },
      {
        name: 'otel-ca-bundle-otel-ca',
        configMap: 'otel-ca',
        key: 'ca.crt',
        mountPath: '/config/certs/otel/otel-ca',
      },
      { name: 'ca-bundle-internal', configMap: 'again', mountPath: '/elsewhere' },
      { name: 'whole', configMap: 'all-keys', mountPath: '/etc/whole' },
    ];
    expect(podSpec(vmcp, { volumes }).volumes).toEqual([
      { name: 'vmcp-config', configMap: { name: 'demo-vmcp-config' } },
      {
        name: 'ca-bundle-internal',
        configMap: { name: 'internal-ca', items: [{ key: 'bundle.pem', path: 'bundle.pem' }] },
      },
      {
        name: 'otel-ca-bundle-otel-ca',
        configMap: { name: 'otel-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] },
      },
      { name: 'whole', configMap: { name: 'all-keys' } },
    ]);
    expect(vmcpContainer(vmcp, { volumes }).volumeMounts).toEqual([
      { name: 'vmcp-config', mountPath: '/etc/vmcp-config', readOnly: true },
      { name: 'ca-bundle-internal', mountPath: '/etc/toolhive/ca-bundles/internal', readOnly: true },
      { name: 'otel-ca-bundle-otel-ca', mountPath: '/config/certs/otel/otel-ca', readOnly: true },
      { name: 'whole', mountPath: '/etc/whole', readOnly: true },
    ]);
  });

  it('is deterministic and what the apiserver stores: a stored copy shows no drift', () => {
    const vmcp = parsedVmcp({
      podTemplateSpec: {
        spec: { containers: [{ name: 'vmcp', resources: { limits: { cpu: '0.5', memory: '1024Mi' } } }] },
      },
    });
    const desired = withAppliedHash(vmcpDeployment(vmcp, inputs()));
    expect(withAppliedHash(vmcpDeployment(vmcp, inputs()))).toEqual(desired);
    // What the apiserver stores: our fields plus its defaults.
    const stored = structuredClone(desired);
    Object.assign(stored.spec, { replicas: 1, strategy: { type: 'RollingUpdate' } });
    for (const c of stored.spec.template.spec.containers as Json[]) {
      Object.assign(c, { terminationMessagePath: '/dev/termination-log' });
    }
    expect(findDrift(desired, stored)).toBeUndefined();
    expect(vmcpContainer(vmcp).resources).toEqual({
      limits: { cpu: '500m', memory: '1Gi' },
      requests: { cpu: '100m', memory: '128Mi' },
    });
  });
});

describe('vmcpEnv', () => {
  const headerForward: EnvVar[] = [
    { name: 'TOOLHIVE_HEADER_FORWARD_API', value: '{"addPlaintextHeaders":{"X-Team":"a"}}' },
    {
      name: 'TOOLHIVE_SECRET_HEADER_FORWARD_X_KEY_API',
      valueFrom: { secretKeyRef: { name: 'api', key: 'k' } },
    },
  ];
  const telemetry: EnvVar[] = [
    { name: 'OTEL_RESOURCE_ATTRIBUTES', value: 'service.name=demo,service.namespace=team-a' },
    { name: 'TOOLHIVE_OTEL_HEADER_X_API_KEY', valueFrom: { secretKeyRef: { name: 'otel', key: 'api-key' } } },
  ];

  it("is in ToolHive's order: name, namespace, header forward, HMAC, redis, OTEL, defaults", () => {
    const vmcp = parsedVmcp({
      sessionStorage: {
        provider: 'redis',
        address: 'redis:6379',
        passwordRef: { name: 'redis', key: 'password' },
      },
    });
    expect(vmcpEnv(vmcp, { headerForward, telemetry })).toEqual([
      { name: 'VMCP_NAME', value: 'demo' },
      { name: 'VMCP_NAMESPACE', value: 'team-a' },
      ...headerForward,
      hmacEnv,
      { name: 'THV_SESSION_REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis', key: 'password' } } },
      ...telemetry,
      ...defaults,
      { name: 'TOOLHIVE_SECRETS_PROVIDER', value: 'environment' },
    ]);
  });

  it('leaves the redis password out without redis or without a passwordRef', () => {
    for (const sessionStorage of [{ provider: 'memory' }, { provider: 'redis', address: 'redis:6379' }]) {
      expect(envNames(vmcpEnv(parsedVmcp({ sessionStorage }), { headerForward: [], telemetry: [] }))).toEqual(
        [
          'VMCP_NAME',
          'VMCP_NAMESPACE',
          'VMCP_SESSION_HMAC_SECRET',
          'XDG_CONFIG_HOME',
          'HOME',
          'TOOLHIVE_RUNTIME',
          'UNSTRUCTURED_LOGS',
        ],
      );
    }
  });

  it('keeps the last of a repeated name, in the last place, and appends no default already set', () => {
    const env = vmcpEnv(parsedVmcp(), {
      headerForward: [{ name: 'HOME', value: '/home/vmcp' }],
      telemetry: [{ name: 'VMCP_NAME', value: 'override' }],
    });
    expect(envNames(env)).toEqual([
      'VMCP_NAMESPACE',
      'HOME',
      'VMCP_SESSION_HMAC_SECRET',
      'VMCP_NAME',
      'XDG_CONFIG_HOME',
      'TOOLHIVE_RUNTIME',
      'UNSTRUCTURED_LOGS',
    ]);
    expect(env.find((e) => e.name === 'VMCP_NAME')?.value).toBe('override');
  });

  it('does not share objects with its inputs', () => {
    const telemetryInput: EnvVar[] = [
      { name: 'OTEL_X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
    ];
    const env = vmcpEnv(parsedVmcp(), { headerForward: [], telemetry: telemetryInput });
    const ref = env.find((e) => e.name === 'OTEL_X')?.valueFrom?.secretKeyRef;
    expect(ref).toEqual({ name: 's', key: 'k' });
    if (ref) ref.name = 'changed';
    expect(telemetryInput[0]?.valueFrom?.secretKeyRef?.name).toBe('s');
  });
});

describe('spec.podTemplateSpec', () => {
  it('merges onto the vmcp container by name and appends sidecars (strategic merge)', () => {
    const vmcp = parsedVmcp({
      podTemplateSpec: {
        metadata: { labels: { team: 'a', app: 'hijack' }, annotations: { 'example.com/x': 'y' } },
        spec: {
          nodeSelector: { pool: 'mcp' },
          tolerations: [{ key: 'dedicated', operator: 'Exists' }],
          containers: [
            {
              name: 'vmcp',
              resources: { requests: { cpu: '0.25' } },
              env: [
                { name: 'EXTRA', value: '1' },
                { name: 'HOME', value: '/data' },
              ],
              ports: [{ name: 'metrics', containerPort: 9090 }],
            },
            { name: 'sidecar', image: 'busybox', ports: [{ containerPort: 8081 }] },
          ],
          volumes: [{ name: 'scratch', emptyDir: {} }],
        },
      },
    });
    const deployment = vmcpDeployment(vmcp, inputs());
    const { metadata, spec } = deployment.spec.template;
    expect(metadata.labels).toEqual({ ...labels, team: 'a' });
    expect(metadata.annotations).toEqual({
      'example.com/x': 'y',
      'toolhive.stacklok.dev/runconfig-checksum': 'sum-1',
    });
    expect(spec.nodeSelector).toEqual({ pool: 'mcp' });
    expect(spec.tolerations).toEqual([{ key: 'dedicated', operator: 'Exists' }]);
    const [main, sidecar] = spec.containers as (Json & { env: EnvVar[] })[];
    expect(main?.resources).toEqual({
      limits: { cpu: '500m', memory: '512Mi' },
      requests: { cpu: '250m', memory: '128Mi' },
    });
    expect(main?.env.find((e) => e.name === 'HOME')).toEqual({ name: 'HOME', value: '/data' });
    expect(main?.env.at(-1)).toEqual({ name: 'EXTRA', value: '1' });
    expect(main?.ports).toEqual([
      { name: 'http', containerPort: 4483, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
    ]);
    expect(main?.image).toBe(image);
    expect(sidecar).toEqual({
      name: 'sidecar',
      image: 'busybox',
      ports: [{ containerPort: 8081, protocol: 'TCP' }],
    });
    expect((spec.volumes as Json[]).map((v) => v.name)).toEqual(['vmcp-config', 'scratch']);
  });

  it('lets null delete a generated field and replaces lists without a merge key', () => {
    const vmcp = parsedVmcp({
      podTemplateSpec: {
        spec: {
          securityContext: null,
          containers: [{ name: 'vmcp', args: ['serve', '--custom'], livenessProbe: null }],
        },
      },
    });
    const spec = podSpec(vmcp);
    expect(spec).not.toHaveProperty('securityContext');
    expect(vmcpContainer(vmcp).args).toEqual(['serve', '--custom']);
    expect(vmcpContainer(vmcp)).not.toHaveProperty('livenessProbe');
    const plain = parsedVmcp({
      podTemplateSpec: {
        spec: {
          containers: [
            { name: 'vmcp', env: [{ name: 'VMCP_SESSION_HMAC_SECRET', value: 'x', valueFrom: null }] },
          ],
        },
      },
    });
    expect(vmcpContainer(plain).env.find((e) => e.name === 'VMCP_SESSION_HMAC_SECRET')).toEqual({
      name: 'VMCP_SESSION_HMAC_SECRET',
      value: 'x',
    });
  });

  it('reports a template that is no pod template and refuses to build from it', () => {
    const vmcp = parsedVmcp({
      podTemplateSpec: { spec: { containers: [{ name: 7, env: [{ value: 'x' }] }], nodeSelector: 'x' } },
    });
    const check = checkPodTemplateSpec(vmcp.spec.podTemplateSpec);
    expect(check).toEqual({
      ok: false,
      message:
        'spec.podTemplateSpec.spec.containers[0].name: expected string, got number; ' +
        'spec.podTemplateSpec.spec.containers[0].env[0].name: expected string, got nothing; ' +
        'spec.podTemplateSpec.spec.nodeSelector: expected object (a map), got string "x"',
    });
    expect(() => vmcpDeployment(vmcp, inputs())).toThrow(InvalidPodTemplateError);
  });

  it('refuses strategic-merge directives, bad quantities and mistyped fields, accepts an absent or empty template', () => {
    expect(checkPodTemplateSpec({ spec: { containers: [{ name: 'vmcp', $patch: 'delete' }] } })).toEqual({
      ok: false,
      message:
        'spec.podTemplateSpec.spec.containers[0]["$patch"]: strategic-merge directives are not supported',
    });
    expect(
      checkPodTemplateSpec({
        spec: { containers: [{ name: 'vmcp', resources: { limits: { cpu: 'lots' } } }] },
      }),
    ).toEqual({
      ok: false,
      message:
        'spec.podTemplateSpec.spec.containers[0].resources.limits.cpu: expected quantity (e.g. 500m, 128Mi), got string "lots"',
    });
    expect(checkPodTemplateSpec({ spec: { hostUsers: 'no' } })).toEqual({
      ok: false,
      message: 'spec.podTemplateSpec.spec.hostUsers: expected boolean, got string "no"',
    });
    expect(checkPodTemplateSpec(undefined)).toEqual({ ok: true });
    expect(checkPodTemplateSpec({})).toEqual({ ok: true });
    expect(vmcpDeployment(parsedVmcp({ podTemplateSpec: {} }), inputs())).toEqual(
      vmcpDeployment(parsedVmcp(), inputs()),
    );
  });
});

describe('vmcpService', () => {
  it('is vmcp-<n> on 4483/TCP with the spec type and affinity (CRD defaults ClusterIP, ClientIP)', () => {
    expect(vmcpService(parsedVmcp())).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'vmcp-demo', namespace: 'team-a', labels },
      spec: {
        type: 'ClusterIP',
        selector: labels,
        ports: [{ name: 'http', port: 4483, targetPort: 4483, protocol: 'TCP' }],
        sessionAffinity: 'ClientIP',
      },
    });
    const spec = vmcpService(parsedVmcp({ serviceType: 'LoadBalancer', sessionAffinity: 'None' }))
      .spec as Json;
    expect(spec.type).toBe('LoadBalancer');
    expect(spec.sessionAffinity).toBe('None');
  });
});
