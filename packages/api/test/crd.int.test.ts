import { readFileSync } from 'node:fs';
import { request } from 'node:https';
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
  customResourceDefinition,
  generatedCRDPaths,
  group,
  kinds,
  mcpGroup,
  mcpServer,
  parseMCPServer,
} from '../src/index.js';

const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane);
let client: KubeClient;

beforeAll(async () => {
  await installCRDs(controlPlane().kubeConfig, generatedCRDPaths());
  client = new KubeClient(controlPlane().kubeConfig);
});

const atVersion = (resource: ResourceRef, version: string): ResourceRef => ({ ...resource, version });

/**
 * A GET with the admin certificate that returns the `Warning` headers too, which KubeClient does not
 * surface. Only what kubectl would show is asked for here; no kubectl binary is needed.
 */
function rawGet(
  path: string,
  accept = 'application/json',
): Promise<{ status: number; warnings: string[]; body: unknown }> {
  const { server, pki } = controlPlane();
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, server),
      {
        ca: readFileSync(pki.caCert),
        cert: readFileSync(pki.adminCert),
        key: readFileSync(pki.adminKey),
        headers: { accept },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const warning = res.headers.warning;
          resolve({
            status: res.statusCode ?? 0,
            warnings: warning === undefined ? [] : [warning].flat(),
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
          });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}
const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const server = (name: string, spec: Record<string, unknown>, apiVersion = `${group}/v1beta1`) => ({
  apiVersion,
  kind: 'MCPServer',
  metadata: { name, namespace: namespace() },
  spec,
});

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    return err as ApiError;
  }
  throw new Error('the apiserver accepted an object it should have rejected');
}

describe('generated CRDs on a real apiserver', () => {
  it('installs every CRD, Established, serving v1beta1 (storage) and v1alpha1', async () => {
    const discovery = await client.request<{
      versions: { version: string }[];
      preferredVersion: { version: string };
    }>('get', 'GET', `/apis/${group}`);
    expect(discovery.versions.map((v) => v.version).sort()).toEqual(['v1alpha1', 'v1beta1']);
    expect(discovery.preferredVersion.version).toBe('v1beta1');
    for (const version of ['v1beta1', 'v1alpha1']) {
      const list = await client.request<{
        resources: { name: string; shortNames?: string[]; categories?: string[] }[];
      }>('get', 'GET', `/apis/${group}/${version}`);
      const plurals = list.resources
        .filter((r) => !r.name.includes('/'))
        .map((r) => r.name)
        .sort();
      expect(plurals).toEqual(kinds.map((k) => k.plural).sort());
      for (const r of list.resources.filter((x) => !x.name.includes('/')))
        expect(r.categories).toEqual(['toolhive']);
    }
    // The stored CRDs kept what we generated (the apiserver prunes fields it does not know).
    const stored = await client.get<KubeObject & { spec: { versions: { name: string; schema: unknown }[] } }>(
      {
        group: 'apiextensions.k8s.io',
        version: 'v1',
        plural: 'customresourcedefinitions',
        kind: 'CustomResourceDefinition',
        namespaced: false,
      },
      { name: `mcpservers.${group}` },
    );
    const expected = customResourceDefinition(mcpServer);
    expect(stored.spec.versions.find((v) => v.name === 'v1beta1')?.schema).toMatchObject({
      openAPIV3Schema: { properties: { spec: { properties: { proxyPort: { default: 8080 } } } } },
    });
    expect(stored.spec.versions.map((v) => v.name)).toEqual(expected.spec.versions.map((v) => v.name));
  });

  it('stores an object written as v1alpha1 and reads it back as v1beta1, with defaults applied', async () => {
    const alpha = atVersion(mcpServer.resource, 'v1alpha1');
    await client.create(
      alpha,
      server('old-style', { image: 'ghcr.io/example/server:1' }, `${group}/v1alpha1`),
    );
    const read = await client.get<KubeObject & { spec: Record<string, unknown> }>(mcpServer.resource, {
      namespace: namespace(),
      name: 'old-style',
    });
    expect(read.apiVersion).toBe(`${group}/v1beta1`);
    expect(read.spec).toEqual({
      image: 'ghcr.io/example/server:1',
      transport: 'stdio',
      proxyMode: 'streamable-http',
      proxyPort: 8080,
      sessionAffinity: 'ClientIP',
      trustProxyHeaders: false,
    });
    // What kubectl prints as a warning: the apiserver's `Warning` header on every v1alpha1 request.
    const old = await rawGet(`/apis/${group}/v1alpha1/namespaces/${namespace()}/mcpservers`);
    expect(old.status).toBe(200);
    expect(old.warnings.join('\n')).toContain(`${group}/v1alpha1 is deprecated; use v1beta1`);
    const current = await rawGet(`/apis/${group}/v1beta1/namespaces/${namespace()}/mcpservers`);
    expect(current.warnings).toEqual([]);
  });

  it('answers 422 naming the field for objects that break the OpenAPI rules, as parseMCPServer does', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ image: 'i', transport: 'carrier-pigeon' }, 'spec.transport'],
      [{ image: 'i', proxyPort: 70000 }, 'spec.proxyPort'],
      [{ transport: 'stdio' }, 'spec.image'],
      [{ image: 'i', groupRef: { name: '' } }, 'spec.groupRef.name'],
      [{ image: 'i', replicas: -1 }, 'spec.replicas'],
    ];
    for (const [i, [spec, field]] of cases.entries()) {
      const object = server(`bad-${i}`, spec);
      const err = await rejection(client.create(mcpServer.resource, object));
      expect(isInvalid(err), `${field}: ${String(err)}`).toBe(true);
      expect(err.message).toContain(field);
      const parsed = parseMCPServer(object);
      expect(parsed.ok ? [] : parsed.errors.map((e) => e.path)).toContain(field);
    }
    // And what the apiserver accepts, parse accepts.
    const good = server('good', {
      image: 'i',
      transport: 'sse',
      replicas: 2,
      podTemplateSpec: { spec: { nodeSelector: { a: 'b' } } },
    });
    await client.create(mcpServer.resource, good);
    expect(parseMCPServer(good).ok).toBe(true);
  });

  it('serves the short names, the category and the printer columns kubectl shows', async () => {
    await client.create(mcpGroup.resource, {
      apiVersion: `${group}/v1beta1`,
      kind: 'MCPGroup',
      metadata: { name: 'team', namespace: namespace() },
      spec: { description: 'a team' },
    });
    // `kubectl get mcpg` asks for a Table; its column definitions are the header kubectl prints.
    const table = await rawGet(`/apis/${group}/v1beta1/namespaces/${namespace()}/mcpgroups`, tableAccept);
    const { columnDefinitions, rows } = table.body as {
      columnDefinitions: { name: string }[];
      rows: { cells: unknown[] }[];
    };
    expect(columnDefinitions.map((c) => c.name)).toEqual([
      'Name',
      'Servers',
      'Proxies',
      'Phase',
      'Checked',
      'Age',
    ]);
    expect(rows.map((r) => r.cells[0])).toEqual(['team']);
    // Short names and the category are resolved by the client from discovery.
    const list = await client.request<{
      resources: { name: string; shortNames?: string[]; categories?: string[] }[];
    }>('get', 'GET', `/apis/${group}/v1beta1`);
    for (const kind of kinds) {
      const served = list.resources.find((r) => r.name === kind.plural);
      expect(served?.shortNames, kind.kind).toEqual(kind.shortNames);
      expect(served?.categories, kind.kind).toEqual(['toolhive']);
    }
  });
});
