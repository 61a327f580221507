// The builtin backend manager with the real `tagsmith serve` and the tiny model: lazy start on a free port
// with a fresh token, a render through the A1111 client, restart after the process dies, a clean stop (no
// process left), and an invalid model folder whose message reaches the user as the backend wrote it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { A1111Client, PreviewError } from '../../client/preview/api';
import { BuiltinBackend } from '../../client/preview/builtin';
import { cliBundle, makeTinyModel } from '../backend/fixtures';

const BODY = { prompt: '1boy', negative_prompt: '', steps: 3, cfg_scale: 5, width: 64, height: 64, seed: 9, sampler_name: 'Euler a', batch_size: 1, save_images: false, send_images: true } as const;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const backends: BuiltinBackend[] = [];
afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.stop()));
});

describe('builtin backend', () => {
  it('starts once, renders, restarts after it dies, and leaves no process when stopped', async () => {
    const log: string[] = [];
    const backend = new BuiltinBackend({ cliPath: await cliBundle(), modelPath: makeTinyModel({ vocab: 'fixture' }), executionProvider: 'cpu', log: (l) => log.push(l) });
    backends.push(backend);
    expect(backend.running).toBe(false); // nothing before the first render
    const first = await backend.ensure();
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(first.url).not.toBe('http://127.0.0.1:7861'); // a free port, not the default
    expect(first.token.length).toBeGreaterThanOrEqual(40);
    expect(await backend.ensure()).toBe(first); // once per window

    const result = await new A1111Client(first.url, { kind: 'bearer', token: first.token }).render(BODY);
    expect(Buffer.from(result.png.subarray(1, 4)).toString()).toBe('PNG');
    expect(result.seed).toBe(9);
    expect(result.infotext).toContain('Seed: 9');
    expect(await new A1111Client(first.url).samplers().catch((e: PreviewError) => e.kind)).toBe('auth');

    process.kill(first.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    expect(backend.running).toBe(false);
    const second = await backend.ensure();
    expect(second.pid).not.toBe(first.pid);
    expect(second.token).not.toBe(first.token); // a fresh token each start
    expect((await new A1111Client(second.url, { kind: 'bearer', token: second.token }).render(BODY)).seed).toBe(9);

    await backend.stop();
    expect(alive(second.pid)).toBe(false);
    expect(log.join('\n')).toContain('shutting down');
  }, 120_000);

  it("an invalid model folder: the backend's own message", async () => {
    const empty = mkdtempSync(join(tmpdir(), 'tagsmith-not-a-model-'));
    const backend = new BuiltinBackend({ cliPath: await cliBundle(), modelPath: empty, executionProvider: 'cpu', log: () => undefined });
    backends.push(backend);
    const { url, token } = await backend.ensure();
    const error = await new A1111Client(url, { kind: 'bearer', token }).render(BODY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreviewError);
    expect((error as PreviewError).kind).toBe('server');
    expect((error as PreviewError).message).toContain(empty);
    expect((error as PreviewError).message).toMatch(/model_index\.json/);
  }, 120_000);

  it('an execution provider that is not installed stops the start with the reason', async () => {
    const backend = new BuiltinBackend({ cliPath: await cliBundle(), modelPath: makeTinyModel({ vocab: 'fixture' }), executionProvider: 'coreml', log: () => undefined });
    backends.push(backend);
    const error = (await backend.ensure().catch((e: unknown) => e)) as PreviewError;
    expect(error).toBeInstanceOf(PreviewError);
    expect(error.message).toMatch(/^The builtin backend stopped: .*coreml/i);
    expect(backend.running).toBe(false);
  }, 120_000);
});

describe('builtin backend when the extension host dies', () => {
  it('the server stops by itself once its parent process is killed (no orphan)', async () => {
    // A stand-in extension host: a Node process that starts the backend with BuiltinBackend, prints its pid, waits.
    const { build } = await import('esbuild');
    const { execPath } = process;
    const dir = mkdtempSync(join(tmpdir(), 'tagsmith-host-'));
    const host = join(dir, 'host.js');
    await build({
      stdin: {
        contents: `import { BuiltinBackend } from ${JSON.stringify(join(__dirname, '../../client/preview/builtin'))};
          new BuiltinBackend({ cliPath: process.argv[2], modelPath: process.argv[3], executionProvider: 'cpu', log: () => {} })
            .ensure().then((b) => console.log('PID ' + b.pid), (e) => { console.error(e.message); process.exit(1); });
          setInterval(() => {}, 1000);`,
        resolveDir: dir, loader: 'ts',
      },
      bundle: true, platform: 'node', format: 'cjs', outfile: host, logLevel: 'silent',
    });
    const { spawn } = await import('node:child_process');
    const parent = spawn(execPath, [host, await cliBundle(), makeTinyModel({ vocab: 'fixture' })], { stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = await new Promise<number>((resolve, reject) => {
      let out = '';
      parent.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /PID (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      parent.on('exit', (code) => reject(new Error(`host exited ${code}`)));
    });
    expect(alive(pid)).toBe(true);
    parent.kill('SIGKILL');
    const deadline = Date.now() + 10_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(alive(pid)).toBe(false);
  }, 120_000);
});

describe('builtin backend from the universal VSIX (no onnxruntime-node)', () => {
  it('says to install the platform VSIX or use url mode', async () => {
    // dist/cli.js and worker.js copied where no node_modules is above them, as in the universal VSIX.
    const { copyFileSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'tagsmith-universal-'));
    const cli = await cliBundle();
    copyFileSync(cli, join(dir, 'cli.js'));
    copyFileSync(join(cli, '..', 'worker.js'), join(dir, 'worker.js'));
    const backend = new BuiltinBackend({ cliPath: join(dir, 'cli.js'), modelPath: makeTinyModel({ vocab: 'fixture' }), executionProvider: 'cpu', log: () => undefined });
    backends.push(backend);
    const error = (await backend.ensure().catch((e: unknown) => e)) as PreviewError;
    expect(error).toBeInstanceOf(PreviewError);
    expect(error.message).toContain('no ONNX Runtime');
    expect(error.message).toContain(`@${process.platform}-${process.arch}.vsix`);
    expect(error.message).toContain('"tagsmith.backend" to "url"');
  }, 120_000);
});
