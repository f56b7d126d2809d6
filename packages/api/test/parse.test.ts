import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  formatFieldErrors,
  mcpServerConditions,
  parseMCPExternalAuthConfig,
  parseMCPGroup,
  parseMCPRemoteProxy,
  parseMCPServer,
  parseMCPServerEntry,
  parseMCPTelemetryConfig,
  parseVirtualMCPServer,
  type ParseResult,
} from '../src/index.js';

const parsers: Record<string, (input: unknown) => ParseResult<unknown>> = {
  MCPGroup: parseMCPGroup,
  MCPTelemetryConfig: parseMCPTelemetryConfig,
  MCPServerEntry: parseMCPServerEntry,
  MCPServer: parseMCPServer,
  MCPRemoteProxy: parseMCPRemoteProxy,
  VirtualMCPServer: parseVirtualMCPServer,
  MCPExternalAuthConfig: parseMCPExternalAuthConfig,
};
const meta = { name: 'x', namespace: 'ns' };
const object = (kind: string, spec: unknown) => ({
  apiVersion: 'toolhive.stacklok.dev/v1beta1',
  kind,
  metadata: meta,
  spec,
});
const errorsOf = (result: ParseResult<unknown>) => (result.ok ? [] : result.errors);

describe('parse<Kind>()', () => {
  it('accepts every manifest of ToolHive’s published examples', () => {
    const dir = new URL('../../../../shared/reference/toolhive-examples', import.meta.url).pathname;
    expect(existsSync(dir), `${dir} (the shared reference checkout) is missing`).toBe(true);
    let checked = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
        const obj = doc.toJS() as { kind?: string } | null;
        const parse = obj?.kind ? parsers[obj.kind] : undefined;
        if (!parse) continue;
        expect(errorsOf(parse(obj)), `${file} ${obj?.kind}`).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(15);
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
          telemetry: { prometheus: { enabled: true } },
          telemetryConfigRef: { name: 't' },
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
            'telemetry and telemetryConfigRef are mutually exclusive; move the settings to an MCPTelemetryConfig',
        },
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
    expect(errors).toHaveLength(5);
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
      "headerInjection must be set when type is 'headerInjection', and must not be set otherwise",
      "bearerToken must be set when type is 'bearerToken', and must not be set otherwise",
    ]);
    const anon = errorsOf(
      parseMCPExternalAuthConfig(object('MCPExternalAuthConfig', { type: 'unauthenticated', obo: {} })),
    );
    expect(anon.map((e) => e.message)).toContain(
      "no configuration must be set when type is 'unauthenticated'",
    );
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
