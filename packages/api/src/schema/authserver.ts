import { z } from 'zod';
import { cel, goInt, listAtomic, listMap, patterned, secretKeyRef, stringMap, withRules } from './fields.js';

// The embedded OAuth 2.0 authorization server: VirtualMCPServer `spec.authServerConfig` and
// MCPExternalAuthConfig `spec.embeddedAuthServer` share this schema, as in ToolHive. Fields, bounds,
// defaults and CEL rules (text and messages) are ToolHive's, so its manifests are stored alike.

/** A Go `time.Duration` string such as `90s` or `1h30m`. */
export const durationPattern = String.raw`^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`;
export const duration = (description: string) => patterned(durationPattern).describe(description);

const dnsLabel = '^[a-z0-9]([a-z0-9-]*[a-z0-9])?$';
const issuerUrl = String.raw`^https?://[^\s?#]+[^/\s?#]$`;
const httpUrl = '^https?://.*$';
const httpsEndpoint = String.raw`^https://[^\s?#]+[^/\s?#]$`;

const ref = (what: string) => secretKeyRef.describe(`Secret key holding ${what}.`);

const fieldMapping = z
  .object({
    subjectFields: listAtomic(z.string(), 'Fields tried in order for the user ID.').optional(),
    nameFields: listAtomic(z.string(), 'Fields tried in order for the display name.').optional(),
    emailFields: listAtomic(z.string(), 'Fields tried in order for the e-mail address.').optional(),
  })
  .describe('Where the user’s identity sits in a non-standard userinfo answer.');

const userInfo = z
  .object({
    endpointUrl: patterned(httpUrl).describe('Userinfo endpoint.'),
    httpMethod: z.enum(['GET', 'POST']).optional().describe('HTTP method for the userinfo call.'),
    additionalHeaders: stringMap('Extra headers sent with the userinfo call.').optional(),
    fieldMapping: fieldMapping.optional(),
  })
  .describe('How to fetch the user’s identity after login.');

const oidcUpstream = z
  .object({
    issuerUrl: patterned('^https://.*$').describe('OIDC issuer; its discovery document is used.'),
    clientId: z.string().describe('Client ID registered with the upstream provider.'),
    clientSecretRef: ref('the client secret').optional(),
    redirectUri: z.string().optional().describe('Callback URL; derived from the issuer when empty.'),
    scopes: listAtomic(z.string(), 'Scopes requested upstream.').optional(),
    subjectClaim: patterned('^([a-zA-Z_][a-zA-Z0-9_]*)?$')
      .max(128)
      .optional()
      .describe('ID-token claim used as the user ID (`sub` when empty).'),
    userInfoOverride: userInfo.optional(),
    additionalAuthorizationParams: stringMap(
      'Extra query parameters on the authorization request.',
    ).optional(),
  })
  .describe('An OpenID Connect upstream identity provider.');

const dcrConfig = withRules(
  z
    .object({
      discoveryUrl: patterned(httpsEndpoint).max(2048).optional().describe('Metadata document URL.'),
      registrationEndpoint: patterned(httpsEndpoint)
        .max(2048)
        .optional()
        .describe('Registration endpoint, when there is no metadata document.'),
      initialAccessTokenRef: ref('the initial access token').optional(),
      softwareId: z.string().max(255).optional().describe('`software_id` sent on registration.'),
      softwareStatement: z.string().max(16384).optional().describe('Signed software statement (JWT).'),
    })
    .describe('Register the client dynamically (RFC 7591) instead of using a fixed client ID.'),
  cel(
    'has(self.discoveryUrl) != has(self.registrationEndpoint)',
    'exactly one of discoveryUrl or registrationEndpoint must be set',
  ),
);

