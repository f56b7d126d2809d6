import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The generated CRD files (`packages/api/generated/crds`, one per kind), for tests, benchmarks and
 * tools that install them. `except` leaves kinds out by plural, e.g. to test a missing CRD. The path
 * is the same from the sources and from `dist/`: both sit one level below the package.
 */
export function generatedCRDPaths(except: readonly string[] = []): string[] {
  const dir = fileURLToPath(new URL('../generated/crds/', import.meta.url));
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yaml') && !except.some((plural) => file.endsWith(`_${plural}.yaml`)))
    .sort()
    .map((file) => join(dir, file));
}
