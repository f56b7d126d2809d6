import { describe, expect, it } from 'vitest';
import { chartFields, syncChartYaml } from '../src/chart-yaml.js';
import { umbrellaChart } from './fixture.js';

const deps = new Map([
  ['mcp-controllers-crds', '0.2.0'],
  ['group-controller', '0.1.1'],
  ['telemetry-controller', '0.1.0'],
  ['cert-manager', '9.9.9'],
]);

describe('syncChartYaml', () => {
  it('sets version, appVersion and the file:// dependency versions, and keeps comments, order and quoting', () => {
    const out = syncChartYaml(umbrellaChart, {
      version: '0.3.0',
      appVersion: '0.3.0',
      localDependencies: deps,
    });
    const expected = umbrellaChart
      .replace('version: 0.1.0\nappVersion: "0.1.0"', 'version: 0.3.0\nappVersion: "0.3.0"')
      .replace('alias: crds\n    version: 0.1.0', 'alias: crds\n    version: 0.2.0')
      .replace('version: 0.1.0 # pinned by the release', 'version: 0.1.1 # pinned by the release');
    expect(out).toBe(expected);
  });

  it('leaves dependencies from a chart repository alone, whatever version it is given', () => {
    const fields = chartFields(
      syncChartYaml(umbrellaChart, { version: '0.1.0', appVersion: '0.1.0', localDependencies: deps }),
    );
    expect(fields.dependencies.find((d) => d.name === 'cert-manager')?.version).toBe('1.2.3');
  });

  it('returns the very same text when nothing differs', () => {
    const same = new Map([
      ['mcp-controllers-crds', '0.1.0'],
      ['group-controller', '0.1.0'],
      ['telemetry-controller', '0.1.0'],
    ]);
    expect(
      syncChartYaml(umbrellaChart, { version: '0.1.0', appVersion: '0.1.0', localDependencies: same }),
    ).toBe(umbrellaChart);
  });

  it('keeps appVersion as it is when none is wanted (library charts), and quotes a new one', () => {
    const lib = 'apiVersion: v2\nname: controller-lib\ntype: library\nversion: 0.1.0\n';
    expect(
      syncChartYaml(lib, { version: '0.2.0', appVersion: undefined, localDependencies: new Map() }),
    ).toBe(lib.replace('0.1.0', '0.2.0'));
    const noApp = 'apiVersion: v2\nname: x\nversion: 1.0.0\n';
    expect(
      syncChartYaml(noApp, { version: '1.10.0', appVersion: '1.10', localDependencies: new Map() }),
    ).toBe('apiVersion: v2\nname: x\nversion: 1.10.0\nappVersion: "1.10"\n');
  });

  it('names the file when the text is not a chart', () => {
    expect(() =>
      syncChartYaml(
        '- a\n- b\n',
        { version: '1', appVersion: undefined, localDependencies: new Map() },
        'x/Chart.yaml',
      ),
    ).toThrow('x/Chart.yaml: not a YAML mapping');
    expect(() => chartFields('version: 1\n', 'y/Chart.yaml')).toThrow('y/Chart.yaml: has no name');
  });
});

describe('chartFields', () => {
  it('reads name, versions, type and dependencies', () => {
    const fields = chartFields(umbrellaChart);
    expect(fields).toMatchObject({
      name: 'mcp-controllers',
      version: '0.1.0',
      appVersion: '0.1.0',
      type: 'application',
    });
    expect(fields.dependencies.map((d) => `${d.name}@${d.version}`)).toEqual([
      'mcp-controllers-crds@0.1.0',
      'group-controller@0.1.0',
      'telemetry-controller@0.1.0',
      'cert-manager@1.2.3',
    ]);
    expect(chartFields('name: l\ntype: library\nversion: 1.0.0\n').type).toBe('library');
  });
});
