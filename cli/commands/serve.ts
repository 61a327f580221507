// `tagsmith serve`: the local SDXL backend behind an A1111-compatible HTTP API.
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, constants, fchmodSync, lstatSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, UserError, type Command } from '../command';
import { BackendServer } from '../../backend/http';
import { checkExecutionProvider, EXECUTION_PROVIDERS, ModelError, type ExecutionProvider } from '../../backend/model';
import { lazyRenderer } from '../../backend/renderer';
import { RNG_SOURCES, type RngSource } from '../../backend/rng/noise';

export const DEFAULT_PORT = 7861;

/** ~/.tagsmith/serve-token */
export function defaultTokenFile(): string {
  return resolve(homedir(), '.tagsmith', 'serve-token');
}

/**
 * A fresh random token in a file only this user can read. Never written through a symbolic link: a link (or
 * a folder, device, pipe) at the path is refused by name; the token goes into a new file created exclusively
 * without following links (mode 0600), which is then renamed over the path, so a link planted in between is
 * replaced, not followed. `privateDir` (the default ~/.tagsmith) makes the folder 0700 even when it existed.
 */
export function writeTokenFile(file: string, options: { privateDir?: boolean } = {}): string {
  const token = randomBytes(32).toString('base64url');
  const dir = dirname(file);
  const fail = (what: string, error: unknown) => new UserError(`cannot ${what}: ${(error as Error).message}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw fail(`create the token file's folder ${dir}`, error);
  }
  if (options.privateDir) {
    const stats = lstatSync(dir);
    if (stats.isSymbolicLink() || !stats.isDirectory()) throw new UserError(`${dir} is ${stats.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}; refusing to keep the token there (make it a folder, or pass --token-file)`);
    try {
      if ((stats.mode & 0o077) !== 0) chmodSync(dir, 0o700);
    } catch (error) {
      throw fail(`make ${dir} private (mode 0700)`, error);
    }
  }
  let existing;
  try {
    existing = lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw fail(`write the token file ${file}`, error);
  }
  if (existing?.isSymbolicLink()) throw new UserError(`token file ${file} is a symbolic link; refusing to write the token through it (remove the link or pass another --token-file)`);
  if (existing?.isDirectory()) throw new UsageError(`--token-file ${file} is a folder; give the path of a file`);
  if (existing && !existing.isFile()) throw new UsageError(`--token-file ${file} is not a regular file`);
  const temp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
    try {
      writeSync(fd, token + '\n');
      if (process.platform !== 'win32') fchmodSync(fd, 0o600); // whatever the umask
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // not created, or already renamed
    }
    throw fail(`write the token file ${file}`, error);
  }
  return token;
}

export const serve: Command = {
  name: 'serve',
  summary: 'Run the local SDXL backend (ONNX Runtime) behind an A1111-compatible HTTP API',
  help: `Usage: tagsmith serve --model DIR [--port N] [--ep cpu] [options]

Serves the SDXL model folder DIR (Hugging Face Optimum ONNX layout) with a subset of A1111's API:
POST /sdapi/v1/txt2img, GET /sdapi/v1/progress, POST /sdapi/v1/interrupt, GET /sdapi/v1/samplers,
GET /sdapi/v1/sd-models. Every request needs "Authorization: Bearer <token>"; the token is random, written
at start to a file only you can read, and its path is printed. Requests whose Host or Origin is not this
server are refused (403), bodies over 1 MB too (413). One render runs at a time; a few more may wait.

Options:
  --model DIR          the model folder (required)
  --port N             port (default ${DEFAULT_PORT}; 0 picks a free one)
  --host ADDR          address to bind (default 127.0.0.1; anything else exposes the API to your network)
  --ep cpu|cuda|dml|coreml|webgpu   execution provider (default cpu)
  --rng nv|cpu         A1111 noise source (default nv)
  --queue N            renders that may wait behind the running one (default 2)
  --token-file PATH    where to write the token (default ~/.tagsmith/serve-token)
`,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        model: { type: 'string' }, port: { type: 'string', default: String(DEFAULT_PORT) }, host: { type: 'string', default: '127.0.0.1' },
        ep: { type: 'string', default: 'cpu' }, rng: { type: 'string', default: 'nv' }, queue: { type: 'string', default: '2' },
        'token-file': { type: 'string' },
      },
    });
    if (!values.model) throw new UsageError('--model DIR is required');
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, not "${values.port}"`);
    const queue = Number(values.queue);
    if (!Number.isInteger(queue) || queue < 0 || queue > 100) throw new UsageError(`--queue must be 0-100, not "${values.queue}"`);
    const ep = values.ep as ExecutionProvider;
    if (!EXECUTION_PROVIDERS.includes(ep)) throw new UsageError(`--ep must be one of ${EXECUTION_PROVIDERS.join(', ')}`);
    const rng = values.rng as RngSource;
    if (!RNG_SOURCES.includes(rng)) throw new UsageError(`--rng must be nv or cpu, not "${values.rng}"`);
    try {
      checkExecutionProvider(ep);
    } catch (error) {
      if (error instanceof ModelError) throw new UserError(error.message);
      throw error;
    }
    const modelDir = resolve(io.cwd, values.model);
    const tokenFile = values['token-file'] !== undefined ? resolve(io.cwd, values['token-file']) : defaultTokenFile();
    const token = writeTokenFile(tokenFile, { privateDir: values['token-file'] === undefined });
    const log = (line: string) => io.stderr(`tagsmith serve: ${line}\n`);
    // The server stays up: a stray error is logged, never fatal.
    const onStray = (error: unknown) => log(`internal error: ${(error as Error)?.stack ?? String(error)}`);
    process.on('uncaughtException', onStray);
    process.on('unhandledRejection', onStray);

    const renderer = lazyRenderer(modelDir, { ep });
    const server = new BackendServer({ renderer, modelDir, token, host: values.host, port, maxQueue: queue, rng, log });
    let address;
    try {
      address = await server.listen();
    } catch (error) {
      await renderer.close();
      throw new UserError(`cannot listen on ${values.host}:${port}: ${(error as Error).message}`, 1);
    }
    const url = `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
    io.stdout(`tagsmith serve: ${url}\ntoken file: ${tokenFile}\n`);
    if (!['127.0.0.1', 'localhost', '::1'].includes(address.host)) log(`warning: bound to ${address.host}, reachable from other machines`);
    // Load now so problems show at once; a failure is also answered to each render until the folder is fixed.
    renderer().then(
      (r) => log(`model ${r.model?.name ?? modelDir} loaded (${r.model?.unetType ?? '?'}, ${ep})`),
      (error: Error) => log(`cannot load the model: ${error.message}`),
    );
    await new Promise<void>((resolveStop) => {
      const stop = () => resolveStop();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    log('shutting down');
    // The running render is cancelled and stops between steps; one step that does not end in time (a real
    // model on a slow machine) must not keep the process: it exits anyway.
    const deadline = setTimeout(() => {
      log('the render did not stop within 2 s; exiting anyway');
      process.exit(0);
    }, 1900);
    await server.close();
    await renderer.close();
    clearTimeout(deadline);
    process.off('uncaughtException', onStray);
    process.off('unhandledRejection', onStray);
    return 0;
  },
};
