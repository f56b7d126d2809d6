import { defineConfig, type Options } from 'tsup';

/** The one build every package uses: ESM for Node 20+, with declarations and source maps. */
export function packageBuild(entry: string[] = ['src/index.ts']): Options | Options[] {
  return defineConfig({
    entry,
    format: ['esm'],
    target: 'node20',
    dts: true,
    sourcemap: true,
    clean: true,
  }) as Options;
}
