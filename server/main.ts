// Entry of `tagsmith-server` (dist/server.js): the language server over stdio, Node IPC or a socket, as
// vscode-languageserver's createConnection() reads them from the command line.

import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

const USAGE = `Usage: tagsmith-server --stdio | --node-ipc | --socket=PORT

The Tagsmith language server for .sdprompt files (Stable Diffusion prompts).
Editors start it; for Neovim, Helix, Emacs or Sublime use --stdio.`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(`${USAGE}\n`);
} else if (args.includes('--version')) {
  process.stdout.write(`${TAGSMITH_VERSION}\n`);
} else if (!args.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket') || a.startsWith('--pipe'))) {
  process.stderr.write(`tagsmith-server: say how to talk to the editor\n\n${USAGE}\n`);
  process.exitCode = 2;
} else {
  const connection = createConnection(ProposedFeatures.all);
  // Last resort: a bug in a timer must not take the editor's language features down.
  process.on('uncaughtException', (error) => connection.console.error(`Uncaught: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (reason) => connection.console.error(`Unhandled rejection: ${String(reason)}`));
  startServer(connection);
}
