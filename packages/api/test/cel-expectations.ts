// Expected messages (ToolHive's, word for word) and sample values for the CEL rules of
// VirtualMCPServer `spec`/`spec.config` and of the embedded authorization server
// (`spec.authServerConfig`, MCPExternalAuthConfig `spec.embeddedAuthServer`). Used by cel.test.ts.

interface Expectation {
  message: string;
  pass: unknown[];
  fail: unknown[];
}

const bucket = { maxTokens: 5, refillPeriod: '1m' };
const redis = { provider: 'redis', address: 'redis:6379' };
const oidc = { type: 'oidc', oidcConfigRef: { name: 'o', audience: 'a' } };

export const vmcpExpectations: Record<string, Expectation> = {
  "!has(self.config) || !has(self.config.rateLimiting) || (has(self.sessionStorage) && self.sessionStorage.provider == 'redis')":
    {
      message: "config.rateLimiting requires sessionStorage with provider 'redis'",
      pass: [{}, { config: {} }, { config: { rateLimiting: { shared: bucket } }, sessionStorage: redis }],
      fail: [
        { config: { rateLimiting: { shared: bucket } } },
        { config: { rateLimiting: { shared: bucket } }, sessionStorage: { provider: 'memory' } },
      ],
    },
  "!(has(self.config) && has(self.config.rateLimiting) && has(self.config.rateLimiting.perUser)) || (has(self.incomingAuth) && self.incomingAuth.type == 'oidc')":
    {
      message: 'config.rateLimiting.perUser requires incomingAuth.type oidc',
      pass: [
        { config: { rateLimiting: { shared: bucket } }, incomingAuth: { type: 'anonymous' } },
        { config: { rateLimiting: { perUser: bucket } }, incomingAuth: oidc },
      ],
      fail: [{ config: { rateLimiting: { perUser: bucket } }, incomingAuth: { type: 'anonymous' } }],
    },
  "!has(self.config) || !has(self.config.rateLimiting) || !has(self.config.rateLimiting.tools) || self.config.rateLimiting.tools.all(t, !has(t.perUser)) || (has(self.incomingAuth) && self.incomingAuth.type == 'oidc')":
    {
      message: 'per-tool perUser rate limiting requires incomingAuth.type oidc',
      pass: [
        {
          config: { rateLimiting: { tools: [{ name: 'x', shared: bucket }] } },
          incomingAuth: { type: 'anonymous' },
        },
        { config: { rateLimiting: { tools: [{ name: 'x', perUser: bucket }] } }, incomingAuth: oidc },
      ],
      fail: [
        {
          config: { rateLimiting: { tools: [{ name: 'x', perUser: bucket }] } },
          incomingAuth: { type: 'anonymous' },
        },
      ],
    },
  "!(has(self.embeddingServerRef) && has(self.config) && has(self.config.optimizer) && has(self.config.optimizer.embeddingProvider) && self.config.optimizer.embeddingProvider == 'openai')":
    {
      message:
        "embeddingServerRef provisions a managed TEI server and cannot be combined with optimizer.embeddingProvider 'openai'; openai mode uses embeddingService directly",
      pass: [
        { embeddingServerRef: { name: 'e' }, config: { optimizer: { embeddingProvider: 'tei' } } },
        { config: { optimizer: { embeddingProvider: 'openai' } } },
      ],
      fail: [{ embeddingServerRef: { name: 'e' }, config: { optimizer: { embeddingProvider: 'openai' } } }],
    },
  "self == '' || duration(self) >= duration('1s')": {
    message: 'timeout must be >= 1s',
    pass: ['', '1s', '2m'],
    fail: ['500ms'],
  },
  "!has(self.embeddingHeaders) || (has(self.embeddingProvider) && self.embeddingProvider == 'openai')": {
    message: "embeddingHeaders is only supported when embeddingProvider is 'openai'",
    pass: [
      { embeddingProvider: 'tei' },
      { embeddingProvider: 'openai', embeddingHeaders: { 'X-Team': 'a' } },
    ],
    fail: [{ embeddingProvider: 'tei', embeddingHeaders: { 'X-Team': 'a' } }],
  },
  [String.raw`!has(self.embeddingHeaders) || self.embeddingHeaders.all(k, k.matches('^[!#$%&\\x27*+.^_\\x60|~0-9A-Za-z-]+$') && !(k.lowerAscii() in ['authorization', 'content-type']))`]:
    {
      message:
        'embeddingHeaders names must be valid HTTP header names and must not include Authorization or Content-Type',
      pass: [{}, { embeddingHeaders: { 'X-Team': 'a', "it's": 'b' } }],
      fail: [
        { embeddingHeaders: { Authorization: 'a' } },
        { embeddingHeaders: { 'content-type': 'a' } },
        { embeddingHeaders: { 'bad header': 'a' } },
      ],
    },
};

