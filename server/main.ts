// Entry of `tagsmith-server` (dist/server.js): the language server over stdio, Node IPC or a socket, as
// vscode-languageserver's createConnection() reads them from the command line.

import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { format } from 'node:util';
import { LspFrameFilter } from './framing';
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
  // Over stdio the input first passes the framing guard (./framing.ts), so one bad header is logged and
  // skipped instead of leaving the server deaf. Given streams, vscode-languageserver no longer routes the
  // console away from stdout, so console output goes to stderr here (stdout carries the protocol).
  const stdio = args.includes('--stdio');
  const connection = stdio
    ? createConnection(ProposedFeatures.all, process.stdin.pipe(new LspFrameFilter((line) => process.stderr.write(`${line}\n`))), process.stdout)
    : createConnection(ProposedFeatures.all);
  if (stdio) {
    const toStderr = (...parts: unknown[]) => void process.stderr.write(`${format(...parts)}\n`);
    Object.assign(console, { log: toStderr, info: toStderr, debug: toStderr, warn: toStderr, error: toStderr, trace: toStderr, dir: toStderr });
  }
  // Last resort: a bug in a timer must not take the editor's language features down.
  process.on('uncaughtException', (error) => connection.console.error(`Uncaught: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (reason) => connection.console.error(`Unhandled rejection: ${String(reason)}`));
  startServer(connection);
}
