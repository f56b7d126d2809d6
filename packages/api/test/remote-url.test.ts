import { describe, expect, it } from 'vitest';
import { remoteURLProblem } from '../src/remote-url.js';

const ipBlocked = (ip: string, cidr: string) =>
  `remote URL host is not allowed: IP address ${ip} falls within blocked range ${cidr}`;
const nameBlocked = (host: string, name: string) =>
  `remote URL host is not allowed: hostname "${host}" matches blocked internal hostname "${name}"`;

describe('remoteURLProblem', () => {
  // [url, problem by default, problem with allowPrivateEndpoint]
  const table: [string, string | undefined, string | undefined][] = [
    ['https://mcp.example.com/mcp', undefined, undefined],
    ['http://mcp.example.com:8080/sse', undefined, undefined],
    ['https://93.184.216.34/mcp', undefined, undefined],
    ['https://[2001:db8::1]:443/mcp', undefined, undefined],
    ['http://backend.tools.svc:8080/mcp', undefined, undefined], // bare .svc: not on any list
    // Always blocked ranges, with and without allowPrivateEndpoint.
    ['http://0.0.0.0/', ipBlocked('0.0.0.0', '0.0.0.0/8'), ipBlocked('0.0.0.0', '0.0.0.0/8')],
    ['http://0.1.2.3/', ipBlocked('0.1.2.3', '0.0.0.0/8'), ipBlocked('0.1.2.3', '0.0.0.0/8')],
    ['http://127.0.0.1:9000/', ipBlocked('127.0.0.1', '127.0.0.0/8'), ipBlocked('127.0.0.1', '127.0.0.0/8')],
    [
      'http://127.255.255.254/',
      ipBlocked('127.255.255.254', '127.0.0.0/8'),
      ipBlocked('127.255.255.254', '127.0.0.0/8'),
    ],
    [
      'http://169.254.169.254/latest',
      ipBlocked('169.254.169.254', '169.254.0.0/16'),
      ipBlocked('169.254.169.254', '169.254.0.0/16'),
    ],
    ['http://[::]/', ipBlocked('::', '::/128'), ipBlocked('::', '::/128')],
    ['http://[::1]:8080/', ipBlocked('::1', '::1/128'), ipBlocked('::1', '::1/128')],
    ['http://[fe80::1]/', ipBlocked('fe80::1', 'fe80::/10'), ipBlocked('fe80::1', 'fe80::/10')],
    [
      'http://[febf:ffff::1]/',
      ipBlocked('febf:ffff::1', 'fe80::/10'),
      ipBlocked('febf:ffff::1', 'fe80::/10'),
    ],
    ['http://[fec0::1]/', undefined, undefined], // just past fe80::/10
    // IPv4-mapped IPv6 is checked as the IPv4 address it carries.
    [
      'http://[::ffff:127.0.0.1]/',
      ipBlocked('127.0.0.1', '127.0.0.0/8'),
      ipBlocked('127.0.0.1', '127.0.0.0/8'),
    ],
    [
      'http://[::ffff:a9fe:a9fe]/',
      ipBlocked('169.254.169.254', '169.254.0.0/16'),
      ipBlocked('169.254.169.254', '169.254.0.0/16'),
    ],
    ['http://[::ffff:10.1.2.3]/', ipBlocked('10.1.2.3', '10.0.0.0/8'), undefined],
    // Forms an HTTP client reads as 127.0.0.1 (ToolHive lets these through as hostnames).
    ['http://2130706433/', ipBlocked('127.0.0.1', '127.0.0.0/8'), ipBlocked('127.0.0.1', '127.0.0.0/8')],
    ['http://0x7f.1/', ipBlocked('127.0.0.1', '127.0.0.0/8'), ipBlocked('127.0.0.1', '127.0.0.0/8')],
    // Private ranges: blocked unless allowPrivateEndpoint, edges included.
    ['http://10.0.0.1/', ipBlocked('10.0.0.1', '10.0.0.0/8'), undefined],
    ['http://10.255.255.255/', ipBlocked('10.255.255.255', '10.0.0.0/8'), undefined],
    ['http://11.0.0.1/', undefined, undefined],
    ['http://172.16.0.1/', ipBlocked('172.16.0.1', '172.16.0.0/12'), undefined],
    ['http://172.31.255.255/', ipBlocked('172.31.255.255', '172.16.0.0/12'), undefined],
    ['http://172.32.0.1/', undefined, undefined],
    ['http://172.15.255.255/', undefined, undefined],
    ['http://192.168.1.10:8080/', ipBlocked('192.168.1.10', '192.168.0.0/16'), undefined],
    ['http://192.169.0.1/', undefined, undefined],
    ['http://[fd12:3456::1]/', ipBlocked('fd12:3456::1', 'fc00::/7'), undefined],
    ['http://[fc00::1]/', ipBlocked('fc00::1', 'fc00::/7'), undefined],
    ['http://[fe00::1]/', undefined, undefined],
    // Hostnames: exact or subdomain, any case; always-blocked names first.
    ['http://localhost:8080/', nameBlocked('localhost', 'localhost'), nameBlocked('localhost', 'localhost')],
    ['http://LocalHost/', nameBlocked('LocalHost', 'localhost'), nameBlocked('LocalHost', 'localhost')],
    [
      'http://api.localhost/',
      nameBlocked('api.localhost', 'localhost'),
      nameBlocked('api.localhost', 'localhost'),
    ],
    ['http://notlocalhost/', undefined, undefined],
    [
      'https://kubernetes.default.svc.cluster.local/api',
      nameBlocked('kubernetes.default.svc.cluster.local', 'kubernetes.default.svc.cluster.local'),
      nameBlocked('kubernetes.default.svc.cluster.local', 'kubernetes.default.svc.cluster.local'),
    ],
    [
      'https://kubernetes.default.svc/api',
      nameBlocked('kubernetes.default.svc', 'kubernetes.default.svc'),
      nameBlocked('kubernetes.default.svc', 'kubernetes.default.svc'),
    ],
    [
      'https://kubernetes.default/',
      nameBlocked('kubernetes.default', 'kubernetes.default'),
      nameBlocked('kubernetes.default', 'kubernetes.default'),
    ],
    [
      'http://metadata.google.internal/computeMetadata/v1',
      nameBlocked('metadata.google.internal', 'metadata.google.internal'),
      nameBlocked('metadata.google.internal', 'metadata.google.internal'),
    ],
    [
      'http://mcp.tools.svc.cluster.local:8080/mcp',
      nameBlocked('mcp.tools.svc.cluster.local', 'cluster.local'),
      undefined,
    ],
    ['http://cluster.local/', nameBlocked('cluster.local', 'cluster.local'), undefined],
    ['http://mycluster.local/', undefined, undefined],
    // Scheme and host.
    ['', 'remote URL must not be empty', 'remote URL must not be empty'],
    [
      'ftp://mcp.example.com/',
      'remote URL must use http or https scheme, got "ftp"',
      'remote URL must use http or https scheme, got "ftp"',
    ],
    ['HTTPS://mcp.example.com/', undefined, undefined],
    ['http:///path', 'remote URL must have a valid host', 'remote URL must have a valid host'],
    ['http://:8080/', 'remote URL must have a valid host', 'remote URL must have a valid host'],
    ['http://user@/', 'remote URL must have a valid host', 'remote URL must have a valid host'],
  ];

  it.each(table)('%s', (url, byDefault, allowingPrivate) => {
    expect(remoteURLProblem(url)).toBe(byDefault);
    expect(remoteURLProblem(url, { allowPrivateEndpoint: true })).toBe(allowingPrivate);
  });

  it('rejects what is not a URL at all', () => {
    expect(remoteURLProblem('mcp.example.com/mcp')).toMatch(/^remote URL is invalid: /);
    expect(remoteURLProblem('http://exa mple.com/')).toMatch(/^remote URL is invalid: /);
    expect(remoteURLProblem('http://[::1/')).toMatch(/^remote URL is invalid: /);
  });
});