const issuer = { issuerUrl: 'https://idp.example.com' };
const grant = { maxAssertionAge: '5m', subjectBindings: [{ subject: 's', allowedResources: ['https://r'] }] };

export const authServerExpectations: Record<string, Expectation> = {
  '!(has(self.allowConfidentialClientRegistration) && self.allowConfidentialClientRegistration && has(self.insecureAllowHTTP) && self.insecureAllowHTTP)':
    {
      message:
        'allowConfidentialClientRegistration cannot be combined with insecureAllowHTTP; client secrets would be issued in cleartext over an unauthenticated endpoint',
      pass: [
        { allowConfidentialClientRegistration: true, insecureAllowHTTP: false },
        { allowConfidentialClientRegistration: false, insecureAllowHTTP: true },
      ],
      fail: [{ allowConfidentialClientRegistration: true, insecureAllowHTTP: true }],
    },
  "!has(self.delegateClients) || size(self.delegateClients) == 0 || !self.issuer.startsWith('http://')": {
    message:
      'delegateClients require an https:// issuer; delegate client secrets must not be sent over plaintext HTTP',
    pass: [{ issuer: 'http://a' }, { issuer: 'https://a', delegateClients: [{ clientId: 'c' }] }],
    fail: [{ issuer: 'http://a', delegateClients: [{ clientId: 'c' }] }],
  },
  '(!has(self.forceConfidentialRedirectUris) || size(self.forceConfidentialRedirectUris) == 0) || (has(self.allowConfidentialClientRegistration) && self.allowConfidentialClientRegistration)':
    {
      message: 'forceConfidentialRedirectUris requires allowConfidentialClientRegistration to be true',
      pass: [{}, { forceConfidentialRedirectUris: ['https://x'], allowConfidentialClientRegistration: true }],
      fail: [{ forceConfidentialRedirectUris: ['https://x'] }],
    },
  'has(self.clientSecretRef) && size(self.clientSecretRef.name) > 0 && size(self.clientSecretRef.key) > 0': {
    message: 'clientSecretRef.name and clientSecretRef.key are required and must be non-empty',
    pass: [{ clientSecretRef: { name: 's', key: 'k' } }],
    fail: [{}, { clientSecretRef: { name: '', key: 'k' } }, { clientSecretRef: { name: 's', key: '' } }],
  },
  '(has(self.addr) && self.addr.size() > 0) != has(self.sentinelConfig)': {
    message: 'exactly one of addr or sentinelConfig must be set',
    pass: [{ addr: 'r:6379' }, { sentinelConfig: { masterName: 'm' } }],
    fail: [{}, { addr: '' }, { addr: 'r:6379', sentinelConfig: { masterName: 'm' } }],
  },
  '!(has(self.clusterMode) && self.clusterMode) || (has(self.addr) && self.addr.size() > 0)': {
    message: 'clusterMode requires addr to be set',
    pass: [{ clusterMode: false }, { clusterMode: true, addr: 'r:6379' }],
    fail: [{ clusterMode: true, sentinelConfig: {} }],
  },
  "!has(self.allowedDelegateClients) || !('*' in self.allowedDelegateClients) || size(self.allowedDelegateClients) == 1":
    {
      message: 'allowedDelegateClients must not combine the wildcard "*" with specific client IDs',
      pass: [issuer, { allowedDelegateClients: ['*'] }, { allowedDelegateClients: ['a', 'b'] }],
      fail: [{ allowedDelegateClients: ['*', 'a'] }],
    },
  "!(has(self.allowMayAct) && self.allowMayAct && '*' in self.allowedDelegateClients)": {
    message: 'allowMayAct must not be enabled when allowedDelegateClients contains the wildcard "*"',
    pass: [{ allowMayAct: false }, { allowMayAct: true, allowedDelegateClients: ['a'] }],
    fail: [{ allowMayAct: true, allowedDelegateClients: ['*'] }],
  },
  "!has(self.actorClaim) || !(self.actorClaim in ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'jti', 'name', 'email', 'scope', 'scp', 'may_act'])":
    {
      message:
        'actorClaim must name a readable claim; use client_id or a non-reserved claim such as azp, appid, or cid',
      pass: [{}, { actorClaim: 'azp' }],
      fail: [{ actorClaim: 'sub' }, { actorClaim: 'may_act' }],
    },
  '!(has(self.allowPrivateIPs) && self.allowPrivateIPs) || (has(self.jwksUrl) && self.jwksUrl != "")': {
    message: 'allowPrivateIPs requires jwksUrl to be set explicitly',
    pass: [{ allowPrivateIPs: false }, { allowPrivateIPs: true, jwksUrl: 'https://k' }],
    fail: [{ allowPrivateIPs: true }, { allowPrivateIPs: true, jwksUrl: '' }],
  },
  '(has(self.jwtBearerGrant) && !((has(self.actorClaim) && size(self.actorClaim) > 0) || (has(self.actorMatcher) && size(self.actorMatcher) > 0) || (has(self.allowMayAct) && self.allowMayAct) || (has(self.allowedActors) && size(self.allowedActors) > 0))) || (has(self.expectedAudience) && size(self.expectedAudience) > 0)':
    {
      message:
        'expectedAudience is required unless jwtBearerGrant is configured without actorClaim, actorMatcher, allowMayAct, or allowedActors',
      pass: [{ jwtBearerGrant: grant }, { expectedAudience: 'a' }],
      fail: [issuer, { jwtBearerGrant: grant, actorClaim: 'azp' }],
    },
  '!((has(self.expectedAudience) && size(self.expectedAudience) > 0) || (has(self.actorClaim) && size(self.actorClaim) > 0) || (has(self.actorMatcher) && size(self.actorMatcher) > 0) || (has(self.allowMayAct) && self.allowMayAct)) || (has(self.allowedDelegateClients) && size(self.allowedDelegateClients) > 0)':
    {
      message:
        'allowedDelegateClients is required when expectedAudience, actorClaim, actorMatcher, or allowMayAct is set',
      pass: [issuer, { expectedAudience: 'a', allowedDelegateClients: ['c'] }],
      fail: [{ expectedAudience: 'a' }, { allowMayAct: true }],
    },
  "duration(self.maxAssertionAge) > duration('0s')": {
    message: 'maxAssertionAge must be greater than zero',
    pass: [grant],
    fail: [{ ...grant, maxAssertionAge: '0s' }],
  },
  'self.subjectBindings.all(binding, self.subjectBindings.filter(other, other.subject == binding.subject).size() == 1)':
    {
      message: 'subjectBindings must not contain duplicate subjects',
      pass: [grant],
      fail: [{ ...grant, subjectBindings: [...grant.subjectBindings, ...grant.subjectBindings] }],
    },
  "self.type == 'oidc' ? (has(self.oidcConfig) && !has(self.oauth2Config)) : self.type == 'oauth2' ? (has(self.oauth2Config) && !has(self.oidcConfig)) : false":
    {
      message:
        "type must be 'oidc' or 'oauth2'; oidcConfig must be set when type is 'oidc' and oauth2Config must be set when type is 'oauth2' (and the other must not be set)",
      pass: [
        { type: 'oidc', oidcConfig: {} },
        { type: 'oauth2', oauth2Config: {} },
      ],
      fail: [{ type: 'oidc' }, { type: 'oidc', oidcConfig: {}, oauth2Config: {} }, { type: 'saml' }],
    },
  '(has(self.clientId) && size(self.clientId) > 0) ? !has(self.dcrConfig) : has(self.dcrConfig)': {
    message: 'exactly one of clientId or dcrConfig must be set',
    pass: [{ clientId: 'c' }, { dcrConfig: {} }, { clientId: '', dcrConfig: {} }],
    fail: [{}, { clientId: 'c', dcrConfig: {} }],
  },
  '!(has(self.dcrConfig) && has(self.clientSecretRef))': {
    message:
      'clientSecretRef must not be set when dcrConfig is set; the client_secret is obtained at runtime via Dynamic Client Registration',
    pass: [{ dcrConfig: {} }, { clientId: 'c', clientSecretRef: { name: 's', key: 'k' } }],
    fail: [{ dcrConfig: {}, clientSecretRef: { name: 's', key: 'k' } }],
  },
  'has(self.discoveryUrl) != has(self.registrationEndpoint)': {
    message: 'exactly one of discoveryUrl or registrationEndpoint must be set',
    pass: [{ discoveryUrl: 'https://d' }, { registrationEndpoint: 'https://r' }],
    fail: [{}, { discoveryUrl: 'https://d', registrationEndpoint: 'https://r' }],
  },
};
