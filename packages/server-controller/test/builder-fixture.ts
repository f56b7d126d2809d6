/** An MCPServer as the reconcile hands it to the builders: parsed, so CRD defaults are applied. */
import { formatFieldErrors, parseMCPServer } from '@mcp-controllers/api';
import type { Server } from '../src/types.js';

export function parsedServer(
  spec: Record<string, unknown>,
  { name = 'yardstick', namespace = 'toolhive-system', generation = 1 } = {},
): Server {
  const parsed = parseMCPServer({
    apiVersion: 'toolhive.stacklok.dev/v1beta1',
    kind: 'MCPServer',
    metadata: { name, namespace, generation, uid: 'uid-1' },
    spec,
  });
  if (!parsed.ok) throw new Error(`fixture does not parse: ${formatFieldErrors(parsed.errors)}`);
  const server: Server = { ...parsed.value, metadata: { ...parsed.value.metadata, name, namespace } };
  return server;
}

/** ToolHive's yardstick streamable-http example (examples/operator/mcp-servers). */
export const yardstickSpec = {
  image: 'ghcr.io/stackloklabs/yardstick/yardstick-server:1.1.1',
  transport: 'streamable-http',
  env: [{ name: 'TRANSPORT', value: 'streamable-http' }],
  proxyPort: 8080,
  mcpPort: 8080,
  resources: { limits: { cpu: '100m', memory: '128Mi' }, requests: { cpu: '50m', memory: '64Mi' } },
};
