import { describe, expect, it } from 'vitest';
import { changelogSection } from '../src/release-notes.js';

const changelog = `# @mcp-controllers/group-controller

## 0.2.0

### Minor Changes

- abc1234: MCPGroup status lists remote proxies.

### Patch Changes

- Updated dependencies
  - @mcp-controllers/core@0.1.1

## 0.1.0

Initial release.
`;

describe('changelogSection', () => {
  it('returns the text under one version heading, up to the next version', () => {
    expect(changelogSection(changelog, '0.2.0')).toBe(
      '### Minor Changes\n\n- abc1234: MCPGroup status lists remote proxies.\n\n### Patch Changes\n\n- Updated dependencies\n  - @mcp-controllers/core@0.1.1',
    );
    expect(changelogSection(changelog, '0.1.0')).toBe('Initial release.');
  });

  it('is undefined for a version the changelog does not have (no prefix match)', () => {
    expect(changelogSection(changelog, '0.2')).toBeUndefined();
    expect(changelogSection(changelog, '0.3.0')).toBeUndefined();
  });
});
