import { describe, expect, it } from 'vitest';
import * as pkg from '../src/index.js';

describe('@mcp-controllers/api', () => {
  it('exports its entry point', () => {
    expect(Object.keys(pkg).length).toBeGreaterThan(0);
  });
});
