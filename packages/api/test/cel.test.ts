import { describe, expect, it } from 'vitest';
import { celRulesIn, evaluateRule, kinds } from '../src/index.js';
import { authServerExpectations, vmcpExpectations } from './cel-expectations.js';

// Every CEL rule of the CRDs, keyed by its text, with the message ToolHive's CRDs give it (people and
// tools match on that text, so it must be ToolHive's word for word) and values of `self` that satisfy
// it and that break it. A rule added to a schema without an entry here fails the first test; a
// message that drifts from ToolHive's fails the second.
interface Expectation {
  message: string;
  pass: unknown[];
  fail: unknown[];
}
const secret = { name: 's', key: 'k' };
const bucket = { maxTokens: 10, refillPeriod: '1m' };
const authTypes = [
  'tokenExchange',
  'headerInjection',
  'bearerToken',
  'embeddedAuthServer',
  'awsSts',
  'upstreamInject',
  'obo',
  'xaa',
];

const expectations: Record<string, Expectation> = {
  "self.provider == 'redis' ? has(self.address) : true": {
    message: 'address is required',
    pass: [{ provider: 'redis', address: 'redis:6379' }, { provider: 'memory' }],
    fail: [{ provider: 'redis' }],
  },
  '!has(self.headers) || !has(self.sensitiveHeaders) || self.sensitiveHeaders.all(sh, !(sh.name in self.headers))':
    {
      message: 'a header name cannot appear in both headers and sensitiveHeaders',
      pass: [
        { headers: { a: '1' }, sensitiveHeaders: [{ name: 'b', secretKeyRef: secret }] },
        { headers: { a: '1' } },
      ],
      fail: [{ headers: { a: '1' }, sensitiveHeaders: [{ name: 'a', secretKeyRef: secret }] }],
    },
  "self.type == 'configMap' ? has(self.configMap) : !has(self.configMap)": {
    message: "configMap must be set when type is 'configMap', and must not be set otherwise",
    pass: [
      { type: 'configMap', configMap: { name: 'p' } },
      { type: 'inline', inline: { policies: ['p'] } },
    ],
    fail: [{ type: 'configMap' }, { type: 'inline', configMap: { name: 'p' } }],
  },
  "self.type == 'inline' ? has(self.inline) : !has(self.inline)": {
    message: "inline must be set when type is 'inline', and must not be set otherwise",
    pass: [
      { type: 'inline', inline: { policies: ['p'] } },
      { type: 'configMap', configMap: { name: 'p' } },
    ],
    fail: [{ type: 'inline' }, { type: 'configMap', inline: { policies: ['p'] } }],
  },
  '!(has(self.authzConfig) && has(self.authzConfigRef))': {
    message:
      'authzConfig and authzConfigRef are mutually exclusive; use authzConfigRef to reference a shared MCPAuthzConfig',
    pass: [{ authzConfig: { type: 'inline' } }, { authzConfigRef: { name: 'a' } }, {}],
    fail: [{ authzConfig: { type: 'inline' }, authzConfigRef: { name: 'a' } }],
  },
  '!(has(self.telemetry) && has(self.telemetryConfigRef))': {
    message: 'telemetry and telemetryConfigRef are mutually exclusive; migrate to telemetryConfigRef',
    pass: [{ telemetry: { prometheus: { enabled: true } } }, { telemetryConfigRef: { name: 't' } }, {}],
    fail: [{ telemetry: { prometheus: { enabled: true } }, telemetryConfigRef: { name: 't' } }],
  },
  "!has(self.rateLimiting) || (has(self.sessionStorage) && self.sessionStorage.provider == 'redis')": {
    message: "rateLimiting requires sessionStorage with provider 'redis'",
    pass: [{}, { rateLimiting: { shared: bucket }, sessionStorage: { provider: 'redis', address: 'r:1' } }],
    fail: [
      { rateLimiting: { shared: bucket } },
      { rateLimiting: { shared: bucket }, sessionStorage: { provider: 'memory' } },
    ],
  },
  '!(has(self.rateLimiting) && has(self.rateLimiting.perUser)) || has(self.oidcConfigRef) || has(self.externalAuthConfigRef)':
    {
      message: 'rateLimiting.perUser requires authentication (oidcConfigRef or externalAuthConfigRef)',
      pass: [
        { rateLimiting: { shared: bucket } },
        { rateLimiting: { perUser: bucket }, externalAuthConfigRef: { name: 'e' } },
      ],
      fail: [{ rateLimiting: { perUser: bucket } }],
    },
  '!has(self.rateLimiting) || !has(self.rateLimiting.tools) || self.rateLimiting.tools.all(t, !has(t.perUser)) || has(self.oidcConfigRef) || has(self.externalAuthConfigRef)':
    {
      message:
        'per-tool perUser rate limiting requires authentication (oidcConfigRef or externalAuthConfigRef)',
      pass: [
        { rateLimiting: { tools: [{ name: 'x', shared: bucket }] } },
        {
          rateLimiting: { tools: [{ name: 'x', perUser: bucket }] },
          oidcConfigRef: { name: 'o', audience: 'a' },
        },
      ],
      fail: [{ rateLimiting: { tools: [{ name: 'x', perUser: bucket }] } }],
    },
  'has(self.shared) || has(self.perUser) || (has(self.tools) && size(self.tools) > 0)': {
    message: 'at least one of shared, perUser, or tools must be configured',
    pass: [{ shared: bucket }, { tools: [{ name: 'x', shared: bucket }] }],
    fail: [{}, { tools: [] }],
  },
  'has(self.shared) || has(self.perUser)': {
    message: 'at least one of shared or perUser must be configured',
    pass: [{ name: 'x', perUser: bucket }],
    fail: [{ name: 'x' }],
  },
  "self.type == 'oidc' ? has(self.oidcConfigRef) : true": {
    message: 'spec.incomingAuth.oidcConfigRef is required when type is oidc',
    pass: [{ type: 'anonymous' }, { type: 'oidc', oidcConfigRef: { name: 'o', audience: 'a' } }],
    fail: [{ type: 'oidc' }],
  },
  [`self.type == 'unauthenticated' ? (${authTypes.map((t) => `!has(self.${t})`).join(' && ')}) : true`]: {
    message: "no configuration must be set when type is 'unauthenticated'",
    pass: [{ type: 'unauthenticated' }, { type: 'bearerToken', bearerToken: {} }],
    fail: authTypes.map((t) => ({ type: 'unauthenticated', [t]: {} })),
  },
};

