// What ToolHive's CRDs store for each in-repo compatibility manifest (test/compat/*.yaml): the spec
// as written plus every default ToolHive's schema applies. Written out by hand from ToolHive's
// published CRDs, so a default we lose, gain or change shows up as a difference.

const serverDefaults = {
  proxyMode: 'streamable-http',
  proxyPort: 8080,
  sessionAffinity: 'ClientIP',
  trustProxyHeaders: false,
};
const vmcpDefaults = { serviceType: 'ClusterIP', sessionAffinity: 'ClientIP' };
const prefixAggregation = {
  aggregation: { conflictResolution: 'prefix', conflictResolutionConfig: { prefixFormat: '{workload}_' } },
};

export const storedSpecs: Record<string, Record<string, unknown>> = {
  'MCPGroup/remote-catalog': { description: 'Remote MCP servers reached directly by a vMCP' },
  'MCPServerEntry/docs-search': {
    remoteUrl: 'https://docs-search.example.com/mcp',
    transport: 'streamable-http',
    groupRef: { name: 'remote-catalog' },
    allowPrivateEndpoint: false,
  },
  'MCPServerEntry/lab-tools': {
    remoteUrl: 'https://tools.lab.example.net:9443/mcp',
    transport: 'streamable-http',
    groupRef: { name: 'remote-catalog' },
    caBundleRef: { configMapRef: { name: 'lab-ca', key: 'ca.crt' } },
    allowPrivateEndpoint: false,
  },
  'MCPGroup/platform-team': { description: 'Platform team tools, local and remote' },
  'MCPServer/issue-tracker': {
    image: 'registry.example.com/mcp/issue-tracker:2.3.0',
    transport: 'streamable-http',
    groupRef: { name: 'platform-team' },
    ...serverDefaults,
  },
  'MCPServerEntry/status-page': {
    remoteUrl: 'https://status.example.org/mcp',
    transport: 'streamable-http',
    groupRef: { name: 'platform-team' },
    allowPrivateEndpoint: false,
  },
  'VirtualMCPServer/platform-gateway': {
    incomingAuth: { type: 'anonymous' },
    outgoingAuth: { source: 'inline' },
    groupRef: { name: 'platform-team' },
    config: prefixAggregation,
    ...vmcpDefaults,
  },
  'MCPGroup/sandbox': { description: 'Sandbox group for trying a VirtualMCPServer' },
  'MCPServer/echo-stdio': {
    groupRef: { name: 'sandbox' },
    image: 'registry.example.com/mcp/echo:0.4.2',
    transport: 'stdio',
    resources: { limits: { cpu: '200m', memory: '256Mi' }, requests: { cpu: '20m', memory: '32Mi' } },
    ...serverDefaults,
    proxyPort: 9090,
  },
  'VirtualMCPServer/sandbox-gateway': {
    groupRef: { name: 'sandbox' },
    config: {
      ...prefixAggregation,
      operational: {
        failureHandling: {
          healthCheckInterval: '45s',
          healthCheckTimeout: '10s',
          unhealthyThreshold: 3,
          statusReportingInterval: '30s',
          partialFailureMode: 'fail',
        },
      },
    },
    incomingAuth: {
      type: 'anonymous',
      authzConfig: {
        type: 'inline',
        inline: { policies: ['permit(principal, action, resource);'], entitiesJson: '[]' },
      },
    },
    outgoingAuth: { source: 'discovered' },
    ...vmcpDefaults,
  },
  'MCPTelemetryConfig/team-otel': {
    openTelemetry: {
      enabled: true,
      endpoint: 'collector.observability.svc.cluster.local:4318',
      insecure: true,
      tracing: { enabled: true, samplingRate: '0.25' },
      metrics: { enabled: true },
      useLegacyAttributes: true,
    },
    prometheus: { enabled: true },
  },
  'MCPGroup/observed': { description: 'Backends whose telemetry goes to the team collector' },
  'MCPServer/web-fetch': {
    image: 'registry.example.com/mcp/web-fetch:1.0.0',
    transport: 'streamable-http',
    mcpPort: 3000,
    groupRef: { name: 'observed' },
    resources: { limits: { cpu: '300m', memory: '192Mi' }, requests: { cpu: '30m', memory: '48Mi' } },
    telemetryConfigRef: { name: 'team-otel', serviceName: 'web-fetch-mcp' },
    ...serverDefaults,
  },
  'VirtualMCPServer/observed-gateway': {
    telemetryConfigRef: { name: 'team-otel', serviceName: 'observed-gateway' },
    groupRef: { name: 'observed' },
    config: prefixAggregation,
    incomingAuth: { type: 'anonymous' },
    outgoingAuth: { source: 'discovered' },
    ...vmcpDefaults,
  },
  'MCPServer/clock': {
    image: 'registry.example.com/mcp/clock:3.1.0',
    transport: 'streamable-http',
    env: [{ name: 'MCP_TRANSPORT', value: 'streamable-http' }],
    mcpPort: 8000,
    resources: { limits: { cpu: '50m', memory: '64Mi' }, requests: { cpu: '10m', memory: '16Mi' } },
    ...serverDefaults,
  },
};
