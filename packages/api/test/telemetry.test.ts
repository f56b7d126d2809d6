import { describe, expect, it } from 'vitest';
import {
  formatFieldErrors,
  formatGoFloat,
  normalizeSamplingRate,
  otelHeaderEnvName,
  parseMCPRemoteProxy,
  parseMCPServer,
  parseMCPTelemetryConfig,
  runtimeTelemetryConfig,
  telemetryCABundle,
  validateTelemetryConfig,
  type MCPTelemetryConfigSpec,
  type ParseResult,
} from '../src/index.js';

const meta = { name: 'x', namespace: 'ns' };
const object = (kind: string, spec: unknown) => ({
  apiVersion: 'toolhive.stacklok.dev/v1beta1',
  kind,
  metadata: meta,
  spec,
});
const errorsOf = (result: ParseResult<unknown>) => (result.ok ? [] : result.errors);

/** A spec as the controllers see it: parsed, so the CRD defaults are applied. */
function spec(raw: unknown): MCPTelemetryConfigSpec {
  const parsed = parseMCPTelemetryConfig(object('MCPTelemetryConfig', raw));
  if (!parsed.ok) throw new Error(formatFieldErrors(parsed.errors));
  return parsed.value.spec;
}

describe('runtimeTelemetryConfig (ToolHive’s NormalizeMCPTelemetryConfig)', () => {
  it('prints runtime-formats a.5 exactly: keys in Go’s order, omitempty honoured', () => {
    const otelShared = spec({
      openTelemetry: {
        enabled: true,
        endpoint: 'otel-collector.monitoring.svc.cluster.local:4318',
        insecure: true,
        tracing: { enabled: true, samplingRate: '0.1' },
        metrics: { enabled: true },
        resourceAttributes: { 'deployment.environment': 'dev' },
      },
      prometheus: { enabled: true },
    });
    expect(JSON.stringify(runtimeTelemetryConfig(otelShared, 'yardstick'), null, 2)).toBe(
      [
        '{',
        '  "endpoint": "otel-collector.monitoring.svc.cluster.local:4318",',
        '  "serviceName": "yardstick",',
        '  "tracingEnabled": true,',
        '  "metricsEnabled": true,',
        '  "samplingRate": "0.1",',
        '  "insecure": true,',
        '  "enablePrometheusMetricsPath": true,',
        '  "customAttributes": {',
        '    "deployment.environment": "dev"',
        '  },',
        '  "useLegacyAttributes": true',
        '}',
      ].join('\n'),
    );
  });

  it('strips http:// and https:// from the endpoint', () => {
    for (const endpoint of ['http://collector.monitoring:4317', 'https://collector.monitoring:4317']) {
      const s = spec({ openTelemetry: { enabled: true, endpoint, tracing: { enabled: true } } });
      expect(runtimeTelemetryConfig(s, 'svc').endpoint).toBe('collector.monitoring:4317');
    }
  });

  it('copies nothing of OTLP when openTelemetry.enabled is false, but keeps Prometheus and the CA path', () => {
    const s = spec({
      openTelemetry: {
        enabled: false,
        endpoint: 'https://otel-collector:4317',
        insecure: true,
        headers: { a: '1' },
        resourceAttributes: { b: '2' },
        tracing: { enabled: true, samplingRate: '0.5' },
        metrics: { enabled: true },
        caBundleRef: { configMapRef: { name: 'otel-ca', key: 'bundle.pem' } },
      },
      prometheus: { enabled: true },
    });
    expect(runtimeTelemetryConfig(s, 'my-service')).toEqual({
      serviceName: 'my-service',
      tracingEnabled: false,
      metricsEnabled: false,
      enablePrometheusMetricsPath: true,
      useLegacyAttributes: false,
      caCertPath: '/config/certs/otel/otel-ca/bundle.pem',
    });
  });

  it('leaves tracing and metrics off, and the rate unset, when the config has neither', () => {
    const s = spec({ openTelemetry: { enabled: true, endpoint: 'otel-collector:4317' } });
    expect(runtimeTelemetryConfig(s, 'test-server')).toEqual({
      endpoint: 'otel-collector:4317',
      serviceName: 'test-server',
      tracingEnabled: false,
      metricsEnabled: false,
      useLegacyAttributes: true,
    });
  });

  it('takes the CRD’s default rate "0.05" when tracing is present without one', () => {
    const s = spec({ openTelemetry: { enabled: true, endpoint: 'c:4317', tracing: { enabled: true } } });
    expect(runtimeTelemetryConfig(s, 'svc').samplingRate).toBe('0.05');
  });

  it('clamps the rate to [0, 1] and prints it as Go’s FormatFloat', () => {
    const rateOf = (samplingRate: string) =>
      runtimeTelemetryConfig(
        // Unparsed on purpose: the CRD pattern would stop "42" and "-1", ToolHive's code clamps them.
        {
          openTelemetry: { enabled: true, tracing: { enabled: true, samplingRate } },
        } as MCPTelemetryConfigSpec,
        'svc',
      ).samplingRate;
    expect(rateOf('42')).toBe('1');
    expect(rateOf('-1')).toBe('0');
    expect(rateOf('0.3')).toBe('0.3');
    expect(rateOf('1.0')).toBe('1');
    expect(rateOf('0.050')).toBe('0.05');
    expect(rateOf('not-a-number')).toBeUndefined();
    expect(rateOf('')).toBeUndefined();
  });

  it('omits the service name when none is given, and copies plaintext headers in Go’s key order', () => {
    const s = spec({
      openTelemetry: {
        enabled: true,
        endpoint: 'c:4317',
        metrics: { enabled: true },
        headers: { b: '2', a: '1' },
      },
    });
    const runtime = runtimeTelemetryConfig(s, '');
    expect(Object.keys(runtime)).not.toContain('serviceName');
    expect(JSON.stringify(runtime.headers)).toBe('{"a":"1","b":"2"}');
  });

  it('does not modify its input', () => {
    const s = spec({ openTelemetry: { enabled: true, endpoint: 'https://otel-collector:4317' } });
    const before = structuredClone(s);
    runtimeTelemetryConfig(s, 'override-name');
    expect(s).toEqual(before);
  });
});

