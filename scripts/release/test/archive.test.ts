import { describe, expect, it } from 'vitest';
import { archiveProblems, type Unit } from '../src/units.js';

const unit: Unit = {
  name: '@mcp-controllers/group-controller',
  version: '0.2.0',
  kind: 'controller',
  dir: 'packages/group-controller',
  chartDir: 'packages/group-controller/chart',
  chartName: 'group-controller',
  chartType: 'application',
  tag: '@mcp-controllers/group-controller@0.2.0',
  chartArchive: 'group-controller-0.2.0.tgz',
  image: 'ghcr.io/mcp-controllers/group-controller',
  buildArgs: { CONTROLLER: 'group-controller', DESCRIPTION: 'Reconciles MCPGroup status' },
};

describe('archiveProblems', () => {
  it('accepts an archive whose Chart.yaml carries the package version', () => {
    expect(
      archiveProblems(unit, 'apiVersion: v2\nname: group-controller\nversion: 0.2.0\nappVersion: 0.2.0\n'),
    ).toEqual([]);
  });

  it('names every field that differs', () => {
    expect(archiveProblems(unit, 'apiVersion: v2\nname: other\nversion: 0.1.0\n')).toEqual([
      'name is other, expected group-controller',
      'version is 0.1.0, expected 0.2.0',
      'appVersion is (none), expected 0.2.0',
    ]);
  });

  it('does not ask a library chart for an appVersion', () => {
    const lib: Unit = { ...unit, chartType: 'library', chartName: 'controller-lib', image: undefined };
    expect(archiveProblems(lib, 'name: controller-lib\ntype: library\nversion: 0.2.0\n')).toEqual([]);
  });
});
