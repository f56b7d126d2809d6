import { describe, expect, it } from 'vitest';
import { celRulesIn, evaluateRule, kinds } from '../src/index.js';

// For each rule (keyed by its text): values of `self` that satisfy it and values that break it.
// A rule added to a schema without an entry here fails the first test.
const secret = { name: 's', key: 'k' };
const bucket = { maxTokens: 10, refillPeriod: '1m' };
const fixtures: Record<string, { pass: unknown[]; fail: unknown[] }> = {
  "self.provider == 'redis' ? has(self.address) : true": {
    pass: [{ provider: 'redis', address: 'redis:6379' }, { provider: 'memory' }],
    fail: [{ provider: 'redis' }],
  },
  '!has(self.headers) || !has(self.sensitiveHeaders) || self.sensitiveHeaders.all(h, !(h.name in self.headers))':
    {
      pass: [
        { headers: { a: '1' }, sensitiveHeaders: [{ name: 'b', secretKeyRef: secret }] },
        { headers: { a: '1' } },
      ],
      fail: [{ headers: { a: '1' }, sensitiveHeaders: [{ name: 'a', secretKeyRef: secret }] }],
    },
  "self.type == 'configMap' ? has(self.configMap) : !has(self.configMap)": {
    pass: [
      { type: 'configMap', configMap: { name: 'p' } },
      { type: 'inline', inline: { policies: ['p'] } },
    ],
    fail: [{ type: 'configMap' }, { type: 'inline', configMap: { name: 'p' } }],
  },
  "self.type == 'inline' ? has(self.inline) : !has(self.inline)": {
    pass: [
      { type: 'inline', inline: { policies: ['p'] } },
      { type: 'configMap', configMap: { name: 'p' } },
    ],
    fail: [{ type: 'inline' }, { type: 'configMap', inline: { policies: ['p'] } }],
  },
  '!(has(self.authzConfig) && has(self.authzConfigRef))': {
    pass: [{ authzConfig: { type: 'inline' } }, { authzConfigRef: { name: 'a' } }, {}],
    fail: [{ authzConfig: { type: 'inline' }, authzConfigRef: { name: 'a' } }],
  },
  '!(has(self.telemetry) && has(self.telemetryConfigRef))': {
    pass: [{ telemetry: { prometheus: { enabled: true } } }, { telemetryConfigRef: { name: 't' } }],
    fail: [{ telemetry: { prometheus: { enabled: true } }, telemetryConfigRef: { name: 't' } }],
  },
  "!has(self.rateLimiting) || (has(self.sessionStorage) && self.sessionStorage.provider == 'redis')": {
    pass: [{}, { rateLimiting: { shared: bucket }, sessionStorage: { provider: 'redis', address: 'r:1' } }],
    fail: [
      { rateLimiting: { shared: bucket } },
      { rateLimiting: { shared: bucket }, sessionStorage: { provider: 'memory' } },
    ],
  },
  '!(has(self.rateLimiting) && has(self.rateLimiting.perUser)) || has(self.oidcConfigRef) || has(self.externalAuthConfigRef)':
    {
      pass: [
        { rateLimiting: { shared: bucket } },
        { rateLimiting: { perUser: bucket }, externalAuthConfigRef: { name: 'e' } },
      ],
      fail: [{ rateLimiting: { perUser: bucket } }],
    },
  '!has(self.rateLimiting) || !has(self.rateLimiting.tools) || self.rateLimiting.tools.all(t, !has(t.perUser)) || has(self.oidcConfigRef) || has(self.externalAuthConfigRef)':
    {
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
    pass: [{ shared: bucket }, { tools: [{ name: 'x', shared: bucket }] }],
    fail: [{}, { tools: [] }],
  },
  'has(self.shared) || has(self.perUser)': { pass: [{ name: 'x', perUser: bucket }], fail: [{ name: 'x' }] },
  "self.type == 'oidc' ? has(self.oidcConfigRef) : true": {
    pass: [{ type: 'anonymous' }, { type: 'oidc', oidcConfigRef: { name: 'o', audience: 'a' } }],
    fail: [{ type: 'oidc' }],
  },
};

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
for (const t of authTypes) {
  const other = t === 'bearerToken' ? 'headerInjection' : 'bearerToken';
  fixtures[`self.type == '${t}' ? has(self.${t}) : !has(self.${t})`] = {
    pass: [
      { type: t, [t]: {} },
      { type: other, [other]: {} },
    ],
    fail: [{ type: t }, { type: other, [other]: {}, [t]: {} }],
  };
}
fixtures[
  `self.type == 'unauthenticated' ? (${authTypes.map((t) => `!has(self.${t})`).join(' && ')}) : true`
] = {
  pass: [{ type: 'unauthenticated' }, { type: 'bearerToken', bearerToken: {} }],
  fail: authTypes.map((t) => ({ type: 'unauthenticated', [t]: {} })),
};

describe('CEL rules of the CRDs, evaluated with a CEL library', () => {
  const rules = kinds.flatMap((kind) => celRulesIn(kind.openApi(), kind.kind));

  it('every rule has fixtures that satisfy and break it', () => {
    const missing = rules.filter((r) => !(r.rule in fixtures)).map((r) => `${r.path}: ${r.rule}`);
    expect(missing).toEqual([]);
    expect(rules.length).toBeGreaterThanOrEqual(20);
  });

  for (const { rule, message, path } of rules) {
    const f = fixtures[rule];
    if (!f) continue;
    it(`${path}: ${message}`, () => {
      for (const self of f.pass) expect(evaluateRule(rule, self), JSON.stringify(self)).toEqual({ ok: true });
      for (const self of f.fail) expect(evaluateRule(rule, self).ok, JSON.stringify(self)).toBe(false);
    });
  }

  it('every fixture belongs to a rule that exists (no stale fixtures)', () => {
    const texts = new Set(rules.map((r) => r.rule));
    expect(Object.keys(fixtures).filter((r) => !texts.has(r))).toEqual([]);
  });
});
