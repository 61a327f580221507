// `npm start`: the quickest way to try Tagsmith. Builds and packages the extension if needed, installs
// code-server (a real VS Code in the browser) into ~/.cache/tagsmith-e2e once, installs the VSIX into it,
// opens examples/ and prints the local URL. Ctrl+C stops everything.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { packageIfNeeded, root } from './e2e/artifacts.mjs';
import { cacheDir, ensureCodeServer, freePort, installVsix, startCodeServer } from './e2e/codeServer.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    folder: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(`npm start [-- --port N] [-- --folder PATH]

Starts VS Code in the browser (code-server) with the Tagsmith extension installed and examples/ open,
and prints the URL to open. Its settings and extensions live in ${path.join(cacheDir, 'start')}.
Stop it with Ctrl+C.`);
  process.exit(0);
}

const folder = path.resolve(values.folder ?? path.join(root, 'examples'));
if (!existsSync(folder)) {
  console.error(`The folder to open does not exist: ${folder}`);
  process.exit(2);
}

const vsix = packageIfNeeded();
ensureCodeServer();
const stateDir = path.join(cacheDir, 'start');
const extensionsDir = path.join(stateDir, 'extensions');
mkdirSync(stateDir, { recursive: true });
console.log(`Installing ${path.basename(vsix)} into code-server …`);
installVsix(vsix, extensionsDir, { stateDir });

const port = values.port ? Number(values.port) : await freePort();
const server = await startCodeServer({ port, stateDir, extensionsDir, smokeTestDriver: false, folder });
const url = `${server.url}/?folder=${encodeURIComponent(folder)}`;
console.log(`\nTagsmith is running in VS Code at:\n\n    ${url}\n\nOpen it in your browser. Press Ctrl+C to stop.`);

let stopping = false;
const stop = async (signal) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping code-server …`);
  await server.stop();
  console.log('Stopped.');
  process.exit(0);
};
void server.exited.then((code) => {
  if (stopping) return;
  console.error(`code-server stopped by itself (exit code ${code}):\n${server.output().slice(-2000)}`);
  process.exit(1);
});
process.on('SIGINT', () => void stop('Ctrl+C'));
process.on('SIGTERM', () => void stop('SIGTERM'));
