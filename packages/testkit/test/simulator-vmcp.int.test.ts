import { describe, expect, it } from 'vitest';
import { eventually } from '../src/index.js';
import {
  backendsOf,
  condition,
  controllerReady,
  controllerStatus,
  useVmcpSimulator,
  type LogRecord,
} from './simulator-vmcp-harness.js';

const {
  apis,
  namespace,
  sim,
  toolhiveCRDs,
  startSim,
  createDeployment,
  setStatus,
  mcpServer,
  createVmcp,
  readVmcp,
  vmcpWhen,
  evaluatedAfter,
  readyPods,
} = useVmcpSimulator('simvmcp');

describe('workload simulator: vmcp runtime reports', () => {
  // First in the file: the toolhive CRDs are not installed yet.
  it('keeps simulating Deployments without the toolhive CRDs, quietly, and reports once they appear', async () => {
    const records: LogRecord[] = [];
    await startSim(records);
    await createDeployment('v');
    await readyPods('v');
    // The toolhive watches got their 404s (logged at debug), not as a warning.
    await eventually(
      () =>
        records.some(
          (r) => r.level === 'debug' && String((r.fields as { error?: unknown }).error).startsWith('404'),
        )
          ? true
          : undefined,
      { what: 'a 404 of a toolhive watch logged at debug' },
    );
    expect(records.filter((r) => r.level === 'warn')).toEqual([]);

    await toolhiveCRDs();
    await mcpServer('fetch', 'g', { phase: 'Ready', url: 'http://fetch.svc/mcp' });
    await createVmcp('v', 'g');
    const got = await vmcpWhen(
      'v',
      (v) => backendsOf(v).length === 1,
      'the runtime reports once the CRDs exist',
    );
    expect(backendsOf(got)).toEqual(['fetch=ready@http://fetch.svc/mcp']);
    expect(records.filter((r) => r.level === 'warn')).toEqual([]);
  });

  it('discovered mode: reports the group members, keeps the controller fields, follows health', async () => {
    await toolhiveCRDs();
    await startSim();
    await mcpServer('fetch', 'g', { phase: 'Ready', url: 'http://fetch.svc/mcp' });
    await mcpServer('slow', 'g', { phase: 'Pending', url: 'http://slow.svc/mcp' });
    await mcpServer('other', 'h', { phase: 'Ready', url: 'http://other.svc/mcp' });
    await mcpServer('starting', 'g', { phase: 'Pending' });
    await createVmcp('v', 'g');
    await setStatus('virtualmcpservers', 'v', controllerStatus);
    await createDeployment('v');

    const first = await vmcpWhen('v', (v) => v.status?.backendCount !== undefined, 'backends reported');
    const reported = first.status?.discoveredBackends ?? [];
    expect(reported.map(({ lastHealthCheck: _time, ...rest }) => rest)).toEqual([
      { name: 'fetch', url: 'http://fetch.svc/mcp', status: 'ready' },
      {
        name: 'slow',
        url: 'http://slow.svc/mcp',
        status: 'unavailable',
        message: 'MCPServer slow is Pending',
      },
    ]);
    for (const b of reported) expect(b.lastHealthCheck).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(first.status?.backendCount).toBe(1);
    expect(condition(first, 'BackendsDiscovered')).toMatchObject({
      status: 'True',
      reason: 'BackendDiscoverySucceeded',
      message: 'Discovered 2 backends',
    });
    // What the controller owns is untouched.
    expect(first.status).toMatchObject({
      phase: 'Pending',
      message: 'Virtual MCP server is starting',
      url: controllerStatus.url,
    });
    expect(condition(first, 'Ready')).toEqual(controllerReady);

    // The controller moves on (keeping the runtime's condition, as it must); the runtime keeps its change.
    const controllerDegraded = {
      ...controllerReady,
      reason: 'BackendsDegraded',
      message: 'Some backends are unhealthy',
    };
    await setStatus('virtualmcpservers', 'v', {
      phase: 'Degraded',
      conditions: [controllerDegraded, condition(first, 'BackendsDiscovered')],
    });
    sim().setBackendHealth(namespace(), 'slow', 'ready');
    const healed = await vmcpWhen('v', (v) => v.status?.backendCount === 2, 'slow set ready');
    expect(backendsOf(healed)).toEqual([
      'fetch=ready@http://fetch.svc/mcp',
      'slow=ready@http://slow.svc/mcp',
    ]);
    const fetchBefore = first.status?.discoveredBackends?.find((b) => b.name === 'fetch');
    const fetchAfter = healed.status?.discoveredBackends?.find((b) => b.name === 'fetch');
    expect(fetchAfter?.lastHealthCheck).toBe(fetchBefore?.lastHealthCheck);
    expect(healed.status?.phase).toBe('Degraded');
    expect(condition(healed, 'Ready')).toEqual(controllerDegraded);
    expect(condition(healed, 'BackendsDiscovered')).toEqual(condition(first, 'BackendsDiscovered'));

    // A member's change reaches the vMCP: fetch fails, then starting gets a url and joins.
    await setStatus('mcpservers', 'fetch', { phase: 'Failed' });
    await setStatus('mcpservers', 'starting', { phase: 'Ready', url: 'http://starting.svc/mcp' });
    const moved = await vmcpWhen(
      'v',
      (v) => backendsOf(v).length === 3 && v.status?.backendCount === 2,
      'members',
    );
    expect(backendsOf(moved)).toEqual([
      'fetch=unavailable@http://fetch.svc/mcp',
      'slow=ready@http://slow.svc/mcp',
      'starting=ready@http://starting.svc/mcp',
    ]);
    expect(condition(moved, 'BackendsDiscovered')?.message).toBe('Discovered 3 backends');

    // Clearing the override goes back to the phase.
    sim().setBackendHealth(namespace(), 'slow', undefined);
    await vmcpWhen('v', (v) => v.status?.backendCount === 1, 'slow back to its phase');
  });

  it('inline mode: reports exactly the backends of config.yaml', async () => {
    await toolhiveCRDs();
    await startSim();
    await mcpServer('a', 'g', { phase: 'Ready', url: 'http://a.svc/mcp' });
    await mcpServer('c', 'g', { phase: 'Ready', url: 'http://c.svc/mcp' });
    await createVmcp('v', 'g');
    await apis().core.createNamespacedConfigMap({
      namespace: namespace(),
      body: {
        metadata: { name: 'v-vmcp-config' },
        data: {
          'config.yaml': [
            'name: v',
            'groupRef: g',
            'backends:',
            '    - name: a',
            '      url: http://a.static/mcp',
            '      transport: streamable-http',
            '    - name: b',
            '      url: http://b.static/mcp',
            '      transport: sse',
            'outgoingAuth:',
            '    source: inline',
            '',
          ].join('\n'),
        },
      },
    });
    await createDeployment('v');
    const got = await vmcpWhen('v', (v) => v.status?.backendCount !== undefined, 'backends reported');
    expect(backendsOf(got)).toEqual(['a=ready@http://a.static/mcp', 'b=unavailable@http://b.static/mcp']);
    expect(got.status?.backendCount).toBe(1);
  });

  it('writes nothing while no pod is ready, or while the runtime is absent', async () => {
    await toolhiveCRDs();
    const s = await startSim();
    s.setBehaviour(namespace(), 'v', 'crashloop');
    await mcpServer('fetch', 'g', { phase: 'Ready', url: 'http://fetch.svc/mcp' });
    await createVmcp('v', 'g');
    await setStatus('virtualmcpservers', 'v', controllerStatus);
    await createDeployment('v');
    await eventually(
      async () => {
        const pods = await apis().core.listNamespacedPod({
          namespace: namespace(),
          labelSelector: 'app.kubernetes.io/instance=v',
        });
        return pods.items.some((p) =>
          p.status?.containerStatuses?.some((c) => c.state?.waiting?.reason === 'CrashLoopBackOff'),
        )
          ? true
          : undefined;
      },
      { what: 'a crash-looping pod' },
    );
    await evaluatedAfter(() => {
      s.setBackendHealth(namespace(), 'fetch', 'degraded');
    });
    const stopped = await readVmcp('v');
    expect(stopped.status?.discoveredBackends).toBeUndefined();
    expect(stopped.status?.backendCount).toBeUndefined();
    expect(condition(stopped, 'BackendsDiscovered')).toBeUndefined();

    // Pods ready, runtime absent: still nothing.
    s.setVmcpRuntime(namespace(), 'v', 'absent');
    s.setBehaviour(namespace(), 'v', 'ready');
    await readyPods('v');
    await evaluatedAfter(() => {
      s.setBackendHealth(namespace(), 'fetch', undefined);
    });
    expect((await readVmcp('v')).status?.discoveredBackends).toBeUndefined();

    // Played again: it reports (so the two checks above could have failed).
    s.setVmcpRuntime(namespace(), 'v', 'play');
    const got = await vmcpWhen('v', (v) => v.status?.backendCount === 1, 'backends reported');
    expect(backendsOf(got)).toEqual(['fetch=ready@http://fetch.svc/mcp']);
    expect(got.status?.phase).toBe('Pending');
  });
});
