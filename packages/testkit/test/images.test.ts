// What can be checked of the controller images without a Docker engine: every controller package
// with a chart has a Dockerfile whose bases are pinned by digest (the same pair everywhere), whose
// runtime stage is distroless Node 22, copies exactly the bundle and its map, runs as 65532 with
// source maps, and carries the OCI labels; whose build stage uses the pnpm that package.json pins
// and builds only that controller. The bundle itself is proven standalone by each controller's
// test/bundle.int.test.ts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const packagesDir = join(root, 'packages');
const controllers = readdirSync(packagesDir).filter((dir) =>
  existsSync(join(packagesDir, dir, 'chart', 'Chart.yaml')),
);

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function instructions(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

function argDefaults(all: Instruction[]): Map<string, string> {
  const defaults = new Map<string, string>();
  for (const { keyword, args } of all) {
    const match = /^(\w+)=(\S+)$/.exec(args);
    if (keyword === 'ARG' && match) defaults.set(match[1]!, match[2]!);
  }
  return defaults;
}

function dockerfile(dir: string) {
  const all = instructions(readFileSync(join(packagesDir, dir, 'Dockerfile'), 'utf8'));
  const defaults = argDefaults(all);
  const expand = (value: string) =>
    value.replace(/\$\{(\w+)\}/g, (_, name: string) => defaults.get(name) ?? '');
  const froms = all.flatMap((ins, index) => (ins.keyword === 'FROM' ? [index] : []));
  const lastFrom = froms.at(-1) ?? 0;
  return {
    bases: froms.map((index) => expand(all[index]!.args.split(/\s+/)[0]!)),
    build: all.slice(0, lastFrom),
    runtime: all.slice(lastFrom + 1),
  };
}

const digest = /@sha256:[0-9a-f]{64}$/;
const pnpmVersion = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { packageManager: string }
).packageManager.replace(/^pnpm@/, '');

it('finds the controller packages', () => {
  expect(controllers).toEqual(
    expect.arrayContaining([
      'group-controller',
      'telemetry-controller',
      'entry-controller',
      'server-controller',
      'vmcp-controller',
    ]),
  );
});

const hasDockerfile = (dir: string) => existsSync(join(packagesDir, dir, 'Dockerfile'));

it('every controller pins the same two bases', () => {
  const pairs = new Set(controllers.filter(hasDockerfile).map((dir) => dockerfile(dir).bases.join(' ')));
  expect(pairs.size).toBe(1);
});

describe.each(controllers)('%s/Dockerfile', (dir) => {
  it('exists (a controller with a chart ships an image)', () => {
    expect(
      hasDockerfile(dir),
      `copy packages/group-controller/Dockerfile to packages/${dir}/ and rename the controller in it`,
    ).toBe(true);
  });
  if (!hasDockerfile(dir)) return;
  const pkg = JSON.parse(readFileSync(join(packagesDir, dir, 'package.json'), 'utf8')) as {
    name: string;
    description: string;
    bin: Record<string, string>;
  };
  const binary = Object.keys(pkg.bin)[0]!;
  const { bases, build, runtime } = dockerfile(dir);

  it('pins every base by digest; the runtime is distroless Node 22, non-root variant', () => {
    for (const base of bases) expect(base).toMatch(digest);
    expect(bases.at(-1)).toMatch(/^gcr\.io\/distroless\/nodejs22-debian12:nonroot@sha256:/);
    expect(bases[0]).toMatch(/^node:22[-.\w]*-slim@sha256:/);
  });

  it('builds with the pinned pnpm, a lockfile-only dependency layer, and only this controller', () => {
    const runs = build.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs).toContain(`npm install --global pnpm@${pnpmVersion}`);
    const fetchAt = build.findIndex((i) => i.keyword === 'RUN' && i.args.includes('pnpm fetch'));
    const copies = build.filter((i, index) => i.keyword === 'COPY' && index < fetchAt).map((i) => i.args);
    expect(copies).toEqual(['pnpm-lock.yaml pnpm-workspace.yaml package.json ./']);
    expect(build[fetchAt]!.args).toContain('--mount=type=cache');
    const install = runs.find((r) => r.includes('pnpm install'));
    expect(install).toContain('--offline --frozen-lockfile');
    expect(install).toContain(`pnpm turbo run build --filter=${pkg.name}`);
  });

  // `.mjs`: with no package.json beside it, a `.js` bundle is first compiled as CommonJS, then again as
  // ESM (9 MB more idle RSS); see tsup.shared.ts.
  it('copies exactly the bundle (.mjs) and its source map, and starts it with source maps as 65532', () => {
    const copies = runtime.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD').map((i) => i.args);
    const dist = `/src/packages/${dir}/dist`;
    expect(copies).toEqual([`--from=build ${dist}/main.mjs ${dist}/main.mjs.map /app/`]);
    expect(runtime.filter((i) => i.keyword === 'RUN')).toEqual([]);
    expect(runtime.find((i) => i.keyword === 'USER')?.args).toBe('65532:65532');
    expect(runtime.find((i) => i.keyword === 'ENTRYPOINT')?.args).toBe(
      '["/nodejs/bin/node", "--enable-source-maps", "/app/main.mjs"]',
    );
    expect(pkg.bin[binary]).toBe('./dist/main.mjs');
  });

  it('bundles no module that runs only on a Node without URL (whatwg-url and its tr46 tables)', () => {
    const mapPath = join(packagesDir, dir, 'dist', 'main.mjs.map');
    expect(existsSync(mapPath), `${mapPath} is missing: build first (pnpm build)`).toBe(true);
    const { sources } = JSON.parse(readFileSync(mapPath, 'utf8')) as { sources: string[] };
    expect(sources.filter((source) => /node_modules[\\/](whatwg-url|tr46)[\\/]/.test(source))).toEqual([]);
    expect(sources.some((source) => source.includes('node-fetch'))).toBe(true);
  });

  it('labels the image with the OCI keys, values from build args', () => {
    const labels = runtime
      .filter((i) => i.keyword === 'LABEL')
      .flatMap((i) => [...i.args.matchAll(/org\.opencontainers\.image\.(\w+)="([^"]*)"/g)])
      .map((m) => [m[1]!, m[2]!] as const);
    const byKey = Object.fromEntries(labels);
    expect(Object.keys(byKey).sort()).toEqual(
      ['created', 'description', 'licenses', 'revision', 'source', 'title', 'version'].sort(),
    );
    expect(byKey.title).toBe(binary);
    expect(byKey.description).toBe(pkg.description);
    for (const key of ['version', 'revision', 'created', 'source', 'licenses']) {
      expect(byKey[key]).toBe(`\${${key === 'licenses' ? 'LICENSES' : key.toUpperCase()}}`);
    }
  });
});
