/**
 * The two Go encodings the RunConfig depends on byte for byte: `encoding/json`'s `MarshalIndent`
 * and `time.Duration`'s text form (the RunConfig's rate limits are `metav1.Duration`s, which Go reads
 * with `time.ParseDuration` and writes with `Duration.String`, so "1m" comes back as "1m0s").
 * Pure; nothing here throws.
 */
import { goKeyOrder } from '@mcp-controllers/api';

/**
 * `json.MarshalIndent(value, "", "  ")` of a value built with Go's field order: object members are
 * printed in insertion order (struct fields in declaration order, and maps built in `goKeyOrder`),
 * except that an object with an integer-like key ("1") is a map (no RunConfig struct has such a
 * field) whose keys JavaScript has reordered, so it is printed in Go's sorted order. `undefined`
 * members are left out (`omitempty` is decided by the builder). Strings are escaped as Go does:
 * `<`, `>`, `&`, U+2028 and U+2029 as `\u....`. No trailing newline, like `MarshalIndent`.
 */
export function marshalIndentGo(value: unknown): string {
  return encode(value, '');
}

function encode(value: unknown, indent: string): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return encodeString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return String(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((item: unknown) => inner + encode(item, inner));
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => record[k] !== undefined);
  if (keys.some(isArrayIndex)) keys.sort(goKeyOrder);
  if (keys.length === 0) return '{}';
  const members = keys.map((k) => `${inner}${encodeString(k)}: ${encode(record[k], inner)}`);
  return `{\n${members.join(',\n')}\n${indent}}`;
}

const htmlUnsafe = /[<>&\u2028\u2029]/g;

function encodeString(text: string): string {
  // JSON.stringify escapes quotes, backslashes and control characters exactly as Go does
  // (\b \f \n \r \t short forms, others as lowercase \u00xx); Go also escapes these five.
  return JSON.stringify(text).replace(
    htmlUnsafe,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function isArrayIndex(key: string): boolean {
  return /^(0|[1-9]\d*)$/.test(key) && Number(key) < 2 ** 32 - 1;
}

const nanosPer: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const maxDuration = 2n ** 63n - 1n;

/**
 * Go's `time.ParseDuration`: a signed sequence of decimal numbers, each with a unit (ns, us, µs, ms,
 * s, m, h), e.g. "1m", "1.5h", "2h45m"; "0" alone. Nanoseconds, or undefined where Go reports an
 * error (bad syntax, unknown unit, overflow of int64 nanoseconds).
 */
export function parseGoDuration(text: string): bigint | undefined {
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') return undefined;
  let total = 0n;
  const component = /^(\d*)(?:\.(\d*))?([^\d.]+)/;
  while (rest !== '') {
    const match = component.exec(rest);
    if (!match) return undefined;
    const [all, whole = '', fraction = '', unitText = ''] = match;
    if (whole === '' && fraction === '') return undefined;
    const unit = nanosPer[unitText];
    if (unit === undefined) return undefined;
    total += BigInt(whole || '0') * unit + fractionNanos(fraction, unit);
    if (total > (negative ? maxDuration + 1n : maxDuration)) return undefined;
    rest = rest.slice(all.length);
  }
  return negative ? -total : total;
}

/**
 * The nanoseconds of a fractional part, computed as Go does: digits are read until the value would
 * pass 2^63 (the rest are ignored), then `float64(f) * (float64(unit) / scale)` is truncated.
 */
function fractionNanos(digits: string, unit: bigint): bigint {
  let value = 0n;
  let scale = 1;
  for (const digit of digits) {
    const next = value * 10n + BigInt(digit);
    if (next > 2n ** 63n) break;
    value = next;
    scale *= 10;
  }
  return BigInt(Math.trunc(Number(value) * (Number(unit) / scale)));
}

/** Go's `time.Duration.String`: "1m0s", "1h30m0s", "1.5s", "300ms", "2µs", "0s". */
export function formatGoDuration(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  const sign = nanos < 0n ? '-' : '';
  let u = nanos < 0n ? -nanos : nanos;
  if (u < 1_000_000_000n) {
    if (u < 1_000n) return `${sign}${u}ns`;
    if (u < 1_000_000n) return `${sign}${fraction(u, 3)}µs`;
    return `${sign}${fraction(u, 6)}ms`;
  }
  let text = `${fraction(u % 60_000_000_000n, 9)}s`;
  u /= 60_000_000_000n;
  if (u > 0n) {
    text = `${u % 60n}m${text}`;
    u /= 60n;
    if (u > 0n) text = `${u}h${text}`;
  }
  return sign + text;
}

/** `value / 10^digits` with the fraction's trailing zeros dropped (Go's fmtFrac + fmtInt). */
function fraction(value: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const whole = value / scale;
  const rest = (value % scale).toString().padStart(digits, '0').replace(/0+$/, '');
  return rest ? `${whole}.${rest}` : String(whole);
}

/** The text Go writes back for a duration it read, or undefined when Go cannot read it. */
export function normalizeGoDuration(text: string): string | undefined {
  const nanos = parseGoDuration(text);
  return nanos === undefined ? undefined : formatGoDuration(nanos);
}
