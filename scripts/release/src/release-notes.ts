/**
 * The body of a unit's GitHub release: the section of its CHANGELOG.md for one version (what
 * changesets wrote under `## <version>`).
 *
 * Usage: `release-notes --dir <package dir> --version <version>`. `changelogSection` is pure.
 * Failure modes: a missing CHANGELOG.md or a missing section still prints a one-line body that
 * says so (a release is never blocked on its notes) and warns on stderr.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isMain, repoRoot } from './root.js';

/** Text under `## <version>` up to the next `## ` heading, trimmed; undefined when absent. */
export function changelogSection(markdown: string, version: string): string | undefined {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((l) => l.trim() === `## ${version}`);
  if (start < 0) return undefined;
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => l.startsWith('## '));
  return (end < 0 ? rest : rest.slice(0, end)).join('\n').trim();
}

function main(): number {
  const { values } = parseArgs({
    options: { dir: { type: 'string' }, version: { type: 'string' }, root: { type: 'string' } },
  });
  if (!values.dir || !values.version) {
    process.stderr.write('usage: release-notes --dir <package dir> --version <version>\n');
    return 2;
  }
  const file = join(values.root ?? repoRoot(), values.dir, 'CHANGELOG.md');
  const section = existsSync(file) ? changelogSection(readFileSync(file, 'utf8'), values.version) : undefined;
  if (section === undefined) {
    process.stderr.write(`warning: ${file} has no '## ${values.version}' section\n`);
    process.stdout.write(`No changelog entry for ${values.version}.\n`);
  } else {
    process.stdout.write(`${section}\n`);
  }
  return 0;
}

if (isMain(import.meta.url)) process.exitCode = main();
