// The environment for the programs the e2e harness and `npm start` spawn (npm, code-server), without
// what an outer `npm run` put there for itself. npm reads every `npm_config_*` variable as its own
// configuration, so a nested npm started under another Node would otherwise announce the outer one
// (`npm_config_user_agent` names Node 20, and code-server's postinstall refuses to install).

// npm settings a user sets on purpose to reach their registry (shell variables or `npm run --x=…`):
// these are kept. Everything else that npm puts there for a script is dropped; a nested npm still
// reads the user's and the global npmrc files itself.
const KEPT_NPM_CONFIG = new Set([
  'registry', 'proxy', 'https_proxy', 'http_proxy', 'noproxy', 'no_proxy', 'cafile', 'ca', 'cert', 'key',
  'strict_ssl', 'cache', 'offline', 'prefer_offline', 'prefer_online', 'fetch_retries', 'fetch_timeout',
  'maxsockets', 'userconfig', 'globalconfig',
]);

const NPM_SCRIPT_VARIABLE = /^npm_(package|lifecycle)_|^npm_(command|execpath|node_execpath)$|^init_cwd$/i;

/** `env` without the outer npm's script variables and its non-network configuration, plus `extra`. */
export function childEnv(extra = {}, env = process.env) {
  const result = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const config = /^npm_config_(.+)$/i.exec(name);
    if (config) {
      const key = config[1].toLowerCase();
      // Scoped registries (`@scope:registry`) and per-host auth are the user's on purpose too.
      if (!KEPT_NPM_CONFIG.has(key) && !key.endsWith(':registry') && !key.startsWith('//')) continue;
    } else if (NPM_SCRIPT_VARIABLE.test(name)) {
      continue;
    }
    result[name] = value;
  }
  return { ...result, ...extra };
}
