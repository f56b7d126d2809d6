import { beforeAll, describe, expect, it } from 'vitest';
import {
  KubeClient,
  isInvalid,
  type ApiError,
  type KubeObject,
  type ResourceRef,
} from '@mcp-controllers/core';
import { installCRDs } from '@mcp-controllers/testkit';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import {
  group,
  kinds,
  mcpExternalAuthConfig,
  mcpServer,
  virtualMCPServer,
  generatedCRDPaths,
} from '../src/index.js';
import { storedSpecs } from './compat-expected.js';
import { compatDir, loadManifests, parsers, type Manifest } from './compat.js';

// ToolHive users apply their manifests unchanged: our CRDs must store them as ToolHive's do (same
// defaults, same pruning, same OpenAPI rejections), and parse<Kind>() must agree with the apiserver.
// The apiserver here (1.20) does not run CEL; cel.test.ts covers the rules.

const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane);
const configMaps: ResourceRef = {
  group: '',
  version: 'v1',
  plural: 'configmaps',
  kind: 'ConfigMap',
  namespaced: true,
};
let client: KubeClient;

beforeAll(async () => {
  await installCRDs(controlPlane().kubeConfig, generatedCRDPaths());
  client = new KubeClient(controlPlane().kubeConfig);
});

type Stored = KubeObject & { spec: Record<string, unknown> };
const kindOf = (name: string) => kinds.find((k) => k.kind === name);
const parse = (kind: string, object: unknown) => {
  const parser = parsers[kind];
  if (!parser) throw new Error(`no parser for ${kind}`);
  return parser(object);
};
const parsedSpec = (kind: string, object: unknown): unknown => {
  const result = parse(kind, object);
  return result.ok ? result.value.spec : result.errors;
};

async function apply(m: Pick<Manifest, 'kind' | 'object'>): Promise<Stored> {
  const resource = m.kind === 'ConfigMap' ? configMaps : kindOf(m.kind)?.resource;
  if (!resource) throw new Error(`no resource for ${m.kind}`);
  const object = { ...m.object, metadata: { ...m.object.metadata, namespace: namespace() } };
  return client.create<Stored>(resource, object);
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    return err as ApiError;
  }
  throw new Error('the apiserver accepted an object it should have rejected');
}

const vmcp = (name: string, spec: Record<string, unknown>) => ({
  kind: 'VirtualMCPServer',
  object: {
    apiVersion: `${group}/v1beta1`,
    kind: 'VirtualMCPServer',
    metadata: { name },
    spec: { groupRef: { name: 'g' }, incomingAuth: { type: 'anonymous' }, ...spec },
  },
});

