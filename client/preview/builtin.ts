// The builtin backend: `tagsmith serve` (dist/cli.js) as a child process on 127.0.0.1 and a free port, with a
// fresh token in a private temporary folder. Started on first use, restarted on the next use after it died,
// stopped (SIGTERM, then SIGKILL) on dispose. Node only, no `vscode`: the log goes to a callback.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PreviewError } from './api';

/** Preloaded into the server: checks every second that its parent process still exists. */
const PARENT_WATCH =
  "const parent = process.ppid; setInterval(() => { try { process.kill(parent, 0); } catch { process.kill(process.pid, 'SIGTERM'); } }, 1000).unref();";

export interface BuiltinOptions {
  /** dist/cli.js of the extension. */
  cliPath: string;
  modelPath: string;
  executionProvider: string;
  /** The Node binary; in desktop VS Code, Electron's, run as Node. */
  nodePath?: string;
  log: (line: string) => void;
  /** How long `serve` may take to print its URL. */
  startTimeoutMs?: number;
}

export interface RunningBackend {
  url: string;
  token: string;
  pid: number;
}

export class BuiltinBackend {
  private child: ChildProcess | undefined;
  private starting: Promise<RunningBackend> | undefined;
  private tokenDir: string | undefined;
  private key = '';

  constructor(private options: BuiltinOptions) {}

  /** Whether a server process is alive now. */
  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The running backend, started (or restarted with new settings) when needed. */
  async ensure(options: BuiltinOptions = this.options): Promise<RunningBackend> {
    const key = `${options.modelPath}\u0000${options.executionProvider}`;
    if (key !== this.key && (this.child || this.starting)) await this.stop();
    this.options = options;
    this.key = key;
    if (!this.starting) {
      this.starting = this.start();
      this.starting.catch(() => (this.starting = undefined));
    }
    return this.starting;
  }

  private start(): Promise<RunningBackend> {
    const { cliPath, modelPath, executionProvider, log } = this.options;
    this.tokenDir = mkdtempSync(join(tmpdir(), 'tagsmith-preview-'));
    const tokenFile = join(this.tokenDir, 'token');
    // The server stops itself (SIGTERM, its clean shutdown) when this process is gone, however it went:
    // a crashed or killed extension host must not leave a backend holding the model in memory.
    const args = ['--import', `data:text/javascript,${encodeURIComponent(PARENT_WATCH)}`, cliPath, 'serve', '--model', modelPath, '--port', '0', '--ep', executionProvider, '--token-file', tokenFile, '--queue', '1'];
    log(`starting: tagsmith ${args.slice(3).join(' ')}`);
    const child = spawn(this.options.nodePath ?? process.execPath, args, {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    this.child = child;
    let stderrTail = '';
    return new Promise<RunningBackend>((resolve, reject) => {
      let stdout = '';
      let settled = false;
      const fail = (message: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new PreviewError('unreachable', message));
        if (this.running) child.kill('SIGKILL');
      };
      const timer = setTimeout(() => fail(`The builtin backend did not start within ${(this.options.startTimeoutMs ?? 30_000) / 1000} s. See the "Tagsmith Preview" output.`), this.options.startTimeoutMs ?? 30_000);
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        for (const line of chunk.split('\n')) if (line.trim()) log(line.replace(/^tagsmith serve: /, 'serve: '));
        const url = /tagsmith serve: (http:\/\/\S+)/.exec(stdout)?.[1];
        const file = /token file: (.+)\n/.exec(stdout)?.[1];
        if (url && file && !settled) {
          settled = true;
          clearTimeout(timer);
          try {
            resolve({ url, token: readFileSync(file, 'utf8').trim(), pid: child.pid ?? 0 });
          } catch (error) {
            reject(new PreviewError('unreachable', `The builtin backend's token file cannot be read: ${(error as Error).message}`));
          }
        }
      });
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        stderrTail = (stderrTail + chunk).slice(-2000);
        for (const line of chunk.split('\n')) if (line.trim()) log(line);
      });
      child.on('error', (error) => fail(`The builtin backend could not be started: ${error.message}`));
      child.on('exit', (code, signal) => {
        log(`exited (${signal ?? `code ${code}`})`);
        if (this.child === child) {
          // Forget it: the next render starts a new one.
          this.child = undefined;
          this.starting = undefined;
          this.removeTokenDir();
        }
        if (/Cannot find module 'onnxruntime-node'/.test(stderrTail)) {
          return fail(`This installation of Tagsmith has no ONNX Runtime (the universal VSIX carries no native code): install the VSIX for your platform (tagsmith-<version>@${process.platform}-${process.arch}.vsix), or set "tagsmith.backend" to "url" and use a running A1111-compatible server.`);
        }
        const why = stderrTail.trim().split('\n').filter((l) => !/^\s+at /.test(l)).slice(-3).join(' ').replace(/^tagsmith( serve)?: /, '');
        fail(why ? `The builtin backend stopped: ${why}` : `The builtin backend stopped (${signal ?? `exit code ${code}`}).`);
      });
    });
  }

  /** Stops the server: SIGTERM, then SIGKILL if it is still there after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.starting = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    this.removeTokenDir();
  }

  private removeTokenDir(): void {
    if (this.tokenDir) rmSync(this.tokenDir, { recursive: true, force: true });
    this.tokenDir = undefined;
  }
}
