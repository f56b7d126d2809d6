/** The repository root: two levels above this package (scripts/release), wherever it is run from. */
import { fileURLToPath, pathToFileURL } from 'node:url';

export function repoRoot(): string {
  return fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
}

/** True when the module at `url` is the script node was started with (not imported by a test). */
export function isMain(url: string): boolean {
  const script = process.argv[1];
  return script !== undefined && url === pathToFileURL(script).href;
}
