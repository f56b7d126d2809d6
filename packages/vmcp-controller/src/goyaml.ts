/**
 * A YAML writer that prints what Go's `gopkg.in/yaml.v3` `Marshal` prints for the same value: block
 * style, 4-space indentation (2 under a sequence item's `- `, then realigned to multiples of 4),
 * `{}` and `[]` for empty collections, and yaml.v3's choice of scalar style (plain when the text
 * reads back as the same string, else single quotes when allowed, double quotes otherwise, and a
 * literal block for multi-line text). The caller fixes key order (struct fields in declaration
 * order, map keys sorted) and formats numbers and booleans (`plain` nodes).
 *
 * Pure and total: every tree prints, and the output always reads back as the same tree. Where the
 * port of yaml.v3's scalar analysis is unsure (e.g. out-of-range numerals) it quotes, which costs
 * byte parity with Go but never the value.
 */

export type YamlNode =
  | { kind: 'map'; entries: [string, YamlNode][] }
  | { kind: 'seq'; items: YamlNode[] }
  /** A Go string: the writer picks its style. */
  | { kind: 'str'; value: string }
  /** A scalar printed as is: a number, `true`/`false`, `null`. */
  | { kind: 'plain'; value: string };

/** The document for `node` (a mapping at the top, as every Go struct is), ending with a newline. */
export function marshalYaml(node: YamlNode): string {
  const out: string[] = [];
  if (isEmptyCollection(node)) return `${node.kind === 'map' ? '{}' : '[]'}\n`;
  if (node.kind === 'map') writeMapping(out, node.entries, 0, false);
  else if (node.kind === 'seq') writeSequence(out, node.items, 0, false);
  else out.push(scalar(node, 0, false));
  return `${out.join('').replace(/^\n/, '')}\n`;
}

function isEmptyCollection(node: YamlNode): boolean {
  return (
    (node.kind === 'map' && node.entries.length === 0) || (node.kind === 'seq' && node.items.length === 0)
  );
}

/** yaml.v3's indentation of a collection nested under a mapping key. */
function nested(indent: number): number {
  return 4 * Math.floor((indent + 4) / 4);
}

// `inline`: the first line continues after a sequence item's `- `.
function writeMapping(out: string[], entries: [string, YamlNode][], indent: number, inline: boolean): void {
  entries.forEach(([key, value], i) => {
    if (!(inline && i === 0)) out.push(`\n${' '.repeat(indent)}`);
    const keyText = scalar({ kind: 'str', value: key }, indent, true);
    // yaml.v3 writes a key longer than 128 characters (or a multi-line one) as an explicit `? key`.
    const simple = keyText.length <= 128 && ![...key].some(isBreak);
    if (simple) out.push(`${keyText}:`);
    else out.push(`? ${scalar({ kind: 'str', value: key }, indent, false)}\n${' '.repeat(indent)}:`);
    writeValue(out, value, indent);
  });
}

function writeValue(out: string[], value: YamlNode, indent: number): void {
  if (isEmptyCollection(value)) {
    out.push(value.kind === 'map' ? ' {}' : ' []');
  } else if (value.kind === 'map') {
    writeMapping(out, value.entries, nested(indent), false);
  } else if (value.kind === 'seq') {
    writeSequence(out, value.items, nested(indent), false);
  } else {
    out.push(` ${scalar(value, nested(indent), false)}`);
  }
}

function writeSequence(out: string[], items: YamlNode[], indent: number, inline: boolean): void {
  items.forEach((item, i) => {
    if (!(inline && i === 0)) out.push(`\n${' '.repeat(indent)}`);
    out.push('- ');
    if (isEmptyCollection(item)) out.push(item.kind === 'map' ? '{}' : '[]');
    else if (item.kind === 'map') writeMapping(out, item.entries, indent + 2, true);
    else if (item.kind === 'seq') writeSequence(out, item.items, indent + 2, true);
    else out.push(scalar(item, indent + 2, false));
  });
}

/** A scalar in yaml.v3's style; `indent` is where a literal block's lines start. */
function scalar(node: { kind: 'str' | 'plain'; value: string }, indent: number, key: boolean): string {
  if (node.kind === 'plain') return node.value;
  const value = node.value;
  // Line breaks other than \n: yaml.v3 folds some of them inside quotes; escaping keeps the value.
  if (/[\r\u0085\u2028\u2029]/.test(value)) return doubleQuoted(value);
  const facts = analyse(value);
  if (value.includes('\n')) {
    // yaml.v3 writes a leading space or break as a `|4` block, which it places wrongly under a
    // sequence item and reads back without the leading break; double quotes keep the value.
    const leading = value.startsWith(' ') || value.startsWith('\n');
    return facts.blockAllowed && !key && !leading ? literal(value, indent) : doubleQuoted(value);
  }
  const plainOK = resolvesToString(value) && !isBase60Float(value) && !oldBools.has(value);
  if (!plainOK) return doubleQuoted(value);
  if (facts.blockPlainAllowed && !(key && value === '')) return value;
  return facts.singleQuotedAllowed ? `'${value.replaceAll("'", "''")}'` : doubleQuoted(value);
}