const oauth2Upstream = withRules(
  z
    .object({
      authorizationEndpoint: patterned(httpUrl).describe('Authorization endpoint.'),
      tokenEndpoint: patterned(httpUrl).describe('Token endpoint.'),
      userInfo: userInfo.optional(),
      clientId: z.string().optional().describe('Client ID; leave empty with `dcrConfig`.'),
      clientSecretRef: ref('the client secret').optional(),
      dcrConfig: dcrConfig.optional(),
      redirectUri: z.string().optional().describe('Callback URL.'),
      scopes: listAtomic(z.string(), 'Scopes requested upstream.').optional(),
      tokenResponseMapping: z
        .object({
          accessTokenPath: z.string().min(1).describe('Path of the access token in the answer.'),
          scopePath: z.string().optional().describe('Path of the granted scopes.'),
          refreshTokenPath: z.string().optional().describe('Path of the refresh token.'),
          expiresInPath: z.string().optional().describe('Path of the lifetime in seconds.'),
        })
        .optional()
        .describe('Where the fields sit in a non-standard token answer.'),
      identityFromToken: z
        .object({
          subjectPath: z.string().min(1).max(256).describe('Path of the user ID in the token answer.'),
          namePath: z.string().min(1).max(256).optional().describe('Path of the display name.'),
          emailPath: z.string().min(1).max(256).optional().describe('Path of the e-mail address.'),
        })
        .optional()
        .describe('Read the identity from the token answer instead of calling userinfo.'),
      additionalAuthorizationParams: stringMap(
        'Extra query parameters on the authorization request.',
      ).optional(),
      allowPrivateIPs: z.boolean().optional().describe('Allow endpoints on private addresses.'),
      insecureAllowHTTP: z.boolean().optional().describe('Allow plain-HTTP endpoints (development only).'),
    })
    .describe('A plain OAuth 2.0 upstream provider.'),
  cel(
    '(has(self.clientId) && size(self.clientId) > 0) ? !has(self.dcrConfig) : has(self.dcrConfig)',
    'exactly one of clientId or dcrConfig must be set',
  ),
  cel(
    '!(has(self.dcrConfig) && has(self.clientSecretRef))',
    'clientSecretRef must not be set when dcrConfig is set; the client_secret is obtained at runtime via Dynamic Client Registration',
  ),
);

const upstreamProvider = withRules(
  z.object({
    name: patterned(dnsLabel).min(1).max(63).describe('Name of the provider, a DNS label.'),
    type: z.enum(['oidc', 'oauth2']).describe('Protocol of the provider.'),
    oidcConfig: oidcUpstream.optional(),
    oauth2Config: oauth2Upstream.optional(),
  }),
  cel(
    "self.type == 'oidc' ? (has(self.oidcConfig) && !has(self.oauth2Config)) : self.type == 'oauth2' ? (has(self.oauth2Config) && !has(self.oidcConfig)) : false",
    "type must be 'oidc' or 'oauth2'; oidcConfig must be set when type is 'oidc' and oauth2Config must be set when type is 'oauth2' (and the other must not be set)",
  ),
);

const tlsConfig = z
  .object({
    insecureSkipVerify: z.boolean().optional().describe('Skip certificate verification (development only).'),
    caCertSecretRef: ref('a PEM CA certificate').optional(),
  })
  .describe('TLS towards Redis.');

const redisStorage = withRules(
  z
    .object({
      addr: z.string().optional().describe('Redis `host:port` (standalone or cluster).'),
      clusterMode: z.boolean().optional().describe('Talk Redis Cluster protocol to `addr`.'),
      sentinelConfig: z
        .object({
          masterName: z.string().describe('Name of the monitored master.'),
          sentinelAddrs: listAtomic(z.string(), 'Sentinel `host:port` addresses.').optional(),
          sentinelService: z
            .object({
              name: z.string().describe('Service name.'),
              namespace: z.string().optional().describe('Service namespace; the resource’s when empty.'),
              port: z.int32().default(26379).describe('Sentinel port.'),
            })
            .optional()
            .describe('Find the sentinels through a Service instead of fixed addresses.'),
          db: z.int32().default(0).describe('Redis database number.'),
        })
        .optional()
        .describe('Redis Sentinel for high availability.'),
      aclUserConfig: z
        .object({
          usernameSecretRef: ref('the Redis user name').optional(),
          passwordSecretRef: ref('the Redis password'),
        })
        .describe('Redis ACL credentials.'),
      dialTimeout: duration('Connect timeout.').default('5s'),
      readTimeout: duration('Read timeout.').default('3s'),
      writeTimeout: duration('Write timeout.').default('3s'),
      tls: tlsConfig.optional(),
      sentinelTls: tlsConfig.optional().describe('TLS towards the sentinels.'),
    })
    .describe('Redis storage.'),
  cel(
    '(has(self.addr) && self.addr.size() > 0) != has(self.sentinelConfig)',
    'exactly one of addr or sentinelConfig must be set',
  ),
  cel(
    '!(has(self.clusterMode) && self.clusterMode) || (has(self.addr) && self.addr.size() > 0)',
    'clusterMode requires addr to be set',
  ),
);

// RE2's POSIX class has no JavaScript spelling; `\S` reads the same for the URLs this takes.
const audience = patterned('^https?://[^[:space:]]+$', /^https?:\/\/\S+$/)
  .min(1)
  .max(2048);

