// The normalisation the end-to-end comparisons rest on: what it hides, and what it must not.
import { expect, it } from 'vitest';
import { normalise } from './snapshot.js';

it('hides times, versions, cluster IPs, the namespace name and condition order', () => {
  const a = {
    status: {
      url: 'http://vmcp-x.ns-a.svc.cluster.local:4483',
      conditions: [
        { type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' },
        { type: 'Accepted', status: 'True', lastTransitionTime: '2026-01-01T00:00:01Z' },
      ],
    },
    spec: { clusterIP: '10.0.0.1', ports: [{ port: 80 }] },
    resourceVersion: '12',
  };
  const b = {
    status: {
      url: 'http://vmcp-x.ns-b.svc.cluster.local:4483',
      conditions: [
        { type: 'Accepted', status: 'True', lastTransitionTime: '2026-02-01T00:00:00Z' },
        { type: 'Ready', status: 'True', lastTransitionTime: '2026-02-01T00:00:01Z' },
      ],
    },
    spec: { clusterIP: '10.0.0.2', ports: [{ port: 80 }] },
    resourceVersion: '99',
  };
  expect(normalise(a, 'ns-a')).toEqual(normalise(b, 'ns-b'));
});

it('keeps a different status, port or condition reason apart', () => {
  const base = { status: { phase: 'Ready', conditions: [{ type: 'Ready', reason: 'DeploymentReady' }] } };
  expect(normalise(base, 'n')).not.toEqual(
    normalise({ status: { phase: 'Ready', conditions: [{ type: 'Ready', reason: 'Other' }] } }, 'n'),
  );
  expect(normalise({ spec: { ports: [{ port: 80 }] } }, 'n')).not.toEqual(
    normalise({ spec: { ports: [{ port: 81 }] } }, 'n'),
  );
});

it('numbers hashes in order of appearance, so a copied hash must still match its source', () => {
  const h1 = 'a'.repeat(64);
  const h2 = 'b'.repeat(64);
  const copied = { config: { hash: h1 }, server: { telemetryConfigHash: h1 } };
  const same = { config: { hash: h2 }, server: { telemetryConfigHash: h2 } };
  const stale = { config: { hash: h2 }, server: { telemetryConfigHash: h1 } };
  expect(normalise(copied, 'n')).toEqual(normalise(same, 'n'));
  expect(normalise(stale, 'n')).not.toEqual(normalise(copied, 'n'));
});
