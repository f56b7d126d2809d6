import { describe, expect, it } from 'vitest';
import { defaultCacheDir, findBinaries } from '../src/binaries.js';

const all = () => true;
const none = () => false;

describe('findBinaries', () => {
  it('prefers KUBEBUILDER_ASSETS over everything else', () => {
    const env = {
      KUBEBUILDER_ASSETS: '/opt/envtest',
      TEST_ASSET_ETCD: '/x/etcd',
      MCP_CONTROL_PLANE_CACHE: '/c',
    };
    expect(findBinaries(env, all)).toEqual({
      kubeApiServer: '/opt/envtest/kube-apiserver',
      etcd: '/opt/envtest/etcd',
      source: 'KUBEBUILDER_ASSETS',
    });
  });

  it('fails loudly when KUBEBUILDER_ASSETS points at a folder without the binaries', () => {
    expect(() => findBinaries({ KUBEBUILDER_ASSETS: '/nope' }, none)).toThrow(/KUBEBUILDER_ASSETS=\/nope/);
  });

  it('uses TEST_ASSET_* only as a complete pair', () => {
    expect(
      findBinaries({ TEST_ASSET_KUBE_APISERVER: '/a/kube-apiserver', TEST_ASSET_ETCD: '/b/etcd' }, all),
    ).toEqual({
      kubeApiServer: '/a/kube-apiserver',
      etcd: '/b/etcd',
      source: 'TEST_ASSET_*',
    });
    expect(() => findBinaries({ TEST_ASSET_ETCD: '/b/etcd' }, all)).toThrow(/TEST_ASSET_KUBE_APISERVER/);
  });

  it('falls back to the cache, and to nothing when the cache is empty', () => {
    const env = { MCP_CONTROL_PLANE_CACHE: '/cache/v1.20.2' };
    expect(findBinaries(env, all)?.source).toBe('cache');
    expect(findBinaries(env, (p) => p.startsWith('/elsewhere'))).toBeUndefined();
  });

  it('puts the cache under XDG_CACHE_HOME by default', () => {
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/xdg' })).toBe('/xdg/mcp-controllers/control-plane/v1.20.2');
  });
});
