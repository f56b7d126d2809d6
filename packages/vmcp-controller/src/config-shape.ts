/**
 * The Go types behind vMCP's `config.yaml` (`pkg/vmcp/config.Config` and the structs it holds, at
 * ToolHive e25de16cf), reduced to what `yaml.v3` needs to print them: field order, `omitempty`,
 * pointers, and the few types with their own text form. `configNode` turns a plain config object
 * (as `buildVmcpConfig` returns it) into the tree `marshalYaml` prints, so the file comes out as
 * ToolHive's operator would write it for the same content:
 * - struct fields in declaration order; map keys sorted bytewise; unknown top-level keys (kept by
 *   the CRD's `x-kubernetes-preserve-unknown-fields`) after the known ones, sorted;
 * - `omitempty` drops zero values ('' / false / 0 / empty list or map) of value fields and only
 *   absent pointer fields; a field without `omitempty` is printed with its zero value when absent;
 * - `Duration` fields as Go's `time.Duration.String` ("60s" -> "1m0s"), rate-limit refill periods
 *   as `metav1.Duration` prints under yaml.v3 (`{duration: 1m0s}`, which is what the runtime reads);
 * - free-form JSON (`parameters`, `arguments`, …) with numbers as Go's float64 (`1e+06`).
 * Pure; never throws: a value of an unexpected type is printed as best it can be.
 */
import { goKeyOrder } from '@mcp-controllers/api';
import { goDuration, goFloat } from './go-text.js';
import type { YamlNode } from './goyaml.js';

type Scalar = 'string' | 'bool' | 'int' | 'duration' | 'refillPeriod' | 'any' | 'anyMap';
type Shape = Scalar | { struct: Field[] } | { map: Shape } | { list: Shape } | { lazy: () => Shape };
/** `empty`: `omitempty` on a value; `nil`: `omitempty` on a pointer; `never`: no `omitempty`. */
interface Field {
  key: string;
  shape: Shape;
  omit: 'empty' | 'nil' | 'never';
}

const opt = (key: string, shape: Shape = 'string'): Field => ({ key, shape, omit: 'empty' });
const req = (key: string, shape: Shape = 'string'): Field => ({ key, shape, omit: 'never' });
const ptr = (key: string, shape: Shape): Field => ({ key, shape, omit: 'nil' });
const struct = (...fields: Field[]): Shape => ({ struct: fields });
const list = (item: Shape): Shape => ({ list: item });
const map = (value: Shape): Shape => ({ map: value });
const strings = list('string');

const tokenEndpoint = [
  req('tokenUrl'),
  opt('clientId'),
  opt('clientSecret'),
  opt('clientSecretEnv'),
  opt('audience'),
  opt('scopes', strings),
];
const backendStrategy = struct(
  req('type'),
  ptr('headerInjection', struct(req('headerName'), opt('headerValue'), opt('headerValueEnv'))),
  ptr('tokenExchange', struct(...tokenEndpoint, opt('subjectTokenType'), opt('subjectProviderName'))),
  ptr('upstreamInject', struct(req('providerName'))),
  ptr(
    'awsSts',
    struct(
      req('region'),
      opt('service'),
      opt('fallbackRoleArn'),
      opt('roleMappings', list(struct(opt('claim'), opt('matcher'), req('roleArn'), ptr('priority', 'int')))),
      opt('roleClaim'),
      ptr('sessionDuration', 'int'),
      opt('sessionNameClaim'),
      opt('subjectProviderName'),
    ),
  ),
  ptr('obo', struct(...tokenEndpoint, opt('subjectTokenProviderName'), ptr('cacheSkewSeconds', 'int'))),
  ptr(
    'xaa',
    struct(
      req('idpTokenUrl'),
      opt('idpClientId'),
      opt('idpClientSecret'),
      opt('idpClientSecretEnv'),
      req('targetTokenUrl'),
      opt('insecureTargetTokenUrl', 'bool'),
      opt('targetClientId'),
      opt('targetClientSecret'),
      opt('targetClientSecretEnv'),
      req('targetAudience'),
      opt('targetResource'),
      opt('scopes', strings),
      opt('subjectProviderName'),
      opt('subjectTokenType'),
    ),
  ),
);

const toolAnnotations = struct(
  ptr('title', 'string'),
  ptr('readOnlyHint', 'bool'),
  ptr('destructiveHint', 'bool'),
  ptr('idempotentHint', 'bool'),
  ptr('openWorldHint', 'bool'),
);

const outcome = struct(opt('action'));
const step: Shape = struct(
  req('id'),
  opt('type'),
  opt('tool'),
  opt('arguments', 'anyMap'),
  opt('condition'),
  opt('dependsOn', strings),
  ptr('onError', struct(opt('action'), opt('retryCount', 'int'), opt('retryDelay', 'duration'))),
  opt('message'),
  opt('schema', 'anyMap'),
  opt('timeout', 'duration'),
  ptr('onDecline', outcome),
  ptr('onCancel', outcome),
  opt('defaultResults', 'anyMap'),
  opt('collection'),
  opt('itemVar'),
  opt('maxParallel', 'int'),
  opt('maxIterations', 'int'),
  ptr('step', { lazy: () => step }),
);
const outputProperty: Shape = struct(
  req('type'),
  req('description'),
  opt('value'),
  opt('properties', map({ lazy: () => outputProperty })),
  ptr('default', 'any'),
);

