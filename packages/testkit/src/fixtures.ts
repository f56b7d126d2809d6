/**
 * A small namespaced CRD with a status subresource (`Widget`, group testkit.mcp-controllers.dev),
 * for kernel tests that need a custom kind without depending on the MCP API package.
 */
export const widgetResource = {
  group: 'testkit.mcp-controllers.dev',
  version: 'v1',
  plural: 'widgets',
  kind: 'Widget',
  namespaced: true,
} as const;

export const widgetCRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.testkit.mcp-controllers.dev' },
  spec: {
    group: 'testkit.mcp-controllers.dev',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wdg'] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                'x-kubernetes-preserve-unknown-fields': true,
                properties: {
                  size: { type: 'integer', minimum: 0, maximum: 100 },
                  color: { type: 'string', default: 'blue' },
                },
              },
              status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            },
          },
        },
      },
    ],
  },
};

export function widget(namespace: string, name: string, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'testkit.mcp-controllers.dev/v1',
    kind: 'Widget',
    metadata: { name, namespace },
    spec,
  };
}