for (const t of authTypes) {
  const other = t === 'bearerToken' ? 'headerInjection' : 'bearerToken';
  expectations[`self.type == '${t}' ? has(self.${t}) : !has(self.${t})`] = {
    message: `${t} configuration must be set if and only if type is '${t}'`,
    pass: [
      { type: t, [t]: {} },
      { type: other, [other]: {} },
    ],
    fail: [{ type: t }, { type: other, [other]: {}, [t]: {} }],
  };
}

// Rules of VirtualMCPServer spec and spec.config, and of the embedded authorization server, are in
// cel-expectations.ts to keep this file readable.
Object.assign(expectations, vmcpExpectations, authServerExpectations);

describe('CEL rules of the CRDs, evaluated with a CEL library', () => {
  const rules = kinds.flatMap((kind) => celRulesIn(kind.openApi(), kind.kind));

  it('every rule has an expectation', () => {
    const missing = rules.filter((r) => !(r.rule in expectations)).map((r) => `${r.path}: ${r.rule}`);
    expect(missing).toEqual([]);
    expect(rules.length).toBeGreaterThanOrEqual(60);
  });

  it('every rule carries ToolHive’s message, word for word', () => {
    const wrong = rules
      .filter((r) => r.rule in expectations && expectations[r.rule]?.message !== r.message)
      .map((r) => ({ path: r.path, ours: r.message, toolhive: expectations[r.rule]?.message }));
    expect(wrong).toEqual([]);
  });

  for (const { rule, message, path } of rules) {
    const e = expectations[rule];
    if (!e) continue;
    it(`${path}: ${message}`, () => {
      for (const self of e.pass) expect(evaluateRule(rule, self), JSON.stringify(self)).toEqual({ ok: true });
      for (const self of e.fail) expect(evaluateRule(rule, self).ok, JSON.stringify(self)).toBe(false);
    });
  }

  it('every expectation belongs to a rule that exists (no stale entries)', () => {
    const texts = new Set(rules.map((r) => r.rule));
    expect(Object.keys(expectations).filter((r) => !texts.has(r))).toEqual([]);
  });
});
