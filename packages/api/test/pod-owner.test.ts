import { describe, expect, it } from 'vitest';
import { toolhivePodOwnerKeys } from '../src/index.js';

const pod = (labels?: Record<string, string>) => ({
  metadata: { namespace: 'ns', ...(labels ? { labels } : {}) },
});
const ours = { 'app.kubernetes.io/name': 'mcpserver', toolhive: 'true' };

describe('toolhivePodOwnerKeys', () => {
  it('keys a pod of the workload kind by its instance label, else by its toolhive-name', () => {
    expect(
      toolhivePodOwnerKeys(
        pod({ ...ours, 'app.kubernetes.io/instance': 'fetch', 'toolhive-name': 'x' }),
        'mcpserver',
      ),
    ).toEqual(['ns/fetch']);
    expect(toolhivePodOwnerKeys(pod({ ...ours, 'toolhive-name': 'fetch' }), 'mcpserver')).toEqual([
      'ns/fetch',
    ]);
    expect(
      toolhivePodOwnerKeys({ metadata: { labels: { ...ours, 'toolhive-name': 'fetch' } } }, 'mcpserver'),
    ).toEqual(['/fetch']);
  });

  it('keys no other pod: another app, not toolhive’s, no name, no labels', () => {
    const named = { 'app.kubernetes.io/instance': 'fetch' };
    expect(toolhivePodOwnerKeys(pod({ ...ours, ...named }), 'virtualmcpserver')).toEqual([]);
    expect(toolhivePodOwnerKeys(pod({ ...ours, ...named, toolhive: 'false' }), 'mcpserver')).toEqual([]);
    expect(
      toolhivePodOwnerKeys(pod({ 'app.kubernetes.io/name': 'mcpserver', ...named }), 'mcpserver'),
    ).toEqual([]);
    expect(toolhivePodOwnerKeys(pod({ toolhive: 'true', ...named }), 'mcpserver')).toEqual([]);
    expect(toolhivePodOwnerKeys(pod(ours), 'mcpserver')).toEqual([]);
    expect(toolhivePodOwnerKeys(pod({ ...ours, 'app.kubernetes.io/instance': '' }), 'mcpserver')).toEqual([]);
    expect(toolhivePodOwnerKeys(pod(), 'mcpserver')).toEqual([]);
  });
});