const bucket = struct(req('maxTokens', 'int'), req('refillPeriod', 'refillPeriod'));

const configShape = struct(
  opt('name'),
  opt('groupRef'),
  opt(
    'backends',
    list(
      struct(
        req('name'),
        req('url'),
        req('transport'),
        opt('type'),
        opt('caBundlePath'),
        opt('metadata', map('string')),
      ),
    ),
  ),
  ptr(
    'incomingAuth',
    struct(
      req('type'),
      ptr(
        'oidc',
        struct(
          req('issuer'),
          req('clientId'),
          opt('clientSecretEnv'),
          req('audience'),
          opt('resource'),
          opt('jwksUrl'),
          opt('introspectionUrl'),
          opt('scopes', strings),
          opt('protectedResourceAllowPrivateIp', 'bool'),
          opt('jwksAllowPrivateIp', 'bool'),
          opt('insecureAllowHttp', 'bool'),
          opt('caBundlePath'),
        ),
      ),
      ptr(
        'authz',
        struct(
          req('type'),
          opt('policies', strings),
          opt('entitiesJson'),
          opt('primaryUpstreamProvider'),
          opt('groupClaimName'),
          opt('roleClaimName'),
          opt('groupEntityType'),
        ),
      ),
    ),
  ),
  ptr(
    'outgoingAuth',
    struct(req('source'), ptr('default', backendStrategy), opt('backends', map(backendStrategy))),
  ),
  ptr(
    'aggregation',
    struct(
      req('conflictResolution'),
      ptr('conflictResolutionConfig', struct(opt('prefixFormat'), opt('priorityOrder', strings))),
      opt(
        'tools',
        list(
          struct(
            req('workload'),
            ptr('toolConfigRef', struct(req('name'))),
            opt('filter', strings),
            opt(
              'overrides',
              map(struct(opt('name'), opt('description'), ptr('annotations', toolAnnotations))),
            ),
            opt('excludeAll', 'bool'),
          ),
        ),
      ),
      opt('excludeAllTools', 'bool'),
      opt('defaultToolVisibility'),
    ),
  ),
  opt(
    'compositeTools',
    list(
      struct(
        req('name'),
        opt('description'),
        opt('parameters', 'anyMap'),
        opt('timeout', 'duration'),
        req('steps', list(step)),
        ptr('output', struct(req('properties', map(outputProperty)), opt('required', strings))),
        ptr('annotations', toolAnnotations),
      ),
    ),
  ),
  opt('compositeToolRefs', list(struct(req('name')))),
  ptr(
    'operational',
    struct(
      opt('logLevel'),
      ptr('timeouts', struct(opt('default', 'duration'), opt('perWorkload', map('duration')))),
      ptr(
        'failureHandling',
        struct(
          opt('healthCheckInterval', 'duration'),
          opt('unhealthyThreshold', 'int'),
          opt('healthCheckTimeout', 'duration'),
          opt('statusReportingInterval', 'duration'),
          opt('partialFailureMode'),
          ptr(
            'circuitBreaker',
            struct(opt('enabled', 'bool'), opt('failureThreshold', 'int'), opt('timeout', 'duration')),
          ),
        ),
      ),
    ),
  ),
  opt('metadata', map('string')),
  ptr(
    'telemetry',
    struct(
      opt('endpoint'),
      opt('serviceName'),
      opt('serviceVersion'),
      req('tracingEnabled', 'bool'),
      req('metricsEnabled', 'bool'),
      opt('samplingRate'),
      opt('headers', map('string')),
      opt('insecure', 'bool'),
      opt('enablePrometheusMetricsPath', 'bool'),
      opt('prometheusPort', 'int'),
      ptr('metricsOnTransportPort', 'bool'),
      opt('environmentVariables', strings),
      opt('customAttributes', map('string')),
      req('useLegacyAttributes', 'bool'),
      opt('caCertPath'),
    ),
  ),
  ptr(
    'audit',
    struct(
      opt('enabled', 'bool'),
      opt('component'),
      opt('eventTypes', strings),
      opt('excludeEventTypes', strings),
      opt('includeRequestData', 'bool'),
      opt('includeResponseData', 'bool'),
      ptr('detectApplicationErrors', 'bool'),
      opt('maxDataSize', 'int'),
      ptr('maxDelegationDepth', 'int'),
      opt('logFile'),
    ),
  ),
  ptr(
    'optimizer',
    struct(
      opt('embeddingService'),
      opt('embeddingServiceTimeout', 'duration'),
      opt('embeddingProvider'),
      opt('embeddingModel'),
      opt('embeddingHeaders', map('string')),
      opt('maxToolsToReturn', 'int'),
      opt('hybridSearchSemanticRatio'),
      opt('semanticDistanceThreshold'),
    ),
  ),
  ptr(
    'codeMode',
    struct(
      opt('enabled', 'bool'),
      opt('stepLimit', 'int'),
      opt('parallelMaxConcurrency', 'int'),
      opt('toolCallTimeout', 'duration'),
    ),
  ),
  ptr('sessionStorage', struct(req('provider'), opt('address'), opt('db', 'int'), opt('keyPrefix'))),
  ptr(
    'rateLimiting',
    struct(
      ptr('shared', bucket),
      ptr('perUser', bucket),
      opt('tools', list(struct(req('name'), ptr('shared', bucket), ptr('perUser', bucket)))),
    ),
  ),
  opt('passthroughHeaders', strings),
);

