// examples/ is what the run command applies and the README points at: every manifest of a toolhive
// kind must pass parse<Kind>(), CEL rules included, which the local kube-apiserver (v1.20) does not
// enforce, so a broken example would otherwise only show up on a newer cluster.
import { describe, expect, it } from 'vitest';
import { formatFieldErrors } from '../src/index.js';
import { loadManifests, parsers } from './compat.js';

const examplesDir = new URL('../../../examples', import.meta.url).pathname;
// The built-in kinds the examples may hold besides the toolhive ones (the run command applies these).
const builtIn = new Set(['Namespace', 'ConfigMap', 'Secret']);

describe('examples/', () => {
  const manifests = loadManifests(examplesDir);

  it('every toolhive manifest passes parse<Kind>(), CEL rules included', () => {
    const problems = manifests
      .filter((m) => m.kind in parsers)
      .flatMap((m) => {
        const result = parsers[m.kind]!(m.object);
        return result.ok ? [] : [`${m.file} ${m.kind}/${m.name}: ${formatFieldErrors(result.errors)}`];
      });
    expect(problems).toEqual([]);
  });

  it('holds only kinds the run command knows, and every kind the controllers reconcile', () => {
    expect(manifests.filter((m) => !(m.kind in parsers) && !builtIn.has(m.kind))).toEqual([]);
    expect(new Set(manifests.map((m) => m.kind))).toEqual(
      new Set([
        ...builtIn,
        'MCPGroup',
        'MCPTelemetryConfig',
        'MCPServerEntry',
        'MCPServer',
        'MCPRemoteProxy',
        'VirtualMCPServer',
      ]),
    );
  });
});
