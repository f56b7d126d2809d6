import { describe, expect, it } from 'vitest';
import { virtualMCPServerConditions } from '../src/index.js';

// The status each `Ready` reason goes with in ToolHive's VirtualMCPServer controller: anything but a
// fully healthy set of backends is `False` (phase Degraded), so tools waiting on Ready agree with it.
const upstreamReady: Record<string, 'True' | 'False'> = {
  DeploymentReady: 'True',
  DeploymentNotReady: 'False',
  DeploymentFailed: 'False',
  BackendsUnavailable: 'False',
  BackendsDegraded: 'False',
  BackendsUnknown: 'False',
  AuthServerConfigInvalid: 'False',
};
// Reasons mcp-controllers adds for a vMCP it does not roll out (ToolHive has no Ready condition then).
const ownReady = { InvalidSpec: 'False', GroupNotReady: 'False', NotRolledOut: 'False' } as const;

describe('condition catalogs', () => {
  it('VirtualMCPServer Ready has ToolHive’s reasons with ToolHive’s statuses, and three of its own', () => {
    const ready = virtualMCPServerConditions.catalog.Ready?.reasons ?? {};
    expect(Object.fromEntries(Object.entries(ready).map(([reason, spec]) => [reason, spec.status]))).toEqual({
      ...upstreamReady,
      ...ownReady,
    });
  });
});
