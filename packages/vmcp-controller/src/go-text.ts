/**
 * Go's text forms that vMCP's `config.yaml` depends on: `time.Duration.String` after
 * `time.ParseDuration` (the config's `Duration` fields), and `strconv.FormatFloat(f, 'g', -1, 64)`
 * (yaml.v3's float64, which free-form JSON numbers are in Go). Pure; nothing here throws.
 */

/** yaml.v3's float64: `strconv.FormatFloat(f, 'g', -1, 64)`, with `.inf`/`.nan` spelled YAML's way. */
export function goFloat(value: number): string {
  if (Number.isNaN(value)) return '.nan';
  if (!Number.isFinite(value)) return value > 0 ? '.inf' : '-.inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  // Go's shortest 'g' switches to exponent form below 1e-4 and from 1e+06 on.
  if (exponent < -4 || exponent >= 6) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const exponentSign = exponent < 0 ? '-' : '+';
    return `${sign}${digits.slice(0, 1)}${fraction}e${exponentSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  if (exponent + 1 >= digits.length) return sign + digits + '0'.repeat(exponent + 1 - digits.length);
  return `${sign}${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
}

const unitNanos: [string, bigint][] = [
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n],
  ['μs', 1_000n],
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
];

/**
 * A duration as Go's `time.Duration.String` prints it after `time.ParseDuration`. Text Go cannot
 * parse is returned unchanged (the runtime then names it when it loads the file).
 * TODO: packages/server-controller/src/go.ts has the complete Go parser and printer
 * (`parseGoDuration`/`formatGoDuration`); both belong in a shared package.
 */
export function goDuration(value: unknown): string {
  if (typeof value !== 'string') return '0s';
  const nanos = parseDuration(value);
  return nanos === undefined ? value : formatDuration(nanos);
}

function parseDuration(text: string): bigint | undefined {
  if (text === '0') return 0n;
  const part = /^([0-9]+)(?:\.([0-9]+))?(ns|us|µs|μs|ms|s|m|h)/;
  let rest = text;
  let total = 0n;
  if (rest === '') return undefined;
  while (rest !== '') {
    const match = part.exec(rest);
    if (!match) return undefined;
    const [all, whole = '0', fraction = '', unitText = ''] = match;
    const unit = unitNanos.find(([u]) => u === unitText)?.[1] ?? 1n;
    const scale = 10n ** BigInt(fraction.length);
    total += BigInt(whole) * unit + (BigInt(fraction || '0') * unit) / scale;
    rest = rest.slice(all.length);
  }
  return total;
}

function formatDuration(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  if (nanos < 1_000_000_000n) {
    if (nanos < 1_000n) return `${nanos}ns`;
    if (nanos < 1_000_000n) return `${decimal(nanos, 3)}µs`;
    return `${decimal(nanos, 6)}ms`;
  }
  const hours = nanos / 3_600_000_000_000n;
  const minutes = (nanos / 60_000_000_000n) % 60n;
  const seconds = decimal(nanos % 60_000_000_000n, 9);
  if (hours > 0n) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0n) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/** `value / 10^places` with trailing zeros (and a bare point) dropped. */
function decimal(value: bigint, places: number): string {
  const scale = 10n ** BigInt(places);
  const fraction = (value % scale).toString().padStart(places, '0').replace(/0+$/, '');
  return fraction ? `${value / scale}.${fraction}` : `${value / scale}`;
}
