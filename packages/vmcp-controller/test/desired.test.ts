import { formatFieldErrors, parseMCPTelemetryConfig, parseVirtualMCPServer } from '@mcp-controllers/api';
import { describe, expect, it } from 'vitest';
import { buildVmcpConfig } from '../src/config.js';
import { desiredObjects } from '../src/desired.js';
import type { Member } from '../src/members.js';
import type { VirtualServer } from '../src/types.js';

const namespace = 'team-a';
const image = 'ghcr.io/stacklok/toolhive/vmcp:v0.44.0';

function vmcp(spec: Record<string, unknown> = {}): VirtualServer {
  const parsed = parseVirtualMCPServer({
    apiVersion: 'toolhive.stacklok.dev/v1beta1',
    kind: 'VirtualMCPServer',
    metadata: { name: 'hub', namespace, generation: 1, uid: 'uid-1' },
    spec: { groupRef: { name: 'g' }, incomingAuth: { type: 'anonymous' }, ...spec },
  });
  if (!parsed.ok) throw new Error(`fixture does not parse: ${formatFieldErrors(parsed.errors)}`);
  return { ...parsed.value, metadata: { ...parsed.value.metadata, name: 'hub', namespace } };
}

const entry: Member = {
  kind: 'MCPServerEntry',
  object: {
    metadata: { name: 'docs', namespace },
    spec: {
      remoteUrl: 'https://docs.example.com/mcp',
      transport: 'streamable-http',
      groupRef: { name: 'g' },
      caBundleRef: { configMapRef: { name: 'docs-ca', key: 'ca.pem' } },
      headerForward: { addPlaintextHeaders: { 'X-Tenant': 'acme' } },
    },
    status: { phase: 'Valid' },
  },
};

const telemetrySpec = () => {
  const parsed = parseMCPTelemetryConfig({
    apiVersion: 'toolhive.stacklok.dev/v1beta1',
    kind: 'MCPTelemetryConfig',
    metadata: { name: 'otel', namespace },
    spec: {
      openTelemetry: {
        enabled: true,
        endpoint: 'https://collector:4318',
        tracing: { enabled: true },
        caBundleRef: { configMapRef: { name: 'otel-ca', key: 'ca.crt' } },
        sensitiveHeaders: [{ name: 'x-api-key', secretKeyRef: { name: 'otel-key', key: 'token' } }],
      },
    },
  });
  if (!parsed.ok) throw new Error(formatFieldErrors(parsed.errors));
  return parsed.value.spec;
};

type Deployment = {
  spec: {
    replicas?: number;
    template: {
      metadata: { annotations: Record<string, string> };
      spec: {
        containers: { env: { name: string; value?: string }[] }[];
        volumes: { name: string }[];
      };
    };
  };
};

const build = (v: VirtualServer, members: Member[] = [entry], withTelemetry = false) => {
  const telemetry = withTelemetry ? { spec: telemetrySpec(), serviceName: 'gateway' } : undefined;
  const config = buildVmcpConfig(v, { members, ...(telemetry ? { telemetry } : {}) });
  return desiredObjects(v, { config, members, image, ...(telemetry ? { telemetry } : {}) });
};

describe('desiredObjects', () => {
  it('lists RBAC, the ConfigMap, the Deployment (checksum of the ConfigMap) and the Service, in apply order', () => {
    const { objects, replicas } = build(vmcp());
    expect(objects.map((o) => `${o.resource.kind}/${o.object.metadata.name ?? ''}`)).toEqual([
      'ServiceAccount/hub-vmcp',
      'Role/hub-vmcp',
      'RoleBinding/hub-vmcp',
      'ConfigMap/hub-vmcp-config',
      'Deployment/hub',
      'Service/vmcp-hub',
    ]);
    expect(replicas).toBeUndefined();
    const configMap = objects[3]?.object;
    const deployment = objects[4]?.object as unknown as Deployment;
    const checksum = configMap?.metadata.annotations?.['toolhive.stacklok.dev/content-checksum'];
    expect(checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(deployment.spec.template.metadata.annotations['toolhive.stacklok.dev/runconfig-checksum']).toBe(
      checksum,
    );
  });

  it('keeps replicas out of the Deployment and returns them apart; no RBAC with spec.serviceAccount', () => {
    const { objects, replicas } = build(vmcp({ replicas: 3, serviceAccount: 'own' }));
    expect(replicas).toBe(3);
    expect(objects.map((o) => o.resource.kind)).toEqual(['ConfigMap', 'Deployment', 'Service']);
    expect((objects[1]?.object as unknown as Deployment).spec.replicas).toBeUndefined();
  });

  it('mounts entries’ CA bundles and the telemetry CA, and adds header-forward then telemetry env', () => {
    const { objects } = build(vmcp(), [entry], true);
    const deployment = objects.find((o) => o.resource.kind === 'Deployment')?.object as unknown as Deployment;
    expect(deployment.spec.template.spec.volumes.map((v) => v.name)).toEqual([
      'vmcp-config',
      'ca-bundle-docs',
      'otel-ca-bundle-otel-ca',
    ]);
    const env = deployment.spec.template.spec.containers[0]?.env ?? [];
    const names = env.map((e) => e.name);
    expect(names.indexOf('TOOLHIVE_HEADER_FORWARD_DOCS')).toBeLessThan(
      names.indexOf('VMCP_SESSION_HMAC_SECRET'),
    );
    expect(names.indexOf('VMCP_SESSION_HMAC_SECRET')).toBeLessThan(names.indexOf('OTEL_RESOURCE_ATTRIBUTES'));
    expect(env.find((e) => e.name === 'OTEL_RESOURCE_ATTRIBUTES')?.value).toBe(
      `service.name=gateway,service.namespace=${namespace}`,
    );
    expect(names).toContain('TOOLHIVE_OTEL_HEADER_X_API_KEY');
  });

  it('changes the pod checksum when a member changes config.yaml, and only then', () => {
    const inline = vmcp({ outgoingAuth: { source: 'inline' } });
    const checksumOf = (members: Member[]) =>
      (
        build(inline, members).objects.find((o) => o.resource.kind === 'Deployment')
          ?.object as unknown as Deployment
      ).spec.template.metadata.annotations['toolhive.stacklok.dev/runconfig-checksum'];
    const moved: Member = {
      ...entry,
      object: {
        ...entry.object,
        spec: { ...(entry.object.spec as object), remoteUrl: 'https://new.example.com/mcp' },
      },
    };
    expect(checksumOf([entry])).toBe(checksumOf([structuredClone(entry)]));
    expect(checksumOf([moved])).not.toBe(checksumOf([entry]));
  });
});
