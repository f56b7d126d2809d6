import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { marshalYaml, type YamlNode } from '../src/goyaml.js';

/** A JSON value as a tree, keys in the order written (the writer never reorders). */
function tree(value: unknown): YamlNode {
  if (value === null) return { kind: 'plain', value: 'null' };
  if (Array.isArray(value)) return { kind: 'seq', items: value.map(tree) };
  if (typeof value === 'object') {
    return {
      kind: 'map',
      entries: Object.entries(value).map(([k, v]): [string, YamlNode] => [k, tree(v)]),
    };
  }
  return typeof value === 'string' ? { kind: 'str', value } : { kind: 'plain', value: JSON.stringify(value) };
}

const document = {
  plain: 'a b',
  quoted: [
    '',
    '0.1',
    'true',
    'n',
    '0x1F',
    '2001-12-14',
    '12:30',
    '{workload}_',
    'x: y',
    'a #b',
    '-',
    "it's",
    'tab\there',
    '\u0001',
    '.5',
    '1.2.3',
    '<<',
  ],
  lines: 'line1\nline2\n',
  noEnd: 'a\n b',
  nested: { seq: [{ k: 'v', m: { x: 'y' } }, ['a', []], {}], empty: {} },
  long: { ['k'.repeat(130)]: 'v' },
};

describe('marshalYaml', () => {
  it('prints what gopkg.in/yaml.v3 v3.0.1 Marshal prints for the same value', () => {
    // Produced by yaml.v3 v3.0.1 from the same document (struct fields in this order).
    expect(marshalYaml(tree(document))).toBe(`plain: a b
quoted:
    - ""
    - "0.1"
    - "true"
    - "n"
    - "0x1F"
    - "2001-12-14"
    - "12:30"
    - '{workload}_'
    - 'x: y'
    - 'a #b'
    - '-'
    - it's
    - "tab\\there"
    - "\\x01"
    - ".5"
    - 1.2.3
    - <<
lines: |
    line1
    line2
noEnd: |-
    a
     b
nested:
    seq:
        - k: v
          m:
            x: "y"
        - - a
          - []
        - {}
    empty: {}
long:
    ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk
    : v
`);
  });

  it('reads back as the same value', () => {
    const awkward = ['\r\n', '\u2028', ' lead', 'trail ', '\nlead', 'x\n\n', '# not a comment', 'é', '"q"'];
    const yaml = marshalYaml(tree({ awkward }));
    expect(parseYaml(yaml)).toEqual({ awkward });
  });

  it('prints an empty mapping as {}', () => {
    expect(marshalYaml({ kind: 'map', entries: [] })).toBe('{}\n');
  });
});
