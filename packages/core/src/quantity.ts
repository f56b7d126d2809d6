/**
 * Kubernetes quantities in the canonical form the apiserver stores (`resource.Quantity.String()`),
 * so a builder that copies a user's `0.5` emits the `500m` the live object will hold and drift
 * detection stays quiet (drift.ts compares strings). Pure.
 *
 * The rules, as apimachinery applies them:
 * - the suffix picks the format: `Ki`..`Ei` binary, `n u m "" k M G T P E` decimal, `e<n>`/`E<n>`
 *   exponent;
 * - values finer than 1n are rounded up to 1n;
 * - decimal and exponent forms drop trailing zeros into the exponent and then lower it to a multiple
 *   of 3 (`1000` -> `1k`, `0.5` -> `500m`, `1.0` -> `1`, `12e2` -> `1200`);
 * - a binary value under 1024 or with a fraction is written decimal (`0.5Ki` -> `512`), otherwise as
 *   the largest power of 1024 that divides it (`1024Mi` -> `1Gi`, `1.5Gi` -> `1536Mi`).
 * Out of scope (returned as given, trimmed): decimal values of 1000E and more, which no CPU or memory
 * request reaches.
 */

const decimalSuffixes: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const decimalByExponent = new Map(Object.entries(decimalSuffixes).map(([suffix, exp]) => [exp, suffix]));
const binarySuffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;

type Format = 'BinarySI' | 'DecimalSI' | 'DecimalExponent';

/** `negative * digits * 10^exponent`, exact. */
interface Parsed {
  negative: boolean;
  digits: bigint;
  exponent: number;
  format: Format;
}

const pow10 = (n: number): bigint => 10n ** BigInt(n);

function parse(input: string): Parsed | undefined {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/.exec(input);
  if (!match) return undefined;
  const [, sign = '', whole = '', fraction = '', suffix = ''] = match;
  if (whole === '' && fraction === '') return undefined;
  const negative = sign === '-';
  const mantissa = BigInt(whole + fraction);
  const decimal = decimalSuffixes[suffix];
  if (decimal !== undefined) {
    return { negative, digits: mantissa, exponent: decimal - fraction.length, format: 'DecimalSI' };
  }
  const power = binarySuffixes.indexOf(suffix as (typeof binarySuffixes)[number]);
  if (power > 0) {
    return {
      negative,
      digits: mantissa * 1024n ** BigInt(power),
      exponent: -fraction.length,
      format: 'BinarySI',
    };
  }
  const exp = /^[eE]([+-]?\d+)$/.exec(suffix);
  if (exp?.[1] !== undefined) {
    return {
      negative,
      digits: mantissa,
      exponent: Number.parseInt(exp[1], 10) - fraction.length,
      format: 'DecimalExponent',
    };
  }
  return undefined;
}

/** Whether `input` parses as a Kubernetes quantity. */
export function isQuantity(input: string): boolean {
  return parse(input.trim()) !== undefined;
}

/**
 * The canonical form of a quantity string (`0.5` -> `500m`, `1024Mi` -> `1Gi`, `100m` unchanged),
 * or undefined when `input` is not a quantity (the apiserver would reject it with a 422).
 */
export function canonicalQuantity(input: string): string | undefined {
  const trimmed = input.trim();
  const parsed = parse(trimmed);
  if (!parsed) return undefined;
  let { digits, exponent } = parsed;
  // Round up (away from zero) to nano, the finest precision a quantity keeps.
  if (exponent < -9) {
    const divisor = pow10(-9 - exponent);
    digits = (digits + divisor - 1n) / divisor;
    exponent = -9;
  }
  if (digits === 0n) return '0';
  const sign = parsed.negative ? '-' : '';
  if (parsed.format === 'BinarySI') {
    const binary = binaryForm(digits, exponent);
    if (binary !== undefined) return sign + binary;
  }
  while (digits % 10n === 0n) {
    digits /= 10n;
    exponent += 1;
  }
  const lower = ((exponent % 3) + 3) % 3;
  digits *= pow10(lower);
  exponent -= lower;
  if (parsed.format === 'DecimalExponent') return `${sign}${digits}${exponent === 0 ? '' : `e${exponent}`}`;
  const suffix = decimalByExponent.get(exponent);
  return suffix === undefined ? trimmed : `${sign}${digits}${suffix}`;
}

/** The binary form of a whole value of 1024 or more; undefined when it must be written decimal. */
function binaryForm(digits: bigint, exponent: number): string | undefined {
  let whole: bigint;
  if (exponent >= 0) whole = digits * pow10(exponent);
  else {
    const divisor = pow10(-exponent);
    if (digits % divisor !== 0n) return undefined;
    whole = digits / divisor;
  }
  if (whole < 1024n) return undefined;
  let power = 0;
  while (whole % 1024n === 0n && power < binarySuffixes.length - 1) {
    whole /= 1024n;
    power += 1;
  }
  return `${whole}${binarySuffixes[power] ?? ''}`;
}
