import { describe, expect, it } from 'vitest';
import {
  formatFieldErrors,
  mcpServerConditions,
  parseMCPExternalAuthConfig,
  parseMCPGroup,
  parseMCPServer,
  parseMCPServerEntry,
  parseMCPTelemetryConfig,
  parseVirtualMCPServer,
  type ParseResult,
} from '../src/index.js';
import { compatDir, fieldPaths, loadManifests, parsers, sharedExamples } from './compat.js';

const meta = { name: 'x', namespace: 'ns' };
const object = (kind: string, spec: unknown) => ({
  apiVersion: 'toolhive.stacklok.dev/v1beta1',
  kind,
  metadata: meta,
  spec,
});
const errorsOf = (result: ParseResult<unknown>) => (result.ok ? [] : result.errors);

describe('parse<Kind>()', () => {
  it('accepts every in-repo compatibility manifest', () => {
    const manifests = loadManifests(compatDir).filter((m) => m.kind in parsers);
    for (const m of manifests) {
      expect(errorsOf(parsers[m.kind]!(m.object)), `${m.file} ${m.kind}/${m.name}`).toEqual([]);
    }
    expect(new Set(manifests.map((m) => m.kind))).toEqual(
      new Set(['MCPGroup', 'MCPServerEntry', 'MCPServer', 'MCPTelemetryConfig', 'VirtualMCPServer']),
    );
    expect(manifests.length).toBeGreaterThanOrEqual(15);
  });

  // Only where the shared reference checkout sits beside the repository; a plain clone skips these.
  const examples = sharedExamples();
  it.skipIf(examples === undefined)('accepts every manifest of ToolHive’s published examples', () => {
    const known = (examples ?? []).filter((m) => m.kind in parsers);
    for (const m of known) {
      expect(errorsOf(parsers[m.kind]!(m.object)), `${m.file} ${m.kind}/${m.name}`).toEqual([]);
    }
    expect(known.length).toBeGreaterThanOrEqual(15);
  });

  it.skipIf(examples === undefined)('covers every field path ToolHive’s examples use', () => {
    const ours = new Set(loadManifests(compatDir).flatMap((m) => [...fieldPaths(m)]));
    const theirs = new Set((examples ?? []).flatMap((m) => [...fieldPaths(m)]));
    expect([...theirs].filter((p) => !ours.has(p)).sort()).toEqual([]);
  });

  it('applies the CRD defaults and returns a typed value', () => {
    const result = parseMCPServer(object('MCPServer', { image: 'ghcr.io/example/server:1' }));
    if (!result.ok) throw new Error(formatFieldErrors(result.errors));
    const { spec } = result.value;
    expect(spec).toMatchObject({
      transport: 'stdio',
      proxyMode: 'streamable-http',
      proxyPort: 8080,
      sessionAffinity: 'ClientIP',
      trustProxyHeaders: false,
    });
    const group = parseMCPGroup({
      apiVersion: 'toolhive.stacklok.dev/v1beta1',
      kind: 'MCPGroup',
      metadata: meta,
    });
    expect(group.ok && group.value.spec).toEqual({});
  });

  it('names the field of every OpenAPI violation', () => {
    const errors = errorsOf(
      parseMCPServer(
        object('MCPServer', { transport: 'carrier-pigeon', proxyPort: 70000, env: [{ value: 'v' }] }),
      ),
    );
    expect(errors.map((e) => e.path).sort()).toEqual([
      'spec.env[0].name',
      'spec.image',
      'spec.proxyPort',
      'spec.transport',
    ]);
    const entry = errorsOf(
      parseMCPServerEntry(
        object('MCPServerEntry', { remoteUrl: 'ftp://x', transport: 'sse', groupRef: { name: '' } }),
      ),
    );
    expect(entry.map((e) => e.path).sort()).toEqual(['spec.groupRef.name', 'spec.remoteUrl']);
  });

  it('reports every CEL violation with its message and place', () => {
    const errors = errorsOf(
      parseMCPServer(
        object('MCPServer', {
          image: 'i',
          authzConfig: { type: 'inline', configMap: { name: 'c' } },
          authzConfigRef: { name: 'a' },
          sessionStorage: { provider: 'redis' },
        }),
      ),
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        {
          path: 'spec',
          message:
            'authzConfig and authzConfigRef are mutually exclusive; use authzConfigRef to reference a shared MCPAuthzConfig',
        },
        {
          path: 'spec.authzConfig',
          message: "configMap must be set when type is 'configMap', and must not be set otherwise",
        },
        {
          path: 'spec.authzConfig',
          message: "inline must be set when type is 'inline', and must not be set otherwise",
        },
        { path: 'spec.sessionStorage', message: 'address is required' },
      ]),
    );
    expect(errors).toHaveLength(4);
  });

  it('checks the matching sub-object of MCPExternalAuthConfig', () => {
    const ok = parseMCPExternalAuthConfig(
      object('MCPExternalAuthConfig', {
        type: 'headerInjection',
        headerInjection: { headerName: 'X-Key', valueSecretRef: { name: 's', key: 'k' } },
      }),
    );
    expect(errorsOf(ok)).toEqual([]);
    const wrong = errorsOf(
      parseMCPExternalAuthConfig(
        object('MCPExternalAuthConfig', {
          type: 'bearerToken',
          headerInjection: { headerName: 'X', valueSecretRef: { name: 's', key: 'k' } },
        }),
      ),
    );
    expect(wrong.map((e) => e.message)).toEqual([
      "headerInjection configuration must be set if and only if type is 'headerInjection'",
      "bearerToken configuration must be set if and only if type is 'bearerToken'",
    ]);
    const anon = errorsOf(
      parseMCPExternalAuthConfig(object('MCPExternalAuthConfig', { type: 'unauthenticated', obo: {} })),
    );
    expect(anon.map((e) => e.message)).toContain(
      "no configuration must be set when type is 'unauthenticated'",
    );
  });

  it('checks VirtualMCPServer config against the rest of the spec, with ToolHive’s messages', () => {
    const errors = errorsOf(
      parseVirtualMCPServer(
        object('VirtualMCPServer', {
          groupRef: { name: 'g' },
          incomingAuth: { type: 'anonymous' },
          embeddingServerRef: { name: 'tei' },
          config: {
            rateLimiting: { perUser: { maxTokens: 5, refillPeriod: '1m' } },
            optimizer: { embeddingProvider: 'openai', embeddingHeaders: { Authorization: 'x' } },
            operational: { failureHandling: { circuitBreaker: { timeout: '100ms' } } },
          },
        }),
      ),
    );
    expect(errors).toEqual([
      { path: 'spec', message: "config.rateLimiting requires sessionStorage with provider 'redis'" },
      { path: 'spec', message: 'config.rateLimiting.perUser requires incomingAuth.type oidc' },
      {
        path: 'spec',
        message:
          "embeddingServerRef provisions a managed TEI server and cannot be combined with optimizer.embeddingProvider 'openai'; openai mode uses embeddingService directly",
      },
      {
        path: 'spec.config.operational.failureHandling.circuitBreaker.timeout',
        message: 'timeout must be >= 1s',
      },
      {
        path: 'spec.config.optimizer',
        message:
          'embeddingHeaders names must be valid HTTP header names and must not include Authorization or Content-Type',
      },
    ]);
  });

  it('types the MCPExternalAuthConfig sub-objects that used to be free-form', () => {
    const result = parseMCPExternalAuthConfig(
      object('MCPExternalAuthConfig', { type: 'awsSts', awsSts: { region: 'mars', unknownField: 1 } }),
    );
    expect(errorsOf(result).map((e) => e.path)).toEqual(['spec.awsSts.region']);
    const ok = parseMCPExternalAuthConfig(
      object('MCPExternalAuthConfig', {
        type: 'upstreamInject',
        upstreamInject: { providerName: 'github', x: 1 },
      }),
    );
    expect(ok.ok && ok.value.spec).toEqual({
      type: 'upstreamInject',
      upstreamInject: { providerName: 'github' },
    });
  });

  it('rejects a telemetry config that puts a header in both lists', () => {
    const errors = errorsOf(
      parseMCPTelemetryConfig(
        object('MCPTelemetryConfig', {
          openTelemetry: {
            headers: { 'x-team': 'a' },
            sensitiveHeaders: [{ name: 'x-team', secretKeyRef: { name: 's', key: 'k' } }],
          },
        }),
      ),
    );
    expect(errors).toEqual([
      {
        path: 'spec.openTelemetry',
        message: 'a header name cannot appear in both headers and sensitiveHeaders',
      },
    ]);
  });

  it('exports condition types and reasons as constants', () => {
    expect(mcpServerConditions.types.GroupRefValidated).toBe('GroupRefValidated');
    expect(mcpServerConditions.reasons.TelemetryConfigRefError).toBe('TelemetryConfigRefError');
  });
});
