// Starts the built `dist/server.js --stdio` as a child process and speaks LSP to it with
// vscode-languageserver-protocol's client connection: what the protocol tests and the benchmark use.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ClientCapabilities,
  type Diagnostic,
  type InitializeResult,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';

/** The repository root: the nearest folder above this file with a package.json (also when bundled into dist/). */
export const repoRoot = ((): string => {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
})();
export const serverPath = path.join(repoRoot, 'dist/server.js');

/** Builds dist/server.js when it is missing or older than a source it bundles. */
export function ensureServerBuilt(): void {
  const newest = (dir: string): number => {
    let latest = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
    }
    return latest;
  };
  const sources = Math.max(newest(path.join(repoRoot, 'server')), newest(path.join(repoRoot, 'core')));
  if (existsSync(serverPath) && statSync(serverPath).mtimeMs >= sources) return;
  // One build at a time: mkdir is atomic.
  const lock = path.join(repoRoot, 'dist/.server-build-lock');
  mkdirSync(path.dirname(lock), { recursive: true });
  for (let waited = 0; ; waited += 100) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waited > 60_000) rmSync(lock, { recursive: true, force: true });
      execFileSync('sleep', ['0.1']);
    }
  }
  try {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'pipe' });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface StartOptions {
  /** The `tagsmith` settings section the client answers workspace/configuration with. */
  settings?: Record<string, unknown>;
  capabilities?: ClientCapabilities;
  initializationOptions?: unknown;
  workspaceFolder?: string;
}

export interface LspClient {
  connection: ProtocolConnection;
  child: ChildProcess;
  logs: string[];
  /** The latest published diagnostics per URI. */
  diagnostics: Map<string, Diagnostic[]>;
  settings: Record<string, unknown>;
  /** What the server answered to initialize. */
  initializeResult: InitializeResult;
  /** Resolves with the next publishDiagnostics for `uri` (optionally one that satisfies `accept`). */
  nextDiagnostics(uri: string, accept?: (d: Diagnostic[]) => boolean): Promise<Diagnostic[]>;
  /** Resolves when a log line matching `pattern` arrives (or has arrived). */
  waitForLog(pattern: RegExp): Promise<string>;
  open(uri: string, text: string, version?: number): void;
  stop(): Promise<void>;
}

export const pushCapabilities: ClientCapabilities = {
  workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
  textDocument: {
    publishDiagnostics: { relatedInformation: true },
    completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
    hover: { contentFormat: ['markdown', 'plaintext'] },
  },
};

export const pullCapabilities: ClientCapabilities = {
  ...pushCapabilities,
  workspace: { ...pushCapabilities.workspace, diagnostics: { refreshSupport: true } },
  textDocument: { ...pushCapabilities.textDocument, diagnostic: { dynamicRegistration: false } },
};

export function fileUri(file: string): string {
  return pathToFileURL(file).toString();
}

export async function startClient(options: StartOptions = {}): Promise<LspClient> {
  ensureServerBuilt();
  const child = spawn(process.execPath, [serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const logs: string[] = [];
  const diagnostics = new Map<string, Diagnostic[]>();
  const diagnosticWaiters: Array<{ uri: string; accept: (d: Diagnostic[]) => boolean; resolve: (d: Diagnostic[]) => void }> = [];
  const logWaiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const client: LspClient = {
    connection,
    child,
    logs,
    diagnostics,
    settings: options.settings ?? {},
    initializeResult: { capabilities: {} }, // replaced once the server answers initialize
    nextDiagnostics(uri, accept = () => true) {
      return new Promise((resolve) => diagnosticWaiters.push({ uri, accept, resolve }));
    },
    waitForLog(pattern) {
      const seen = logs.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => logWaiters.push({ pattern, resolve }));
    },
    open(uri, text, version = 1) {
      void connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sdprompt', version, text } });
    },
    async stop() {
      try {
        await Promise.race([connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
        void connection.sendNotification('exit');
      } catch {
        // already gone
      }
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => {
          child.kill();
          resolve();
        }, 2000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      connection.dispose();
    },
  };
  connection.onNotification('textDocument/publishDiagnostics', (params: { uri: string; diagnostics: Diagnostic[] }) => {
    diagnostics.set(params.uri, params.diagnostics);
    for (let i = diagnosticWaiters.length - 1; i >= 0; i--) {
      const w = diagnosticWaiters[i]!;
      if (w.uri === params.uri && w.accept(params.diagnostics)) {
        diagnosticWaiters.splice(i, 1);
        w.resolve(params.diagnostics);
      }
    }
  });
  connection.onNotification('window/logMessage', (params: { message: string }) => {
    logs.push(params.message);
    for (let i = logWaiters.length - 1; i >= 0; i--) {
      if (logWaiters[i]!.pattern.test(params.message)) logWaiters.splice(i, 1)[0]!.resolve(params.message);
    }
  });
  connection.onRequest('workspace/configuration', (params: { items: Array<{ section?: string }> }) =>
    params.items.map((item) => (item.section === 'tagsmith' ? client.settings : null)),
  );
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('workspace/diagnostic/refresh', () => null);
  connection.listen();
  const folder = options.workspaceFolder;
  const initializeResult = await connection.sendRequest<InitializeResult>('initialize', {
    processId: process.pid,
    rootUri: folder ? fileUri(folder) : null,
    workspaceFolders: folder ? [{ uri: fileUri(folder), name: path.basename(folder) }] : null,
    capabilities: options.capabilities ?? pushCapabilities,
    initializationOptions: options.initializationOptions,
  });
  client.initializeResult = initializeResult;
  await connection.sendNotification('initialized', {});
  return client;
}
