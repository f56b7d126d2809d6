import { formatFieldErrors, parseMCPServer, parseMCPTelemetryConfig } from '@mcp-controllers/api';
import { describe, expect, it } from 'vitest';
import { inlineRuntimeTelemetry, telemetryWiring } from '../src/index.js';
import type { Server } from '../src/types.js';

function server(spec: Record<string, unknown>): Server {
  const parsed = parseMCPServer({
    apiVersion: 'toolhive.stacklok.dev/v1beta1',
    kind: 'MCPServer',
    metadata: { name: 'fetch', namespace: 'team-a' },
    spec: { image: 'ghcr.io/example/fetch:1', ...spec },
  });
  if (!parsed.ok) throw new Error(formatFieldErrors(parsed.errors));
  return { ...parsed.value, metadata: { ...parsed.value.metadata, name: 'fetch', namespace: 'team-a' } };
}

function telemetrySpec(spec: unknown) {
  const parsed = parseMCPTelemetryConfig({
    apiVersion: 'toolhive.stacklok.dev/v1beta1',
    kind: 'MCPTelemetryConfig',
    metadata: { name: 'otel', namespace: 'team-a' },
    spec,
  });
  if (!parsed.ok) throw new Error(formatFieldErrors(parsed.errors));
  return parsed.value.spec;
}

const withRef = server({ telemetryConfigRef: { name: 'otel' } });

describe('telemetryWiring with a referenced MCPTelemetryConfig', () => {
  const spec = telemetrySpec({
    openTelemetry: {
      enabled: true,
      endpoint: 'https://collector.monitoring:4318',
      tracing: { enabled: true },
      headers: { 'x-team': 'a' },
      sensitiveHeaders: [
        { name: 'x-api-key', secretKeyRef: { name: 'otel-auth', key: 'api-key' } },
        { name: 'Authorization', secretKeyRef: { name: 'otel-auth', key: 'token' } },
      ],
      caBundleRef: { configMapRef: { name: 'otel-ca', key: 'bundle.pem' } },
    },
  });

  it('gives the runtime config, the env in ToolHive’s order, and the CA volume from one source', () => {
    expect(telemetryWiring(withRef, { spec, serviceName: 'fetch-svc' })).toEqual({
      runtime: {
        endpoint: 'collector.monitoring:4318',
        serviceName: 'fetch-svc',
        tracingEnabled: true,
        metricsEnabled: false,
        samplingRate: '0.05',
        headers: { 'x-team': 'a' },
        useLegacyAttributes: true,
        caCertPath: '/config/certs/otel/otel-ca/bundle.pem',
      },
      env: [
        { name: 'OTEL_RESOURCE_ATTRIBUTES', value: 'service.name=fetch-svc,service.namespace=team-a' },
        {
          name: 'TOOLHIVE_OTEL_HEADER_X_API_KEY',
          valueFrom: { secretKeyRef: { name: 'otel-auth', key: 'api-key' } },
        },
        {
          name: 'TOOLHIVE_OTEL_HEADER_AUTHORIZATION',
          valueFrom: { secretKeyRef: { name: 'otel-auth', key: 'token' } },
        },
      ],
      volumes: [
        {
          name: 'otel-ca-bundle-otel-ca',
          configMap: { name: 'otel-ca', items: [{ key: 'bundle.pem', path: 'bundle.pem' }] },
        },
      ],
      volumeMounts: [
        { name: 'otel-ca-bundle-otel-ca', mountPath: '/config/certs/otel/otel-ca', readOnly: true },
      ],
    });
  });

  it('names the service after the server when the reference gives no serviceName', () => {
    const wiring = telemetryWiring(withRef, { spec });
    expect(wiring?.runtime?.serviceName).toBe('fetch');
    expect(wiring?.env[0]).toEqual({
      name: 'OTEL_RESOURCE_ATTRIBUTES',
      value: 'service.name=fetch,service.namespace=team-a',
    });
  });

  it('mounts the CA bundle and injects sensitive headers even when OTLP is disabled, as ToolHive does', () => {
    const disabled = telemetrySpec({
      openTelemetry: {
        enabled: false,
        sensitiveHeaders: [{ name: 'x-api-key', secretKeyRef: { name: 's', key: 'k' } }],
        caBundleRef: { configMapRef: { name: 'otel-ca', key: '' } },
      },
    });
    const wiring = telemetryWiring(withRef, { spec: disabled });
    expect(wiring?.runtime).toEqual({
      serviceName: 'fetch',
      tracingEnabled: false,
      metricsEnabled: false,
      useLegacyAttributes: false,
      caCertPath: '/config/certs/otel/otel-ca/ca.crt',
    });
    expect(wiring?.env.map((e) => e.name)).toEqual([
      'OTEL_RESOURCE_ATTRIBUTES',
      'TOOLHIVE_OTEL_HEADER_X_API_KEY',
    ]);
    expect(wiring?.volumes[0]?.configMap?.items).toEqual([{ key: 'ca.crt', path: 'ca.crt' }]);
  });

  it('has no volumes without a CA bundle', () => {
    const wiring = telemetryWiring(withRef, { spec: telemetrySpec({ prometheus: { enabled: true } }) });
    expect(wiring?.volumes).toEqual([]);
    expect(wiring?.volumeMounts).toEqual([]);
    expect(wiring?.env).toHaveLength(1);
  });

  it('prefers the reference over inline telemetry', () => {
    const both = { ...withRef, spec: { ...withRef.spec, telemetry: { prometheus: { enabled: true } } } };
    expect(telemetryWiring(both, { spec })?.runtime?.endpoint).toBe('collector.monitoring:4318');
  });
});