const jwtBearerGrant = withRules(
  z
    .object({
      maxAssertionAge: z.string().describe('Oldest accepted assertion, as a duration.'),
      acceptedAudiences: listAtomic(audience, 'Audiences accepted in the assertion besides the issuer.')
        .max(50)
        .optional(),
      subjectBindings: listAtomic(
        z.object({
          subject: patterned('^[^*]+$').min(1).max(256).describe('Subject of the assertion.'),
          allowedResources: listAtomic(audience, 'Resources that subject may get tokens for.').min(1).max(50),
        }),
        'Which subjects may get tokens for which resources.',
      )
        .min(1)
        .max(50),
    })
    .describe('Accept JWT assertions from this issuer as an authorization grant (RFC 7523).'),
  cel("duration(self.maxAssertionAge) > duration('0s')", 'maxAssertionAge must be greater than zero'),
  cel(
    'self.subjectBindings.all(binding, self.subjectBindings.filter(other, other.subject == binding.subject).size() == 1)',
    'subjectBindings must not contain duplicate subjects',
  ),
);

const reservedActorClaims =
  "['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'jti', 'name', 'email', 'scope', 'scp', 'may_act']";
const trustedIssuer = withRules(
  z.object({
    issuerUrl: z.string().min(1).max(2048).describe('Issuer whose tokens may be exchanged here.'),
    jwksUrl: z.string().max(2048).optional().describe('Its key set; discovered from the issuer when empty.'),
    expectedAudience: z.string().min(1).max(2048).optional().describe('Audience its tokens must carry.'),
    allowedDelegateClients: listAtomic(
      z.string().min(1).max(256),
      'Delegate clients allowed to exchange its tokens; `*` alone for any.',
    )
      .min(1)
      .max(50)
      .optional(),
    actorClaim: z.string().max(64).optional().describe('Claim naming the acting client.'),
    actorMatcher: z.string().max(4096).optional().describe('Expression the actor must match.'),
    allowedActors: listAtomic(z.string().min(1).max(256), 'Actors allowed to act.').max(50).optional(),
    allowMayAct: z.boolean().default(false).describe('Honour the `may_act` claim.'),
    allowPrivateIPs: z.boolean().optional().describe('Allow a key set on a private address.'),
    insecureAllowHTTP: z.boolean().optional().describe('Allow a plain-HTTP issuer (development only).'),
    jwtBearerGrant: jwtBearerGrant.optional(),
  }),
  cel(
    "!has(self.allowedDelegateClients) || !('*' in self.allowedDelegateClients) || size(self.allowedDelegateClients) == 1",
    'allowedDelegateClients must not combine the wildcard "*" with specific client IDs',
  ),
  cel(
    "!(has(self.allowMayAct) && self.allowMayAct && '*' in self.allowedDelegateClients)",
    'allowMayAct must not be enabled when allowedDelegateClients contains the wildcard "*"',
  ),
  cel(
    `!has(self.actorClaim) || !(self.actorClaim in ${reservedActorClaims})`,
    'actorClaim must name a readable claim; use client_id or a non-reserved claim such as azp, appid, or cid',
  ),
  cel(
    '!(has(self.allowPrivateIPs) && self.allowPrivateIPs) || (has(self.jwksUrl) && self.jwksUrl != "")',
    'allowPrivateIPs requires jwksUrl to be set explicitly',
  ),
  cel(
    '(has(self.jwtBearerGrant) && !((has(self.actorClaim) && size(self.actorClaim) > 0) || (has(self.actorMatcher) && size(self.actorMatcher) > 0) || (has(self.allowMayAct) && self.allowMayAct) || (has(self.allowedActors) && size(self.allowedActors) > 0))) || (has(self.expectedAudience) && size(self.expectedAudience) > 0)',
    'expectedAudience is required unless jwtBearerGrant is configured without actorClaim, actorMatcher, allowMayAct, or allowedActors',
  ),
  cel(
    '!((has(self.expectedAudience) && size(self.expectedAudience) > 0) || (has(self.actorClaim) && size(self.actorClaim) > 0) || (has(self.actorMatcher) && size(self.actorMatcher) > 0) || (has(self.allowMayAct) && self.allowMayAct)) || (has(self.allowedDelegateClients) && size(self.allowedDelegateClients) > 0)',
    'allowedDelegateClients is required when expectedAudience, actorClaim, actorMatcher, or allowMayAct is set',
  ),
);

