import { describe, expect, it } from 'vitest';
import { sessionRedisPasswordEnv, toolhiveDefaultEnv } from '../src/index.js';

describe('sessionRedisPasswordEnv', () => {
  it('references the Redis password Secret key, never a value', () => {
    expect(
      sessionRedisPasswordEnv({ provider: 'redis', passwordRef: { name: 'redis', key: 'password' } }),
    ).toEqual([
      { name: 'THV_SESSION_REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis', key: 'password' } } },
    ]);
  });

  it('is empty without Redis or without a password', () => {
    expect(sessionRedisPasswordEnv(undefined)).toEqual([]);
    expect(sessionRedisPasswordEnv({ provider: 'redis' })).toEqual([]);
    expect(
      sessionRedisPasswordEnv({ provider: 'memory', passwordRef: { name: 'redis', key: 'password' } }),
    ).toEqual([]);
  });
});

describe('toolhiveDefaultEnv', () => {
  it('appends each default the env does not set, in ToolHive’s order', () => {
    expect(toolhiveDefaultEnv([])).toEqual([
      { name: 'XDG_CONFIG_HOME', value: '/tmp' },
      { name: 'HOME', value: '/tmp' },
      { name: 'TOOLHIVE_RUNTIME', value: 'kubernetes' },
      { name: 'UNSTRUCTURED_LOGS', value: 'false' },
    ]);
    expect(toolhiveDefaultEnv([{ name: 'HOME' }, { name: 'UNSTRUCTURED_LOGS' }])).toEqual([
      { name: 'XDG_CONFIG_HOME', value: '/tmp' },
      { name: 'TOOLHIVE_RUNTIME', value: 'kubernetes' },
    ]);
  });

  it('adds the environment secrets provider when a TOOLHIVE_SECRET_* variable is set, even over another', () => {
    const all = [
      { name: 'XDG_CONFIG_HOME' },
      { name: 'HOME' },
      { name: 'TOOLHIVE_RUNTIME' },
      { name: 'UNSTRUCTURED_LOGS' },
    ];
    expect(toolhiveDefaultEnv([...all, { name: 'TOOLHIVE_SECRET_token' }])).toEqual([
      { name: 'TOOLHIVE_SECRETS_PROVIDER', value: 'environment' },
    ]);
    expect(
      toolhiveDefaultEnv([...all, { name: 'TOOLHIVE_SECRETS_PROVIDER' }, { name: 'TOOLHIVE_SECRET_token' }]),
    ).toEqual([{ name: 'TOOLHIVE_SECRETS_PROVIDER', value: 'environment' }]);
    expect(toolhiveDefaultEnv([...all, { name: 'TOOLHIVE_SECRETS_PROVIDER' }, { name: 'SECRET_X' }])).toEqual(
      [],
    );
  });
});