describe('telemetryWiring with the deprecated inline spec.telemetry', () => {
  it('converts it as ToolHive’s old ConvertTelemetryConfig did, with no volumes', () => {
    const s = server({
      telemetry: {
        openTelemetry: {
          enabled: true,
          endpoint: 'https://collector:4317',
          serviceName: 'legacy-svc',
          headers: ['b=2', 'a=1=x', 'no-equals', 'b=3'],
          insecure: true,
          metrics: { enabled: true },
          tracing: { enabled: true, samplingRate: '0.5' },
          useLegacyAttributes: false,
        },
        prometheus: { enabled: true },
      },
    });
    expect(telemetryWiring(s)).toEqual({
      runtime: {
        endpoint: 'collector:4317',
        serviceName: 'legacy-svc',
        tracingEnabled: true,
        metricsEnabled: true,
        samplingRate: '0.5',
        headers: { a: '1=x', b: '3' },
        insecure: true,
        enablePrometheusMetricsPath: true,
        useLegacyAttributes: false,
      },
      env: [{ name: 'OTEL_RESOURCE_ATTRIBUTES', value: 'service.name=legacy-svc,service.namespace=team-a' }],
      volumes: [],
      volumeMounts: [],
    });
  });

  it('has no runtime config without an endpoint and without Prometheus, but still sets the resource env', () => {
    const wiring = telemetryWiring(
      server({ telemetry: { openTelemetry: { enabled: false, endpoint: 'c:4317' } } }),
    );
    expect(wiring?.runtime).toBeUndefined();
    expect(wiring?.env).toEqual([
      { name: 'OTEL_RESOURCE_ATTRIBUTES', value: 'service.name=fetch,service.namespace=team-a' },
    ]);
  });

  it('defaults the rate to "0.05" and keeps legacy attributes for Prometheus alone', () => {
    const wiring = telemetryWiring(server({ telemetry: { prometheus: { enabled: true } } }));
    expect(wiring).toEqual({
      runtime: {
        serviceName: 'fetch',
        tracingEnabled: false,
        metricsEnabled: false,
        samplingRate: '0.05',
        enablePrometheusMetricsPath: true,
        useLegacyAttributes: true,
      },
      env: [],
      volumes: [],
      volumeMounts: [],
    });
  });

  it('falls back to "0.05" for a rate Go cannot parse, and clamps one it can', () => {
    const inline = (samplingRate: string) => ({
      openTelemetry: {
        enabled: true,
        endpoint: 'c:4317',
        insecure: false,
        useLegacyAttributes: true,
        tracing: { enabled: true, samplingRate },
      },
    });
    expect(inlineRuntimeTelemetry(inline('often'), 'fetch')?.samplingRate).toBe('0.05');
    expect(inlineRuntimeTelemetry(inline('7'), 'fetch')?.samplingRate).toBe('1');
  });
});

describe('telemetryWiring with neither', () => {
  it('is undefined', () => {
    expect(telemetryWiring(server({}))).toBeUndefined();
  });
});