const delegateClient = withRules(
  z.object({
    clientId: z.string().min(1).max(256).describe('Client ID of the delegate.'),
    clientSecretRef: ref('the delegate’s client secret'),
    audiences: listAtomic(z.string().min(1).max(2048), 'Audiences it may request.').min(1).max(10),
    scopes: listAtomic(z.string().min(1).max(256), 'Scopes it may request.').min(1).max(10),
  }),
  cel(
    'has(self.clientSecretRef) && size(self.clientSecretRef.name) > 0 && size(self.clientSecretRef.key) > 0',
    'clientSecretRef.name and clientSecretRef.key are required and must be non-empty',
  ),
);

export const embeddedAuthServer = withRules(
  z
    .object({
      issuer: patterned(issuerUrl).describe('Issuer URL of this server (no trailing slash).'),
      authorizationEndpointBaseUrl: patterned(issuerUrl)
        .optional()
        .describe('Public base URL of the authorization endpoint, when it differs from the issuer.'),
      signingKeySecretRefs: listAtomic(ref('a PEM signing key'), 'Token signing keys; the first signs.')
        .max(5)
        .optional(),
      hmacSecretRefs: listAtomic(ref('an HMAC secret'), 'Secrets for opaque codes and tokens.').optional(),
      tokenLifespans: z
        .object({
          accessTokenLifespan: duration('Access token lifetime.').optional(),
          refreshTokenLifespan: duration('Refresh token lifetime.').optional(),
          authCodeLifespan: duration('Authorization code lifetime.').optional(),
        })
        .optional()
        .describe('Lifetimes of what the server issues.'),
      upstreamProviders: listMap(upstreamProvider, ['name'], 'Identity providers users log in with.').min(1),
      storage: z
        .object({
          type: z.enum(['memory', 'redis']).default('memory').describe('Where state is kept.'),
          redis: redisStorage.optional(),
        })
        .optional()
        .describe('Where sessions and tokens are kept.'),
      allowConfidentialClientRegistration: z
        .boolean()
        .default(false)
        .describe('Let clients register with a secret.'),
      forceConfidentialRedirectUris: listAtomic(
        patterned(String.raw`^https://[^\s?#]+$`),
        'Redirect URIs whose clients must be confidential.',
      )
        .max(10)
        .optional(),
      insecureAllowHTTP: z.boolean().default(false).describe('Serve over plain HTTP (development only).'),
      insecureAllowConfidentialOverLoopbackHTTP: z
        .boolean()
        .default(false)
        .describe('Allow confidential clients over loopback HTTP (development only).'),
      baselineClientScopes: listAtomic(
        patterned(String.raw`^[\x21\x23-\x5B\x5D-\x7E]+$`).min(1),
        'Scopes every registered client gets.',
      )
        .max(10)
        .optional(),
      primaryUpstreamProvider: patterned(dnsLabel)
        .min(1)
        .max(63)
        .optional()
        .describe('Provider whose token authorization rules see; the first when empty.'),
      disableUpstreamTokenInjection: z
        .boolean()
        .default(false)
        .describe('Do not forward the upstream token to backends.'),
      cimd: z
        .object({
          enabled: z.boolean().default(false).describe('Accept client ID metadata documents.'),
          cacheMaxSize: goInt().min(1).optional().describe('Documents kept in the cache.'),
          cacheFallbackTtl: duration('How long a document is cached without cache headers.').optional(),
        })
        .optional()
        .describe('Client ID metadata documents (clients identified by a URL).'),
      trustedIssuers: listAtomic(trustedIssuer, 'Issuers whose tokens may be exchanged for ours.')
        .max(20)
        .optional(),
      delegateClients: listAtomic(delegateClient, 'Clients allowed to exchange tokens on others’ behalf.')
        .max(10)
        .optional(),
    })
    .describe('An OAuth 2.0 authorization server run inside the proxy or vMCP.'),
  cel(
    '!(has(self.allowConfidentialClientRegistration) && self.allowConfidentialClientRegistration && has(self.insecureAllowHTTP) && self.insecureAllowHTTP)',
    'allowConfidentialClientRegistration cannot be combined with insecureAllowHTTP; client secrets would be issued in cleartext over an unauthenticated endpoint',
  ),
  cel(
    "!has(self.delegateClients) || size(self.delegateClients) == 0 || !self.issuer.startsWith('http://')",
    'delegateClients require an https:// issuer; delegate client secrets must not be sent over plaintext HTTP',
  ),
  cel(
    '(!has(self.forceConfidentialRedirectUris) || size(self.forceConfidentialRedirectUris) == 0) || (has(self.allowConfidentialClientRegistration) && self.allowConfidentialClientRegistration)',
    'forceConfidentialRedirectUris requires allowConfidentialClientRegistration to be true',
  ),
);
