import { findDrift, withAppliedHash } from '@mcp-controllers/core';
import { describe, expect, it } from 'vitest';
import { desiredReplicas, effectiveProxyMode, serverLabels, serverNames, serverURL } from '../src/names.js';
import { podPatch } from '../src/pod-patch.js';
import { canonicalQuantity } from '@mcp-controllers/core';
import { proxyService } from '../src/service.js';
import type { Server, TelemetryWiring } from '../src/types.js';
import { proxyDeployment, type ProxyDeploymentInputs } from '../src/workload.js';
import { parsedServer, yardstickSpec } from './builder-fixture.js';

const runnerImage = 'ghcr.io/stacklok/toolhive/proxyrunner:v0.44.0';
const yardstickLabels = {
  app: 'mcpserver',
  'app.kubernetes.io/instance': 'yardstick',
  'app.kubernetes.io/name': 'mcpserver',
  toolhive: 'true',
  'toolhive-name': 'yardstick',
};
const minimalPatch = '{"metadata":{},"spec":{"containers":[],"serviceAccountName":"yardstick-sa"}}';
const probe = { httpGet: { path: '/health', port: 'http' } };

function inputsFor(server: Server, extra: Partial<ProxyDeploymentInputs> = {}): ProxyDeploymentInputs {
  const patch = podPatch(server);
  if (!patch.ok) throw new Error(patch.message);
  return { runConfigChecksum: 'sum-1', podPatch: patch.json, runnerImage, ...extra };
}
const build = (server: Server, extra: Partial<ProxyDeploymentInputs> = {}) =>
  proxyDeployment(server, inputsFor(server, extra));
const container = (server: Server, extra: Partial<ProxyDeploymentInputs> = {}) =>
  build(server, extra).spec.template.spec.containers[0];