interface ScalarFacts {
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

/** libyaml's `analyze_scalar`, for block context and Unicode output. */
function analyse(value: string): ScalarFacts {
  if (value === '') return { blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  let blockIndicators = value.startsWith('---') || value.startsWith('...');
  let lineBreaks = false;
  let special = false;
  let tabs = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWhitespace = true;
  const chars = Array.from(value);
  for (const [i, c] of chars.entries()) {
    const next = chars[i + 1];
    const followedByWhitespace = next === undefined || isBlank(next);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) blockIndicators = true;
      else if ((c === '?' || c === ':' || c === '-') && followedByWhitespace) blockIndicators = true;
    } else if (c === ':' && followedByWhitespace) {
      blockIndicators = true;
    } else if (c === '#' && precededByWhitespace) {
      blockIndicators = true;
    }
    if (c === '\t') tabs = true;
    else if (!isPrintable(c)) special = true;
    if (c === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlank(c) || isBreak(c);
  }
  let blockPlainAllowed = !(leadingSpace || leadingBreak || trailingSpace || trailingBreak);
  let singleQuotedAllowed = true;
  let blockAllowed = !trailingSpace;
  if (breakSpace || spaceBreak || tabs || special) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
  }
  if (spaceBreak || special) blockAllowed = false;
  if (lineBreaks || blockIndicators) blockPlainAllowed = false;
  return { blockPlainAllowed, singleQuotedAllowed, blockAllowed };
}

function isBlank(c: string): boolean {
  return c === ' ' || c === '\t';
}

function isBreak(c: string): boolean {
  return c === '\r' || c === '\n' || c === '\u0085' || c === '\u2028' || c === '\u2029';
}

function isPrintable(c: string): boolean {
  const code = c.codePointAt(0) ?? 0;
  return (
    code === 0x0a ||
    (code >= 0x20 && code <= 0x7e) ||
    code === 0x85 ||
    (code >= 0xa0 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd && code !== 0xfeff) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

const oldBools = new Set(
  ['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO'].concat(['on', 'On', 'ON', 'off', 'Off', 'OFF']),
);
const resolvedWords = new Set([
  'true',
  'True',
  'TRUE',
  'false',
  'False',
  'FALSE',
  '',
  '~',
  'null',
  'Null',
  'NULL',
  '.nan',
  '.NaN',
  '.NAN',
  '.inf',
  '.Inf',
  '.INF',
  '+.inf',
  '+.Inf',
  '+.INF',
  '-.inf',
  '-.Inf',
  '-.INF',
]);
const yamlFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const goInt = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[0-9]+)$/;

/** Whether yaml.v3's `resolve` reads the plain text back as a string (not null, bool, number, date). */
function resolvesToString(value: string): boolean {
  if (resolvedWords.has(value)) return false;
  const first = value[0] ?? '';
  if (first === '.') return !/^\.([0-9]+([eE][-+]?[0-9]+)?)$/.test(value);
  if (!/[-+0-9]/.test(first)) return true;
  if (/^\d{4}-\d{1,2}-\d{1,2}/.test(value)) return false;
  const plain = value.replaceAll('_', '');
  return !(goInt.test(plain) || yamlFloat.test(plain) || /^-0[bB][01]+$/.test(plain));
}

function isBase60Float(value: string): boolean {
  return /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(value);
}

const escapes: Record<string, string> = {
  '\0': '0',
  '\x07': 'a',
  '\b': 'b',
  '\t': 't',
  '\n': 'n',
  '\x0b': 'v',
  '\f': 'f',
  '\r': 'r',
  '\x1b': 'e',
  '"': '"',
  '\\': '\\',
  '\u0085': 'N',
  '\u00a0': '_',
  '\u2028': 'L',
  '\u2029': 'P',
};

function doubleQuoted(value: string): string {
  let out = '"';
  for (const c of value) {
    const code = c.codePointAt(0) ?? 0;
    if (!isPrintable(c) || code === 0xfeff || isBreak(c) || c === '"' || c === '\\') {
      const short = escapes[c];
      if (short !== undefined) out += `\\${short}`;
      else if (code <= 0xff) out += `\\x${hex(code, 2)}`;
      else if (code <= 0xffff) out += `\\u${hex(code, 4)}`;
      else out += `\\U${hex(code, 8)}`;
    } else {
      out += c;
    }
  }
  return `${out}"`;
}

function hex(code: number, width: number): string {
  return code.toString(16).toUpperCase().padStart(width, '0');
}

/** A literal block (`|`), with libyaml's chomping and indentation hints. */
function literal(value: string, indent: number): string {
  let hints = '';
  if (!value.endsWith('\n')) hints += '-';
  else if (value === '\n' || value.endsWith('\n\n')) hints += '+';
  const pad = ' '.repeat(indent);
  const body = value.endsWith('\n') ? value.slice(0, -1) : value;
  const lines = body.split('\n').map((line) => (line === '' ? '' : pad + line));
  return `|${hints}\n${lines.join('\n')}`;
}
