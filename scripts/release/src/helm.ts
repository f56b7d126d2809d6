/**
 * `helm <args>` with the same helm the tests and the release build use (testkit's: `HELM`, or the
 * one unpacked from npm), so CI needs no separate helm install. Paths are resolved from the
 * directory pnpm runs this in (scripts/release): pass absolute ones. Exits with helm's status.
 */
import { spawnSync } from 'node:child_process';
import { ensureHelm } from '@mcp-controllers/testkit';

const result = spawnSync(await ensureHelm(), process.argv.slice(2), { stdio: 'inherit' });
if (result.error) process.stderr.write(`helm: ${result.error.message}\n`);
process.exitCode = result.status ?? 1;