/** The top-level keys of vMCP's `Config`, in declaration order. */
export const configKeys: readonly string[] = fieldsOf(configShape).map((f) => f.key);

function fieldsOf(shape: Shape): Field[] {
  return typeof shape === 'object' && 'struct' in shape ? shape.struct : [];
}

/** The printable tree of a config object: see the module comment. */
export function configNode(config: Record<string, unknown>): YamlNode {
  const node = toNode(config, configShape);
  if (node.kind !== 'map') return node;
  const known = new Set(configKeys);
  const extra = Object.keys(config)
    .filter((k) => !known.has(k) && config[k] !== undefined)
    .sort(goKeyOrder);
  for (const key of extra) node.entries.push([key, anyNode(config[key])]);
  return node;
}

function toNode(value: unknown, shape: Shape): YamlNode {
  if (typeof shape === 'object') {
    if ('lazy' in shape) return toNode(value, shape.lazy());
    if ('struct' in shape) {
      const object = isRecord(value) ? value : {};
      const entries: [string, YamlNode][] = [];
      for (const field of shape.struct) {
        const member = object[field.key];
        const absent = member === undefined || member === null;
        if (field.omit === 'nil' && absent) continue;
        if (field.omit === 'empty' && isZero(member, field.shape)) continue;
        entries.push([field.key, toNode(member, field.shape)]);
      }
      return { kind: 'map', entries };
    }
    if ('map' in shape) {
      const object = isRecord(value) ? value : {};
      const keys = Object.keys(object).sort(goKeyOrder);
      return { kind: 'map', entries: keys.map((k) => [k, toNode(object[k], shape.map)]) };
    }
    return {
      kind: 'seq',
      items: (Array.isArray(value) ? value : []).map((v: unknown) => toNode(v, shape.list)),
    };
  }
  switch (shape) {
    case 'string':
      return {
        kind: 'str',
        value: typeof value === 'string' ? value : value == null ? '' : JSON.stringify(value),
      };
    case 'bool':
      return { kind: 'plain', value: value === true ? 'true' : 'false' };
    case 'int':
      return {
        kind: 'plain',
        value: String(Math.trunc(typeof value === 'number' ? value : Number(value) || 0)),
      };
    case 'duration':
      return { kind: 'str', value: goDuration(value) };
    case 'refillPeriod':
      return { kind: 'map', entries: [['duration', { kind: 'str', value: goDuration(value) }]] };
    case 'any':
    case 'anyMap':
      return anyNode(value);
  }
}

function isZero(value: unknown, shape: Shape): boolean {
  if (value === undefined || value === null) return true;
  if (typeof shape === 'object') {
    if ('lazy' in shape) return isZero(value, shape.lazy());
    if ('list' in shape) return !Array.isArray(value) || value.length === 0;
    if ('map' in shape) return !isRecord(value) || Object.keys(value).length === 0;
    return false;
  }
  switch (shape) {
    case 'string':
      return value === '';
    case 'bool':
      return value !== true;
    case 'int':
      return Number(value) === 0;
    case 'duration':
      return goDuration(value) === '0s';
    case 'anyMap':
      return isRecord(value) && Object.keys(value).length === 0;
    default:
      return false;
  }
}

/** Free-form JSON as Go holds it after `encoding/json`: maps sorted, numbers float64. */
function anyNode(value: unknown): YamlNode {
  if (value === null || value === undefined) return { kind: 'plain', value: 'null' };
  if (Array.isArray(value)) return { kind: 'seq', items: value.map(anyNode) };
  if (isRecord(value)) {
    const keys = Object.keys(value).sort(goKeyOrder);
    return { kind: 'map', entries: keys.map((k) => [k, anyNode(value[k])]) };
  }
  if (typeof value === 'string') return { kind: 'str', value };
  if (typeof value === 'number') return { kind: 'plain', value: goFloat(value) };
  if (typeof value === 'boolean') return { kind: 'plain', value: String(value) };
  // Not from JSON (bigint, symbol, function): a bigint keeps its digits, the rest their type name.
  return { kind: 'str', value: typeof value === 'bigint' ? value.toString() : typeof value };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
