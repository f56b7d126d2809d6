import { fileURLToPath } from 'node:url';
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

/**
 * Modules we declare free of import-time side effects, so that esbuild drops every such module the
 * controller does not reach (in a module it reaches, every statement that may have an effect stays).
 * @kubernetes/client-node 1.x has no `sideEffects` field: without this, `import { KubeConfig }` keeps
 * its whole generated API (thousands of model and API classes). Our kernel and API packages only
 * declare (no top-level statements, no import for effect), so a controller keeps only the kinds and
 * modules it uses (the group controller's idle RSS: 81 -> 77 MB).
 * Failure mode: a module imported only for its effect (`import './x.js'`) would be dropped
 * silently; the bundle test (`test/bundle.int.test.ts` of each controller) runs the bundle and
 * reconciles with it. When client-node ships a `sideEffects` field its entry becomes a no-op.
 */
const sideEffectFree = [
  /[\\/]node_modules[\\/]@kubernetes[\\/]client-node[\\/]/,
  /[\\/]packages[\\/](api|core)[\\/]src[\\/]/,
];

const whatwgUrlShim = fileURLToPath(new URL('./scripts/bundle-shims/whatwg-url.mjs', import.meta.url));

/**
 * The build of a controller package, two outputs in one `dist/`:
 * - `index.js` + `.d.ts`: the library entry tests and benchmarks import, dependencies external;
 * - `main.mjs` + `.map`: the binary, ONE tree-shaken ESM file with every dependency bundled (workspace
 *   packages from their TypeScript sources, npm packages included), so an image needs nothing but
 *   this file and Node.
 *
 * CommonJS dependencies inside the ESM bundle (pino, prom-client) call `require` for Node built-ins;
 * the banner gives the bundle a real `require`, otherwise they fail at start with
 * `Dynamic require of "x" is not supported`. Only the library build cleans `dist/`, sparing `main.mjs`,
 * because tsup runs both builds at once.
 *
 * Why `.mjs`: the image holds the file and no package.json, so a `main.js` there has no declared module
 * type and Node first tries to compile the 1 MB file as CommonJS, fails, and compiles it again as ESM:
 * measured here, 9 MB more idle RSS (the group controller: 81 -> 72 MB). An `.mjs` file is ESM wherever
 * it is copied.
 */
export function controllerBuild(): Options[] {
  return [
    {
      entry: ['src/index.ts'],
      format: ['esm'],
      target: 'node20',
      dts: true,
      sourcemap: true,
      clean: ['!main.mjs', '!main.mjs.map'],
    },
    {
      entry: { main: 'src/main.ts' },
      format: ['esm'],
      platform: 'node',
      target: 'node20',
      sourcemap: true,
      dts: false,
      clean: false,
      splitting: false,
      outExtension: () => ({ js: '.mjs' }),
      // Everything, workspace packages and npm dependencies alike, goes into the file.
      noExternal: [/.*/],
      banner: {
        js: "import { createRequire as __bundleCreateRequire } from 'node:module';\nconst require = __bundleCreateRequire(import.meta.url);",
      },
      // Less source text for V8 to hold and parse; names are kept for logs and error types, and
      // stack traces are mapped back through the source map.
      minify: true,
      keepNames: true,
      esbuildOptions(options) {
        // Workspace packages are bundled from their sources: no stale dist/ of a dependency.
        options.conditions = ['source'];
        // Node parses the map of every module at load with --enable-source-maps; the sources' text
        // is not needed to map a stack trace and would double the map's memory.
        options.sourcesContent = false;
        // node-fetch 2 (client-node's HTTP layer) imports whatwg-url only as a fallback for Node's own
        // URL, which every supported Node has; the import alone builds tr46's Unicode tables (a quarter
        // of the bundle, 5 MB of idle RSS). The shim hands node-fetch Node's URL instead.
        options.alias = { 'whatwg-url': whatwgUrlShim };
      },
      esbuildPlugins: [
        {
          name: 'side-effect-free',
          setup(build) {
            build.onResolve({ filter: /.*/ }, async (args) => {
              if (args.pluginData === 'side-effect-free') return undefined;
              const resolved = await build.resolve(args.path, {
                kind: args.kind,
                importer: args.importer,
                resolveDir: args.resolveDir,
                pluginData: 'side-effect-free',
              });
              if (resolved.errors.length > 0) return undefined;
              if (!sideEffectFree.some((pattern) => pattern.test(resolved.path))) return undefined;
              return { ...resolved, sideEffects: false };
            });
          },
        },
      ],
    },
  ];
}