describe('the in-repo compatibility manifests on a real apiserver', () => {
  it('are stored with ToolHive’s defaults, and parse<Kind>() computes the same spec', async () => {
    const manifests = loadManifests(compatDir);
    const ours = manifests.filter((m) => m.kind !== 'ConfigMap');
    expect(ours.map((m) => `${m.kind}/${m.name}`).sort()).toEqual(Object.keys(storedSpecs).sort());
    for (const m of manifests) {
      const stored = await apply(m);
      if (m.kind === 'ConfigMap') continue;
      const key = `${m.kind}/${m.name}`;
      expect(stored.spec, key).toEqual(storedSpecs[key]);
      expect(parsedSpec(m.kind, m.object), key).toEqual(stored.spec);
    }
  });

  it('defaults the typed parts of VirtualMCPServer config and authServerConfig, keeps unknown config fields', async () => {
    const input = vmcp('typed', {
      config: {
        futureSetting: { keep: ['me'] },
        aggregation: {
          conflictResolution: 'priority',
          notAField: true,
          conflictResolutionConfig: { priorityOrder: ['a'] },
        },
        operational: {
          failureHandling: { circuitBreaker: { enabled: true } },
          timeouts: { perWorkload: { a: '5s' } },
        },
        optimizer: { embeddingService: 'http://tei.example:8080' },
        codeMode: { enabled: true },
        audit: {},
        compositeTools: [{ name: 'flow', steps: [{ id: 'one', tool: 'a.b', onError: {} }] }],
      },
      authServerConfig: {
        issuer: 'https://auth.example.com',
        upstreamProviders: [
          { name: 'corp', type: 'oidc', oidcConfig: { issuerUrl: 'https://idp.example.com', clientId: 'c' } },
        ],
        storage: {
          type: 'redis',
          redis: { addr: 'redis:6379', aclUserConfig: { passwordSecretRef: { name: 'r', key: 'p' } } },
        },
      },
    });
    const stored = await apply(input);
    expect(stored.spec.config).toEqual({
      futureSetting: { keep: ['me'] },
      aggregation: {
        conflictResolution: 'priority',
        conflictResolutionConfig: { priorityOrder: ['a'], prefixFormat: '{workload}_' },
      },
      operational: {
        failureHandling: {
          circuitBreaker: { enabled: true, failureThreshold: 5, timeout: '60s' },
          healthCheckInterval: '30s',
          healthCheckTimeout: '10s',
          unhealthyThreshold: 3,
          statusReportingInterval: '30s',
          partialFailureMode: 'fail',
        },
        timeouts: { default: '30s', perWorkload: { a: '5s' } },
      },
      optimizer: {
        embeddingService: 'http://tei.example:8080',
        embeddingProvider: 'tei',
        embeddingServiceTimeout: '30s',
      },
      codeMode: { enabled: true, toolCallTimeout: '30s', stepLimit: 100000, parallelMaxConcurrency: 10 },
      audit: {
        enabled: false,
        includeRequestData: false,
        includeResponseData: false,
        maxDataSize: 1024,
        detectApplicationErrors: true,
        maxDelegationDepth: 10,
      },
      compositeTools: [
        { name: 'flow', steps: [{ id: 'one', tool: 'a.b', type: 'tool', onError: { action: 'abort' } }] },
      ],
    });
    expect(stored.spec.authServerConfig).toEqual({
      issuer: 'https://auth.example.com',
      upstreamProviders: [
        { name: 'corp', type: 'oidc', oidcConfig: { issuerUrl: 'https://idp.example.com', clientId: 'c' } },
      ],
      storage: {
        type: 'redis',
        redis: {
          addr: 'redis:6379',
          aclUserConfig: { passwordSecretRef: { name: 'r', key: 'p' } },
          dialTimeout: '5s',
          readTimeout: '3s',
          writeTimeout: '3s',
        },
      },
      allowConfidentialClientRegistration: false,
      insecureAllowHTTP: false,
      insecureAllowConfidentialOverLoopbackHTTP: false,
      disableUpstreamTokenInjection: false,
    });
    expect(parsedSpec('VirtualMCPServer', input.object)).toEqual(stored.spec);
  });

  it('defaults MCPExternalAuthConfig awsSts as ToolHive does', async () => {
    const input = {
      kind: 'MCPExternalAuthConfig',
      object: {
        apiVersion: `${group}/v1beta1`,
        kind: 'MCPExternalAuthConfig',
        metadata: { name: 'aws' },
        spec: { type: 'awsSts', awsSts: { region: 'eu-west-1' } },
      },
    };
    const stored = await apply(input);
    expect(stored.spec).toEqual({
      type: 'awsSts',
      awsSts: {
        region: 'eu-west-1',
        service: 'aws-mcp',
        roleClaim: 'groups',
        sessionDuration: 3600,
        sessionNameClaim: 'sub',
      },
    });
    expect(parsedSpec('MCPExternalAuthConfig', input.object)).toEqual(stored.spec);
  });

  it('rejects what ToolHive’s schema rejects, naming the field, as parse<Kind>() does', async () => {
    const cases: [string, Pick<Manifest, 'kind' | 'object'>, string][] = [
      [
        'bad-strategy',
        vmcp('bad-strategy', { config: { aggregation: { conflictResolution: 'random' } } }),
        'spec.config.aggregation.conflictResolution',
      ],
      [
        'bad-duration',
        vmcp('bad-duration', {
          config: { operational: { failureHandling: { healthCheckTimeout: 'soon' } } },
        }),
        'spec.config.operational.failureHandling.healthCheckTimeout',
      ],
      [
        'no-providers',
        vmcp('no-providers', { authServerConfig: { issuer: 'https://a.example.com' } }),
        'spec.authServerConfig.upstreamProviders',
      ],
      [
        'short-session',
        {
          kind: 'MCPExternalAuthConfig',
          object: {
            apiVersion: `${group}/v1beta1`,
            kind: 'MCPExternalAuthConfig',
            metadata: { name: 'short-session' },
            spec: { type: 'awsSts', awsSts: { region: 'eu-west-1', sessionDuration: 60 } },
          },
        },
        'spec.awsSts.sessionDuration',
      ],
      [
        'env-without-value',
        {
          kind: 'MCPServer',
          object: {
            apiVersion: `${group}/v1beta1`,
            kind: 'MCPServer',
            metadata: { name: 'env-without-value' },
            spec: { image: 'i', resourceOverrides: { proxyDeployment: { env: [{ name: 'A' }] } } },
          },
        },
        'spec.resourceOverrides.proxyDeployment.env[0].value',
      ],
    ];
    for (const [name, m, field] of cases) {
      const err = await rejection(apply(m));
      expect(isInvalid(err), `${name}: ${String(err)}`).toBe(true);
      // The apiserver names a list entry without its index (`env.value`); parse<Kind>() with it.
      expect(err.message, name).toContain(field.replace(/\[\d+\]/g, ''));
      const parsed = parse(m.kind, m.object);
      expect(parsed.ok ? [] : parsed.errors.map((e) => e.path), name).toContain(field);
    }
  });

  it('prunes fields ToolHive does not have (proxyReadTimeout), keeps the deprecated inline telemetry and env keyed by name', async () => {
    const stored = await apply({
      kind: 'MCPServer',
      object: {
        apiVersion: `${group}/v1beta1`,
        kind: 'MCPServer',
        metadata: { name: 'legacy' },
        spec: {
          image: 'i',
          proxyReadTimeout: '30s',
          telemetry: { prometheus: { enabled: true } },
          resourceOverrides: { proxyDeployment: { env: [{ name: 'A', value: '1' }] } },
        },
      },
    });
    expect(Object.keys(stored.spec)).not.toContain('proxyReadTimeout');
    // ToolHive removed inline telemetry (#4819); it is served here, with its old defaults, for old manifests.
    expect(stored.spec.telemetry).toEqual({ prometheus: { enabled: true } });
    const crd =
      mcpServer.openApi().properties?.spec?.properties?.resourceOverrides?.properties?.proxyDeployment
        ?.properties?.env;
    expect(crd?.['x-kubernetes-list-type']).toBe('map');
    expect(crd?.['x-kubernetes-list-map-keys']).toEqual(['name']);
    expect(crd?.items?.required).toEqual(['name', 'value']);
    // The free-form nodes are exactly where ToolHive has them.
    expect(
      virtualMCPServer.openApi().properties?.spec?.properties?.config?.[
        'x-kubernetes-preserve-unknown-fields'
      ],
    ).toBe(true);
    expect(
      mcpExternalAuthConfig.openApi().properties?.spec?.properties?.embeddedAuthServer?.[
        'x-kubernetes-preserve-unknown-fields'
      ],
    ).toBeUndefined();
  });
});
