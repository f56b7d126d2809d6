// The compatibility manifests as data for the tests: the in-repo ones always, ToolHive's published
// examples only when the shared reference checkout happens to sit beside the repository.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  parseMCPExternalAuthConfig,
  parseMCPGroup,
  parseMCPRemoteProxy,
  parseMCPServer,
  parseMCPServerEntry,
  parseMCPTelemetryConfig,
  parseVirtualMCPServer,
  type ParseResult,
} from '../src/index.js';

/** parse<Kind>() by kind name. */
export const parsers: Record<string, (input: unknown) => ParseResult<{ spec: unknown }>> = {
  MCPGroup: parseMCPGroup,
  MCPTelemetryConfig: parseMCPTelemetryConfig,
  MCPServerEntry: parseMCPServerEntry,
  MCPServer: parseMCPServer,
  MCPRemoteProxy: parseMCPRemoteProxy,
  VirtualMCPServer: parseVirtualMCPServer,
  MCPExternalAuthConfig: parseMCPExternalAuthConfig,
};

export interface Manifest {
  file: string;
  kind: string;
  name: string;
  object: Record<string, unknown> & { kind: string; metadata: { name: string } };
}

export const compatDir = new URL('./compat', import.meta.url).pathname;
/** ToolHive's examples, kept outside the repository; absent on a plain clone. */
export const sharedExamplesDir = new URL('../../../../shared/reference/toolhive-examples', import.meta.url)
  .pathname;

/** Every document of every `*.yaml` in `dir`, in file order. */
export function loadManifests(dir: string): Manifest[] {
  const out: Manifest[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const object = doc.toJS() as Manifest['object'] | null;
      if (object === null) continue;
      out.push({ file, kind: object.kind, name: object.metadata.name, object });
    }
  }
  return out;
}

/** ToolHive's examples, or undefined when the shared checkout is not there. */
export function sharedExamples(): Manifest[] | undefined {
  return existsSync(sharedExamplesDir) ? loadManifests(sharedExamplesDir) : undefined;
}

/**
 * The field paths a manifest uses, as `Kind:spec.a.b[].c`, leaves only (list entries as `[]`,
 * metadata left out). Two manifests with the same shape give the same set whatever their values.
 */
export function fieldPaths({ kind, object }: Manifest): Set<string> {
  const paths = new Set<string>();
  const walk = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item, `${path}[]`);
      if (value.length === 0) paths.add(`${kind}:${path}`);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) walk(child, path ? `${path}.${key}` : key);
    } else {
      paths.add(`${kind}:${path}`);
    }
  };
  for (const [key, value] of Object.entries(object)) {
    if (key !== 'metadata' && key !== 'apiVersion' && key !== 'kind') walk(value, key);
  }
  return paths;
}
