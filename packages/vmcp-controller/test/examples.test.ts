// The example VirtualMCPServers (examples/virtualmcpservers.yaml) are there to run: none may use a
// field this controller does not serve yet, or the run command would show it Failed (InvalidSpec)
// instead of the shape its comment describes.
import { readFileSync } from 'node:fs';
import { formatFieldErrors, parseVirtualMCPServer } from '@mcp-controllers/api';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildVmcpConfig } from '../src/config.js';

const file = new URL('../../../examples/virtualmcpservers.yaml', import.meta.url);

describe('examples/virtualmcpservers.yaml', () => {
  const documents = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as unknown);

  it("holds ToolHive's three shapes: discovered, inline, and a telemetry reference", () => {
    const specs = documents.map((d) => {
      const parsed = parseVirtualMCPServer(d);
      if (!parsed.ok) throw new Error(formatFieldErrors(parsed.errors));
      return parsed.value.spec;
    });
    expect(specs.map((s) => s.outgoingAuth?.source ?? 'discovered').sort()).toEqual([
      'discovered',
      'discovered',
      'inline',
    ]);
    expect(specs.filter((s) => s.telemetryConfigRef !== undefined)).toHaveLength(1);
  });

  it('uses only what the controller serves', () => {
    const problems = documents.flatMap((d) => {
      const parsed = parseVirtualMCPServer(d);
      if (!parsed.ok) return [formatFieldErrors(parsed.errors)];
      const { name = '', namespace = '' } = parsed.value.metadata;
      const vmcp = { ...parsed.value, metadata: { ...parsed.value.metadata, name, namespace } };
      return buildVmcpConfig(vmcp, { members: [] }).problems;
    });
    expect(problems).toEqual([]);
  });
});