describe('Go number and path helpers', () => {
  it('formatGoFloat never uses exponent notation', () => {
    expect(formatGoFloat(0.1)).toBe('0.1');
    expect(formatGoFloat(1)).toBe('1');
    expect(formatGoFloat(0)).toBe('0');
    expect(formatGoFloat(0.0000001)).toBe('0.0000001');
    expect(formatGoFloat(1.5e-7)).toBe('0.00000015');
    expect(formatGoFloat(1e21)).toBe('1000000000000000000000');
    expect(formatGoFloat(1.25e22)).toBe('12500000000000000000000');
    expect(formatGoFloat(-0)).toBe('-0');
    expect(formatGoFloat(Number.NaN)).toBe('NaN');
    expect(formatGoFloat(Infinity)).toBe('+Inf');
  });

  it('normalizeSamplingRate reads what Go’s ParseFloat reads', () => {
    expect(normalizeSamplingRate('1e-1')).toBe('0.1');
    expect(normalizeSamplingRate('.5')).toBe('0.5');
    expect(normalizeSamplingRate('+Inf')).toBe('1');
    expect(normalizeSamplingRate('-infinity')).toBe('0');
    expect(normalizeSamplingRate('1e400')).toBeUndefined();
    expect(normalizeSamplingRate('0x1p-2')).toBeUndefined();
  });

  it('telemetryCABundle mounts ca.crt when the key is empty', () => {
    const s = spec({ openTelemetry: { caBundleRef: { configMapRef: { name: 'otel-ca', key: '' } } } });
    expect(telemetryCABundle(s)).toEqual({
      configMap: 'otel-ca',
      key: 'ca.crt',
      volumeName: 'otel-ca-bundle-otel-ca',
      mountPath: '/config/certs/otel/otel-ca',
      filePath: '/config/certs/otel/otel-ca/ca.crt',
    });
    expect(telemetryCABundle(spec({}))).toBeUndefined();
  });
});

describe('validateTelemetryConfig (moved from the telemetry controller)', () => {
  it('reports schema and controller problems together', () => {
    const result = validateTelemetryConfig(
      object('MCPTelemetryConfig', {
        openTelemetry: { endpoint: 'c:4317', tracing: { samplingRate: 'often' } },
      }),
    );
    expect(result.valid).toBe(false);
    if (result.valid) return;
    expect(result.problems.some((p) => p.startsWith('spec.openTelemetry.tracing.samplingRate:'))).toBe(true);
    expect(result.problems).toContain(
      'spec.openTelemetry.endpoint requires at least one of tracing or metrics to be enabled',
    );
  });

  it('returns the parsed spec when valid', () => {
    const result = validateTelemetryConfig(object('MCPTelemetryConfig', { prometheus: { enabled: true } }));
    expect(result).toEqual({ valid: true, spec: { prometheus: { enabled: true } } });
  });
});

describe('deprecated inline spec.telemetry', () => {
  const inline = { openTelemetry: { enabled: true, endpoint: 'c:4317', headers: ['a=b'] } };
  const ref = { name: 'shared' };
  const exclusive = 'telemetry and telemetryConfigRef are mutually exclusive; migrate to telemetryConfigRef';

  for (const [kind, parse, base] of [
    ['MCPServer', parseMCPServer, { image: 'i' }],
    ['MCPRemoteProxy', parseMCPRemoteProxy, { remoteUrl: 'https://mcp.example.com/mcp' }],
  ] as const) {
    it(`${kind}: rejects telemetry together with telemetryConfigRef`, () => {
      const errors = errorsOf(parse(object(kind, { ...base, telemetry: inline, telemetryConfigRef: ref })));
      expect(errors).toEqual([{ path: 'spec', message: exclusive }]);
    });

    it(`${kind}: accepts each alone`, () => {
      expect(errorsOf(parse(object(kind, { ...base, telemetry: inline })))).toEqual([]);
      expect(errorsOf(parse(object(kind, { ...base, telemetryConfigRef: ref })))).toEqual([]);
    });
  }

  it('applies ToolHive’s old defaults', () => {
    const parsed = parseMCPServer(
      object('MCPServer', { image: 'i', telemetry: { openTelemetry: { tracing: {} }, prometheus: {} } }),
    );
    if (!parsed.ok) throw new Error(formatFieldErrors(parsed.errors));
    expect(parsed.value.spec.telemetry).toEqual({
      openTelemetry: {
        enabled: false,
        insecure: false,
        tracing: { enabled: false, samplingRate: '0.05' },
        useLegacyAttributes: true,
      },
      prometheus: { enabled: false },
    });
  });
});

describe('otelHeaderEnvName', () => {
  it('upper-cases and turns only dashes into underscores', () => {
    expect(otelHeaderEnvName('x-api-key')).toBe('TOOLHIVE_OTEL_HEADER_X_API_KEY');
    expect(otelHeaderEnvName('Authorization.v2')).toBe('TOOLHIVE_OTEL_HEADER_AUTHORIZATION.V2');
    expect(otelHeaderEnvName('straße')).toBe('TOOLHIVE_OTEL_HEADER_STRAßE');
  });
});
