/**
 * The SSRF rules for the remote URL of an MCPServerEntry (and later an MCPRemoteProxy): ToolHive's
 * rules and messages, with no DNS and no network. A controller reports the returned message in its
 * `RemoteURLValidated` condition.
 *
 * The URL must be http or https with a host. A literal IP is checked against ranges that are always
 * blocked (loopback, link-local and cloud metadata, "this network", unspecified) and private ranges
 * (RFC 1918, IPv6 unique-local) that `allowPrivateEndpoint` permits; an IPv4-mapped IPv6 address is
 * checked as the IPv4 address it carries. A hostname is blocked when it equals, or is a subdomain of,
 * an internal name (`localhost`, `kubernetes.default[.svc[.cluster.local]]`,
 * `metadata.google.internal`), or of `cluster.local` unless `allowPrivateEndpoint`. Bare `*.svc`
 * names are allowed: without DNS nothing is known about them.
 *
 * One difference from ToolHive, on the safe side: the host is read as WHATWG URL parsing (and an HTTP
 * client) reads it, so `http://2130706433/` or `http://0x7f.1/` is the IP 127.0.0.1 and is blocked,
 * where ToolHive takes it for a hostname and lets it through.
 */

export interface RemoteURLOptions {
  /** Permit RFC 1918 / unique-local IPs and `*.cluster.local` (never loopback or metadata). */
  allowPrivateEndpoint?: boolean;
}

interface Range {
  cidr: string;
  family: 4 | 6;
  base: bigint;
  bits: number;
}

const alwaysBlockedRanges = [
  '0.0.0.0/8',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '::/128',
  '::1/128',
  'fe80::/10',
].map(range);
const privateRanges = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'].map(range);
// Checked before the private names, so `kubernetes.default.svc.cluster.local` stays blocked when
// `allowPrivateEndpoint` lifts `cluster.local`.
const alwaysBlockedHostnames = [
  'localhost',
  'kubernetes.default.svc.cluster.local',
  'kubernetes.default.svc',
  'kubernetes.default',
  'metadata.google.internal',
];
const privateHostnames = ['cluster.local'];

/** Undefined when the URL may be used; otherwise ToolHive's message saying why not. */
export function remoteURLProblem(rawURL: string, options: RemoteURLOptions = {}): string | undefined {
  if (rawURL === '') return 'remote URL must not be empty';
  // The scheme and authority as written: WHATWG parsing would invent a host for `http:///x`.
  const written = /^([a-zA-Z][a-zA-Z0-9+.-]*):(\/\/([^/?#]*))?/.exec(rawURL);
  if (!written) return `remote URL is invalid: missing protocol scheme in ${JSON.stringify(rawURL)}`;
  const scheme = written[1]!.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https')
    return `remote URL must use http or https scheme, got ${JSON.stringify(scheme)}`;
  const authority = (written[3] ?? '').replace(/^.*@/, '');
  if (authority === '' || authority.startsWith(':')) return 'remote URL must have a valid host';
  let url: URL;
  try {
    url = new URL(rawURL);
  } catch {
    return `remote URL is invalid: ${JSON.stringify(rawURL)} is not a URL`;
  }
  // Messages name a hostname as it was written (ToolHive's wording); the checks use the parsed one.
  const writtenHost = authority.startsWith('[') ? authority : authority.replace(/:\d*$/, '');
  const problem = hostProblem(url.hostname, writtenHost, options);
  return problem && `remote URL host is not allowed: ${problem}`;
}

function hostProblem(hostname: string, writtenHost: string, options: RemoteURLOptions): string | undefined {
  const ip = parseIP(hostname.startsWith('[') ? hostname.slice(1, -1) : hostname);
  if (ip) {
    const ranges = options.allowPrivateEndpoint
      ? alwaysBlockedRanges
      : [...alwaysBlockedRanges, ...privateRanges];
    const hit = ranges.find((r) => r.family === ip.family && inRange(ip.value, r));
    return hit && `IP address ${ip.text} falls within blocked range ${hit.cidr}`;
  }
  const lower = hostname.toLowerCase();
  const names = options.allowPrivateEndpoint
    ? alwaysBlockedHostnames
    : [...alwaysBlockedHostnames, ...privateHostnames];
  const hit = names.find((name) => lower === name || lower.endsWith(`.${name}`));
  return (
    hit && `hostname ${JSON.stringify(writtenHost)} matches blocked internal hostname ${JSON.stringify(hit)}`
  );
}

interface ParsedIP {
  family: 4 | 6;
  value: bigint;
  text: string;
}

/** An IPv4 or IPv6 literal as a number; an IPv4-mapped IPv6 address becomes its IPv4 address. */
function parseIP(text: string): ParsedIP | undefined {
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return { family: 4, value: v4, text };
  const v6 = parseIPv6(text);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) {
    const value = v6 & 0xffffffffn;
    return { family: 4, value, text: formatIPv4(value) };
  }
  return { family: 6, value: v6, text };
}

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255))
    return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n);
}

function formatIPv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

function parseIPv6(text: string): bigint | undefined {
  if (!text.includes(':') || !/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  let groups = text;
  // A trailing dotted IPv4 part (`::ffff:1.2.3.4`) stands for the last two groups.
  const tail = /:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const v4 = parseIPv4(tail[1]!);
    if (v4 === undefined) return undefined;
    groups = `${text.slice(0, tail.index)}:${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = groups.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return all.reduce((acc, g) => (acc << 16n) | BigInt(`0x${g}`), 0n);
}

function range(cidr: string): Range {
  const [address, bits] = cidr.split('/') as [string, string];
  const v4 = parseIPv4(address);
  const family = v4 === undefined ? 6 : 4;
  const base = v4 ?? parseIPv6(address);
  if (base === undefined) throw new Error(`bad CIDR in the remote-URL blocklist: ${cidr}`);
  return { cidr, family, base, bits: Number(bits) };
}

function inRange(value: bigint, r: Range): boolean {
  const width = r.family === 4 ? 32n : 128n;
  const shift = width - BigInt(r.bits);
  return value >> shift === r.base >> shift;
}
