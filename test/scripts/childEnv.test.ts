// The environment the e2e harness and `npm start` hand to npm and code-server: an outer `npm run`'s own
// variables are dropped (a nested npm would take them as its configuration), the user's network settings stay.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { childEnv } from '../../scripts/e2e/childEnv.mjs';

const outer = {
  PATH: '/usr/bin',
  HOME: '/home/u',
  npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false',
  npm_config_node_gyp: '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
  npm_config_nodedir: '/usr',
  npm_config_onnxruntime_node_install: 'skip',
  npm_config_local_prefix: '/work/main',
  npm_package_name: 'tagsmith',
  npm_package_json: '/work/main/package.json',
  npm_lifecycle_event: 'test:e2e',
  npm_lifecycle_script: 'node scripts/e2e/run.mjs',
  npm_command: 'run-script',
  npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js',
  npm_node_execpath: '/usr/bin/node',
  INIT_CWD: '/work/main',
  npm_config_registry: 'https://registry.example/',
  'npm_config_@corp:registry': 'https://corp.example/',
  NPM_CONFIG_HTTPS_PROXY: 'http://proxy:3128',
  npm_config_cafile: '/etc/ssl/certs/ca-certificates.crt',
};

describe('childEnv', () => {
  it("drops the outer npm's script variables and configuration", () => {
    const env = childEnv({}, outer);
    for (const name of [
      'npm_config_user_agent', 'npm_config_node_gyp', 'npm_config_nodedir', 'npm_config_onnxruntime_node_install',
      'npm_config_local_prefix', 'npm_package_name', 'npm_package_json', 'npm_lifecycle_event',
      'npm_lifecycle_script', 'npm_command', 'npm_execpath', 'npm_node_execpath', 'INIT_CWD',
    ]) {
      expect(env, name).not.toHaveProperty([name]);
    }
  });

  it('keeps the registry, scoped registries, proxies and CA files, and everything that is not npm', () => {
    expect(childEnv({}, outer)).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/u',
      npm_config_registry: 'https://registry.example/',
      'npm_config_@corp:registry': 'https://corp.example/',
      NPM_CONFIG_HTTPS_PROXY: 'http://proxy:3128',
      npm_config_cafile: '/etc/ssl/certs/ca-certificates.crt',
    });
  });

  it('adds the extra variables last, so they win', () => {
    const env = childEnv({ npm_config_nodedir: '/cache/node', PATH: '/cache/node/bin:/usr/bin' }, outer);
    expect(env.npm_config_nodedir).toBe('/cache/node');
    expect(env.PATH).toBe('/cache/node/bin:/usr/bin');
  });
});
