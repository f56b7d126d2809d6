import { KubeConfig, type User } from '@kubernetes/client-node';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialsError, Transports } from '../src/client/transport.js';

function kubeConfigAs(user: User): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'http://127.0.0.1:9', skipTLSVerify: true }],
    users: [user],
    contexts: [{ name: 'x', cluster: 'c', user: user.name }],
    currentContext: 'x',
  });
  return kc;
}

describe('Transports (credentials)', () => {
  let dir: string;
  let now: number;
  let transports: Transports | undefined;
  const clock = () => now;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'transport-'));
    now = 1_000_000;
  });
  afterEach(async () => {
    transports?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const tokenFileUser = (tokenFile: string): User => ({
    name: 'in-cluster',
    authProvider: { name: 'tokenFile', config: { tokenFile } },
  });

  it('picks up a rotated token file within the refresh period, and at once on reload', async () => {
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, 'token-a\n');
    transports = new Transports(kubeConfigAs(tokenFileUser(tokenFile)), 'http://127.0.0.1:9', {
      refreshMs: 60_000,
      now: clock,
    });
    const first = await transports.current();
    expect(first.headers.Authorization).toBe('Bearer token-a');
    await writeFile(tokenFile, 'token-b\n');
    now += 59_000;
    expect((await transports.current()).headers.Authorization).toBe('Bearer token-a');
    now += 2_000;
    const second = await transports.current();
    expect(second.headers.Authorization).toBe('Bearer token-b');
    // The pool of sockets survives a token change: only new TLS material needs new connections.
    expect(second.requestAgent).toBe(first.requestAgent);

    await writeFile(tokenFile, 'token-c\n');
    const reloaded = await transports.reload(second);
    expect(reloaded.changed).toBe(true);
    expect(reloaded.transport.headers.Authorization).toBe('Bearer token-c');
    // A reload for a transport that is no longer current does not load again.
    await writeFile(tokenFile, 'token-d\n');
    const again = await transports.reload(second);
    expect(again.transport).toBe(reloaded.transport);
    // Nothing new in the file: no change, so the caller does not resend a request for nothing.
    await writeFile(tokenFile, 'token-c\n');
    expect((await transports.reload(reloaded.transport)).changed).toBe(false);
  });

  it('tries a failed load again on the next call and keeps working credentials through a failed refresh', async () => {
    const tokenFile = join(dir, 'token');
    transports = new Transports(kubeConfigAs(tokenFileUser(tokenFile)), 'http://127.0.0.1:9', {
      refreshMs: 60_000,
      retryMs: 1_000,
      now: clock,
    });
    const missing = await transports.current().catch((err: unknown) => err);
    expect(missing).toBeInstanceOf(CredentialsError);
    expect((missing as Error).message).toContain(tokenFile);
    await writeFile(tokenFile, 'token-a');
    const loaded = await transports.current();
    expect(loaded.headers.Authorization).toBe('Bearer token-a');

    // The file goes away during a refresh: the last good credentials stay in use...
    await rm(tokenFile);
    now += 61_000;
    expect(await transports.current()).toBe(loaded);
    // ...and the next attempt comes after the retry interval, not on every call.
    await writeFile(tokenFile, 'token-b');
    now += 500;
    expect(await transports.current()).toBe(loaded);
    now += 600;
    expect((await transports.current()).headers.Authorization).toBe('Bearer token-b');
  });

  it('reports an exec plugin that fails with its message, and runs it again next time', async () => {
    const runs = join(dir, 'runs');
    const plugin = join(dir, 'plugin.mjs');
    await writeFile(
      plugin,
      `import { appendFileSync, readFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(runs)}, 'x');
if (readFileSync(${JSON.stringify(runs)}, 'utf8').length === 1) { console.error('first run fails'); process.exit(1); }
process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: 'from-plugin' } }));
`,
    );
    transports = new Transports(
      kubeConfigAs({
        name: 'plugin',
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: process.execPath,
          args: [plugin],
        },
      }),
      'http://127.0.0.1:9',
      { now: clock },
    );
    const failed = await transports.current().catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(CredentialsError);
    expect((failed as Error).message).toMatch(/\(exec plugin of user plugin\): first run fails/);
    expect((await transports.current()).headers.Authorization).toBe('Bearer from-plugin');
  });
});