const telemetry: TelemetryWiring = {
  runtime: { endpoint: 'otel:4318' },
  env: [
    { name: 'OTEL_RESOURCE_ATTRIBUTES', value: 'service.name=yardstick,service.namespace=toolhive-system' },
    { name: 'TOOLHIVE_OTEL_HEADER_X_API_KEY', valueFrom: { secretKeyRef: { name: 'otel', key: 'api-key' } } },
  ],
  volumes: [
    {
      name: 'otel-ca-bundle-otel-ca',
      configMap: { name: 'otel-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] },
    },
  ],
  volumeMounts: [{ name: 'otel-ca-bundle-otel-ca', mountPath: '/config/certs/otel/otel-ca', readOnly: true }],
};

describe('ToolHive streamable-http baseline (yardstick)', () => {
  const server = parsedServer(yardstickSpec);

  it('names and labels everything as labelsForMCPServer and the b.1 table do', () => {
    expect(serverNames('yardstick')).toEqual({
      deployment: 'yardstick',
      runConfig: 'yardstick-runconfig',
      proxyService: 'mcp-yardstick-proxy',
      runner: 'yardstick-proxy-runner',
      mcpServiceAccount: 'yardstick-sa',
      statefulSet: 'yardstick',
      headlessService: 'mcp-yardstick-headless',
      mcpService: 'mcp-yardstick',
    });
    expect(serverLabels('yardstick')).toEqual(yardstickLabels);
    expect(serverURL(server)).toBe('http://mcp-yardstick-proxy.toolhive-system.svc.cluster.local:8080/mcp');
  });

  it('builds the proxy Deployment field for field', () => {
    expect(proxyDeployment(server, inputsFor(server))).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'yardstick', namespace: 'toolhive-system', labels: yardstickLabels },
      spec: {
        selector: { matchLabels: yardstickLabels },
        template: {
          metadata: {
            labels: yardstickLabels,
            annotations: {
              'toolhive.stacklok.dev/mcpserver-generation': '1',
              'toolhive.stacklok.dev/runconfig-checksum': 'sum-1',
            },
          },
          spec: {
            serviceAccountName: 'yardstick-proxy-runner',
            terminationGracePeriodSeconds: 30,
            containers: [
              {
                name: 'toolhive',
                image: runnerImage,
                args: [
                  'run',
                  `--k8s-pod-patch=${minimalPatch}`,
                  'ghcr.io/stackloklabs/yardstick/yardstick-server:1.1.1',
                ],
                ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
                env: [
                  {
                    name: 'THV_MCPSERVER_GENERATION',
                    valueFrom: {
                      fieldRef: {
                        apiVersion: 'v1',
                        fieldPath: "metadata.annotations['toolhive.stacklok.dev/mcpserver-generation']",
                      },
                    },
                  },
                  { name: 'XDG_CONFIG_HOME', value: '/tmp' },
                  { name: 'HOME', value: '/tmp' },
                  { name: 'TOOLHIVE_RUNTIME', value: 'kubernetes' },
                  { name: 'UNSTRUCTURED_LOGS', value: 'false' },
                ],
                resources: {
                  limits: { cpu: '100m', memory: '128Mi' },
                  requests: { cpu: '50m', memory: '64Mi' },
                },
                volumeMounts: [{ name: 'runconfig', mountPath: '/etc/runconfig', readOnly: true }],
                startupProbe: { ...probe, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 18 },
                livenessProbe: {
                  ...probe,
                  initialDelaySeconds: 30,
                  periodSeconds: 10,
                  timeoutSeconds: 5,
                  failureThreshold: 3,
                },
                readinessProbe: {
                  ...probe,
                  initialDelaySeconds: 5,
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
            volumes: [{ name: 'runconfig', configMap: { name: 'yardstick-runconfig' } }],
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

  it('builds the proxy Service', () => {
    expect(proxyService(server)).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'mcp-yardstick-proxy', namespace: 'toolhive-system', labels: yardstickLabels },
      spec: {
        type: 'ClusterIP',
        selector: yardstickLabels,
        ports: [{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }],
        sessionAffinity: 'ClientIP',
      },
    });
  });

  it('emits no owner references (the reconcile adds them)', () => {
    expect(build(server).metadata.ownerReferences).toBeUndefined();
    expect(proxyService(server).metadata.ownerReferences).toBeUndefined();
  });

  it('is a subset of what the apiserver stores, defaults and a rollout restart included', () => {
    const applied = withAppliedHash(build(server));
    const live = structuredClone(applied);
    const pod = live.spec.template;
    // What the apiserver and kubectl add around our fields.
    pod.metadata.annotations['kubectl.kubernetes.io/restartedAt'] = '2026-11-29T00:00:00Z';
    Object.assign(live.spec, { replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600 });
    Object.assign(pod.spec, {
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
    });
    Object.assign(pod.spec.containers[0], {
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
    });
    Object.assign(pod.spec.containers[0].startupProbe.httpGet, { scheme: 'HTTP' });
    Object.assign(pod.spec.volumes[0]?.configMap ?? {}, { defaultMode: 420 });
    expect(findDrift(applied, live)).toBeUndefined();
    // ... and a hand edit of a field we set is drift.
    pod.spec.containers[0].args[2] = 'other:image';
    expect(findDrift(applied, live)).toBe('spec.template.spec.containers[name=toolhive].args[2]');
  });

  it('never emits the rollout-restart annotation, whatever the overrides say', () => {
    const annotated = parsedServer({
      ...yardstickSpec,
      resourceOverrides: {
        proxyDeployment: { podTemplateMetadataOverrides: { annotations: { team: 'a' } } },
      },
    });
    expect(Object.keys(build(annotated).spec.template.metadata.annotations)).toEqual([
      'team',
      'toolhive.stacklok.dev/mcpserver-generation',
      'toolhive.stacklok.dev/runconfig-checksum',
    ]);
  });
});

describe('replicas', () => {
  it('leaves spec.replicas out when the MCPServer does not set it', () => {
    const dep = build(parsedServer(yardstickSpec));
    expect('replicas' in dep.spec).toBe(false);
    expect(desiredReplicas({ transport: 'stdio' })).toEqual({ capped: false });
  });

  it('caps a stdio server at 1 and says so', () => {
    const stdio = parsedServer({ image: 'x', transport: 'stdio', replicas: 3 });
    expect(desiredReplicas(stdio.spec)).toEqual({ replicas: 1, capped: true });
    expect(build(stdio).spec.replicas).toBe(1);
    expect(desiredReplicas({ transport: 'stdio', replicas: 1 })).toEqual({ replicas: 1, capped: false });
    expect(desiredReplicas({ transport: 'stdio', replicas: 0 })).toEqual({ replicas: 0, capped: false });
  });

  it('passes HTTP transports through uncapped, zero included', () => {
    expect(build(parsedServer({ ...yardstickSpec, replicas: 3 })).spec.replicas).toBe(3);
    expect(build(parsedServer({ ...yardstickSpec, replicas: 0 })).spec.replicas).toBe(0);
  });
});

describe('proxy mode and URL', () => {
  it.each([
    [{ transport: 'streamable-http' }, 'streamable-http', '/mcp'],
    [{ transport: 'sse' }, 'sse', '/sse#srv'],
    // The CRD defaults proxyMode to streamable-http; an sse server must still be sse (§11 #13).
    [{ transport: 'sse', proxyMode: 'streamable-http' }, 'sse', '/sse#srv'],
    [{ transport: 'stdio' }, 'streamable-http', '/mcp'],
    [{ transport: 'stdio', proxyMode: 'sse' }, 'sse', '/sse#srv'],
  ] as const)('%o -> %s', (spec, mode, path) => {
    const server = parsedServer({ image: 'x', proxyPort: 9090, ...spec }, { name: 'srv', namespace: 'ns' });
    expect(effectiveProxyMode(server.spec)).toBe(mode);
    expect(serverURL(server)).toBe(`http://mcp-srv-proxy.ns.svc.cluster.local:9090${path}`);
  });
});

describe('env of the toolhive container', () => {
  const names = (server: Server, extra: Partial<ProxyDeploymentInputs> = {}) =>
    container(server, extra).env.map((e) => e.name);

  it('follows ToolHive order: telemetry, overrides, redis password, generation, defaults', () => {
    const server = parsedServer({
      ...yardstickSpec,
      resourceOverrides: {
        proxyDeployment: {
          env: [
            { name: 'TOOLHIVE_SECRET_token', value: 'token,target=x' },
            { name: 'LOG_LEVEL', value: 'debug' },
          ],
        },
      },
      sessionStorage: { provider: 'redis', address: 'redis:6379', passwordRef: { name: 'redis', key: 'pw' } },
    });
    const env = container(server, { telemetry }).env;
    expect(env.map((e) => e.name)).toEqual([
      'OTEL_RESOURCE_ATTRIBUTES',
      'TOOLHIVE_OTEL_HEADER_X_API_KEY',
      'TOOLHIVE_SECRET_token',
      'LOG_LEVEL',
      'THV_SESSION_REDIS_PASSWORD',
      'THV_MCPSERVER_GENERATION',
      'XDG_CONFIG_HOME',
      'HOME',
      'TOOLHIVE_RUNTIME',
      'UNSTRUCTURED_LOGS',
      'TOOLHIVE_SECRETS_PROVIDER',
    ]);
    expect(env[1]).toEqual(telemetry.env[1]);
    expect(env[4]).toEqual({
      name: 'THV_SESSION_REDIS_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'redis', key: 'pw' } },
    });
    expect(env.at(-1)).toEqual({ name: 'TOOLHIVE_SECRETS_PROVIDER', value: 'environment' });
  });

  it('adds no redis password for memory storage or without passwordRef', () => {
    const memory = parsedServer({ ...yardstickSpec, sessionStorage: { provider: 'memory' } });
    const noRef = parsedServer({ ...yardstickSpec, sessionStorage: { provider: 'redis', address: 'r:1' } });
    expect(names(memory)).not.toContain('THV_SESSION_REDIS_PASSWORD');
    expect(names(noRef)).not.toContain('THV_SESSION_REDIS_PASSWORD');
  });

  it('keeps a default the overrides set, and the last of a name set twice', () => {
    const server = parsedServer({
      ...yardstickSpec,
      resourceOverrides: {
        proxyDeployment: {
          env: [
            { name: 'HOME', value: '/home/proxy' },
            { name: 'TOOLHIVE_SECRETS_PROVIDER', value: 'encrypted' },
            { name: 'TOOLHIVE_SECRET_a', value: 'a' },
            { name: 'THV_MCPSERVER_GENERATION', value: '7' },
          ],
        },
      },
    });
    const env = container(server).env;
    expect(env.map((e) => e.name)).toEqual([
      'HOME',
      'TOOLHIVE_SECRET_a',
      'THV_MCPSERVER_GENERATION',
      'XDG_CONFIG_HOME',
      'TOOLHIVE_RUNTIME',
      'UNSTRUCTURED_LOGS',
      'TOOLHIVE_SECRETS_PROVIDER',
    ]);
    expect(env.find((e) => e.name === 'HOME')?.value).toBe('/home/proxy');
    expect(env.find((e) => e.name === 'TOOLHIVE_SECRETS_PROVIDER')?.value).toBe('environment');
    expect(env.find((e) => e.name === 'THV_MCPSERVER_GENERATION')?.valueFrom?.fieldRef?.apiVersion).toBe(
      'v1',
    );
  });

  it('sets no secrets provider when only TOOLHIVE_SECRETS_PROVIDER itself is there', () => {
    const server = parsedServer({
      ...yardstickSpec,
      resourceOverrides: {
        proxyDeployment: { env: [{ name: 'TOOLHIVE_SECRETS_PROVIDER', value: 'encrypted' }] },
      },
    });
    expect(container(server).env.find((e) => e.name === 'TOOLHIVE_SECRETS_PROVIDER')?.value).toBe(
      'encrypted',
    );
  });
});

describe('volumes and mounts', () => {
  it('places runconfig, user host paths, the permission profile and the telemetry CA in ToolHive order', () => {
    const server = parsedServer({
      ...yardstickSpec,
      volumes: [
        { name: 'data', hostPath: '/srv/data', mountPath: '/data', readOnly: true },
        { name: 'cache', hostPath: '/srv/cache', mountPath: '/cache' },
      ],
      permissionProfile: { type: 'configmap', name: 'profiles', key: 'p.json' },
    });
    const dep = build(server, { telemetry });
    expect(dep.spec.template.spec.volumes).toEqual([
      { name: 'runconfig', configMap: { name: 'yardstick-runconfig' } },
      { name: 'data', hostPath: { path: '/srv/data' } },
      { name: 'cache', hostPath: { path: '/srv/cache' } },
      { name: 'permission-profile', configMap: { name: 'profiles' } },
      telemetry.volumes[0],
    ]);
    expect(dep.spec.template.spec.containers[0].volumeMounts).toEqual([
      { name: 'runconfig', mountPath: '/etc/runconfig', readOnly: true },
      { name: 'data', mountPath: '/data', readOnly: true },
      { name: 'cache', mountPath: '/cache' },
      { name: 'permission-profile', mountPath: '/etc/toolhive/profiles', readOnly: true },
      telemetry.volumeMounts[0],
    ]);
  });

  it('mounts no permission profile of type builtin', () => {
    const server = parsedServer({
      ...yardstickSpec,
      permissionProfile: { type: 'builtin', name: 'network' },
    });
    expect(build(server).spec.template.spec.volumes.map((v) => v.name)).toEqual(['runconfig']);
  });

  it('does not share the wiring objects with the output', () => {
    const server = parsedServer(yardstickSpec);
    const dep = build(server, { telemetry });
    dep.spec.template.spec.volumes[1]?.configMap?.items?.push({ key: 'x', path: 'x' });
    dep.spec.template.spec.containers[0].env[0]!.value = 'changed';
    expect(telemetry.volumes[0]?.configMap?.items).toHaveLength(1);
    expect(telemetry.env[0]?.value).toBe('service.name=yardstick,service.namespace=toolhive-system');
  });
});

describe('resource overrides', () => {
  const server = parsedServer({
    ...yardstickSpec,
    resourceOverrides: {
      proxyDeployment: {
        labels: { team: 'a', app: 'theirs' },
        annotations: { 'example.com/owner': 'team-a' },
        podTemplateMetadataOverrides: {
          labels: { 'sidecar.istio.io/inject': 'false', toolhive: 'false' },
          annotations: {
            'toolhive.stacklok.dev/runconfig-checksum': 'forged',
            'prometheus.io/scrape': 'true',
          },
        },
        imagePullSecrets: [{ name: 'regcred' }, {}, { name: 'regcred' }, { name: 'other' }],
      },
      proxyService: {
        labels: { team: 'a', 'toolhive-name': 'x' },
        annotations: { 'lb.example.com/internal': 'true' },
      },
    },
  });
  const dep = build(server);

  it('merges labels and annotations, our labels winning, selector untouched', () => {
    expect(dep.metadata.labels).toEqual({ ...yardstickLabels, team: 'a' });
    expect(dep.metadata.annotations).toEqual({ 'example.com/owner': 'team-a' });
    expect(dep.spec.selector.matchLabels).toEqual(yardstickLabels);
    expect(dep.spec.template.metadata.labels).toEqual({
      ...yardstickLabels,
      'sidecar.istio.io/inject': 'false',
    });
    expect(dep.spec.template.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'toolhive.stacklok.dev/mcpserver-generation': '1',
      'toolhive.stacklok.dev/runconfig-checksum': 'sum-1',
    });
  });

  it('sets named, distinct pull secrets on the pod', () => {
    expect(dep.spec.template.spec.imagePullSecrets).toEqual([{ name: 'regcred' }, { name: 'other' }]);
  });

  it('merges the Service overrides the same way', () => {
    const svc = proxyService(server) as {
      metadata: { labels: unknown; annotations: unknown };
      spec: { selector: unknown };
    };
    expect(svc.metadata.labels).toEqual({ ...yardstickLabels, team: 'a' });
    expect(svc.metadata.annotations).toEqual({ 'lb.example.com/internal': 'true' });
    expect(svc.spec.selector).toEqual(yardstickLabels);
  });
});

describe('proxy Service', () => {
  it('follows proxyPort and sessionAffinity', () => {
    const svc = proxyService(parsedServer({ ...yardstickSpec, proxyPort: 9000, sessionAffinity: 'None' }));
    expect(svc.spec).toEqual({
      type: 'ClusterIP',
      selector: yardstickLabels,
      ports: [{ name: 'http', port: 9000, targetPort: 9000, protocol: 'TCP' }],
      sessionAffinity: 'None',
    });
  });
});

describe('resources', () => {
  it.each([
    ['100m', '100m'],
    ['0.5', '500m'],
    ['1.0', '1'],
    ['1000m', '1'],
    ['1000', '1k'],
    ['2', '2'],
    ['0.1', '100m'],
    ['1.0001', '1000100u'],
    ['0.0000000001', '1n'],
    ['128Mi', '128Mi'],
    ['1024Mi', '1Gi'],
    ['1536Mi', '1536Mi'],
    ['1.5Gi', '1536Mi'],
    ['0.5Gi', '512Mi'],
    ['0.5Ki', '512'],
    ['1Ki', '1Ki'],
    ['134217728', '134217728'],
    ['129e6', '129e6'],
    ['12e2', '1200'],
    ['1E3', '1e3'],
    ['500M', '500M'],
    ['1000M', '1G'],
    ['0', '0'],
    ['0Mi', '0'],
    [' 64Mi ', '64Mi'],
  ])('canonical form of %s is %s', (input, canonical) => {
    expect(canonicalQuantity(input)).toBe(canonical);
  });

  it.each(['', 'abc', '1.2.3', '5 Mi', '1e', '10mi', 'Mi'])('rejects %o', (input) => {
    expect(canonicalQuantity(input)).toBeUndefined();
  });

  it('writes spec.resources canonically and leaves out what is unset', () => {
    const server = parsedServer({ image: 'x', resources: { limits: { cpu: '0.5', memory: '1024Mi' } } });
    expect(container(server).resources).toEqual({ limits: { cpu: '500m', memory: '1Gi' } });
    expect('resources' in container(parsedServer({ image: 'x' }))).toBe(false);
    expect('resources' in container(parsedServer({ image: 'x', resources: { requests: {} } }))).toBe(false);
  });
});

describe('determinism', () => {
  it('gives deep-equal output, in the same key order, for equal inputs', () => {
    const spec = {
      ...yardstickSpec,
      secrets: [{ name: 's', key: 'k' }],
      resourceOverrides: {
        proxyDeployment: { labels: { z: '1', a: '2' }, env: [{ name: 'B', value: '1' }] },
      },
    };
    const first = build(parsedServer(spec), { telemetry });
    const second = build(parsedServer(structuredClone(spec)), { telemetry: structuredClone(telemetry) });
    expect(second).toEqual(first);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    expect(Object.keys(first.metadata.labels ?? {})).toEqual(
      [...Object.keys(first.metadata.labels ?? {})].sort(),
    );
  });

  it('omits the pod patch flag only when there is no patch', () => {
    const server = parsedServer(yardstickSpec);
    expect(container(server, { podPatch: '' }).args).toEqual(['run', yardstickSpec.image]);
  });

  it('stamps the generation so the downward-API env resolves per pod', () => {
    const server = parsedServer(yardstickSpec, { generation: 42 });
    expect(
      build(server).spec.template.metadata.annotations['toolhive.stacklok.dev/mcpserver-generation'],
    ).toBe('42');
  });
});
