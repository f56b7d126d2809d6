import { describe, expect, it } from 'vitest';
import { footprintGoals, footprintLines, metricValue, parseVmRss } from '../src/footprint.js';

const MB = 1024 * 1024;

describe('footprintLines', () => {
  it('passes figures at the goals and misses figures above them', () => {
    const at = footprintLines('c', { rssBytes: 70 * MB, readyMs: 1_000, heapUsedBytes: 15 * MB });
    expect(at).toEqual([
      'PASS c idle RSS 70.0 MB (goal <= 70.0 MB)',
      'PASS c ready 1000 ms after start (goal <= 1000 ms)',
      '     c idle heap used 15.0 MB',
    ]);
    const above = footprintLines('c', { rssBytes: 70 * MB + 1, readyMs: 1_001, heapUsedBytes: 0 });
    expect(above[0]).toMatch(/^MISS c idle RSS/);
    expect(above[1]).toMatch(/^MISS c ready 1001 ms/);
  });

  it('holds the issue goals: 70 MB idle RSS, ready within 1 s', () => {
    expect(footprintGoals).toEqual({ rssBytes: 70 * MB, readyMs: 1_000 });
  });
});

describe('parseVmRss', () => {
  it('reads VmRSS in kB as bytes, and nothing when the line is absent', () => {
    expect(parseVmRss('Name:\tnode\nVmHWM:\t  90000 kB\nVmRSS:\t   65536 kB\nRssAnon:\t 1 kB\n')).toBe(
      64 * MB,
    );
    expect(parseVmRss('Name:\tnode\nState:\tZ (zombie)\n')).toBeUndefined();
  });
});

describe('metricValue', () => {
  const exposition = [
    '# HELP nodejs_heap_size_used_bytes Process heap size used from Node.js in bytes.',
    '# TYPE nodejs_heap_size_used_bytes gauge',
    'nodejs_heap_size_used_bytes 15728640',
    'nodejs_heap_size_used_bytes_total 1',
    'nodejs_heap_space_size_used_bytes{space="new"} 42',
  ].join('\n');

  it('reads an unlabelled sample by its exact name', () => {
    expect(metricValue(exposition, 'nodejs_heap_size_used_bytes')).toBe(15 * MB);
    expect(metricValue(exposition, 'nodejs_heap_space_size_used_bytes')).toBeUndefined();
    expect(metricValue(exposition, 'absent')).toBeUndefined();
  });
});
