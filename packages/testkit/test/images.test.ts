// What can be checked of the controller images without a Docker engine: one Dockerfile at the root
// builds every controller's image, chosen by the build arg CONTROLLER (its directory under packages/).
// Its bases are pinned by digest, its runtime stage is distroless Node 22, copies exactly the chosen
// controller's bundle and map, runs as 65532 with source maps and carries the OCI labels; its build
// stage uses the pnpm that package.json pins and builds only that controller. Every controller
// package with a chart is one the Dockerfile can build (its name, binary and bundle where the
// Dockerfile looks). The bundle itself is proven standalone by each controller's
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

/** The root Dockerfile: its bases (ARG defaults expanded), build stage and runtime stage. */
function dockerfile() {
  const all = instructions(readFileSync(join(root, 'Dockerfile'), 'utf8'));
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

const { bases, build, runtime } = dockerfile();
/** `${CONTROLLER}` in the Dockerfile, as a build for this controller directory expands it. */
const forController = (text: string, dir: string) => text.replaceAll('${CONTROLLER}', dir);

describe('Dockerfile', () => {
  it('pins every base by digest; the runtime is distroless Node 22, non-root variant', () => {
    expect(bases).toHaveLength(2);
    for (const base of bases) expect(base).toMatch(digest);
    expect(bases.at(-1)).toMatch(/^gcr\.io\/distroless\/nodejs22-debian12:nonroot@sha256:/);
    expect(bases[0]).toMatch(/^node:22[-.\w]*-slim@sha256:/);
  });

  it('takes the controller as a build arg in both stages, and refuses a build without it', () => {
    const declares = (stage: typeof build) =>
      stage.some((i) => i.keyword === 'ARG' && /^CONTROLLER(=|$)/.test(i.args));
    expect(declares(build)).toBe(true);
    expect(declares(runtime)).toBe(true);
    const check = build.find((i) => i.keyword === 'RUN' && i.args.includes('"${CONTROLLER}"'));
    expect(check?.args).toContain('exit 1');
    expect(check?.args).toContain('--build-arg CONTROLLER=');
  });

  it('builds with the pinned pnpm, a lockfile-only dependency layer, and only the chosen controller', () => {
    const runs = build.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs).toContain(`npm install --global pnpm@${pnpmVersion}`);
    const fetchAt = build.findIndex((i) => i.keyword === 'RUN' && i.args.includes('pnpm fetch'));
    const copies = build.filter((i, index) => i.keyword === 'COPY' && index < fetchAt).map((i) => i.args);
    expect(copies).toEqual(['pnpm-lock.yaml pnpm-workspace.yaml package.json ./']);
    expect(build[fetchAt]!.args).toContain('--mount=type=cache');
    const install = runs.find((r) => r.includes('pnpm install'));
    expect(install).toContain('--offline --frozen-lockfile');
    expect(install).toMatch(/pnpm turbo run build --filter=@mcp-controllers\/\$\{CONTROLLER\}$/);
  });

  // `.mjs`: with no package.json beside it, a `.js` bundle is first compiled as CommonJS, then again as
  // ESM (9 MB more idle RSS); see tsup.shared.ts.
  it('copies exactly the bundle (.mjs) and its source map, and starts it with source maps as 65532', () => {
    const copies = runtime.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD').map((i) => i.args);
    const dist = '/src/packages/${CONTROLLER}/dist';
    expect(copies).toEqual([`--from=build ${dist}/main.mjs ${dist}/main.mjs.map /app/`]);
    expect(runtime.filter((i) => i.keyword === 'RUN')).toEqual([]);
    expect(runtime.find((i) => i.keyword === 'USER')?.args).toBe('65532:65532');
    expect(runtime.find((i) => i.keyword === 'ENTRYPOINT')?.args).toBe(
      '["/nodejs/bin/node", "--enable-source-maps", "/app/main.mjs"]',
    );
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
    expect(byKey.title).toBe('mcp-${CONTROLLER}');
    for (const key of ['description', 'version', 'revision', 'created', 'source', 'licenses']) {
      expect(byKey[key]).toBe(`\${${key.toUpperCase()}}`);
    }
  });

  it('has no per-package twin (one Dockerfile builds every controller)', () => {
    expect(controllers.filter((dir) => existsSync(join(packagesDir, dir, 'Dockerfile')))).toEqual([]);
  });
});

describe.each(controllers)('%s as CONTROLLER', (dir) => {
  const pkg = JSON.parse(readFileSync(join(packagesDir, dir, 'package.json'), 'utf8')) as {
    name: string;
    description?: string;
    bin?: Record<string, string>;
  };

  it('is the package the Dockerfile builds, and its binary is the bundle the image runs', () => {
    const install = build.find((i) => i.keyword === 'RUN' && i.args.includes('pnpm install'))!;
    expect(forController(install.args, dir)).toContain(`--filter=${pkg.name}`);
    const title = forController(
      /org\.opencontainers\.image\.title="([^"]*)"/.exec(runtime.map((i) => i.args).join(' '))![1]!,
      dir,
    );
    // The image title is the binary's name, and its one binary is the bundle the image copies.
    expect(pkg.bin).toEqual({ [title]: './dist/main.mjs' });
    // The release passes it as DESCRIPTION.
    expect(pkg.description).toMatch(/\S/);
  });

  it('bundles no module that runs only on a Node without URL (whatwg-url and its tr46 tables)', () => {
    const mapPath = join(packagesDir, dir, 'dist', 'main.mjs.map');
    expect(existsSync(mapPath), `${mapPath} is missing: build first (pnpm build)`).toBe(true);
    const { sources } = JSON.parse(readFileSync(mapPath, 'utf8')) as { sources: string[] };
    expect(sources.filter((source) => /node_modules[\\/](whatwg-url|tr46)[\\/]/.test(source))).toEqual([]);
    expect(sources.some((source) => source.includes('node-fetch'))).toBe(true);
  });
});
