// `tagsmith serve` as a user runs it: a separate process, the token file, a request, a clean stop.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTokenFile } from '../../cli/commands/serve';
import { cliBundle, makeTinyModel } from './fixtures';

describe('tagsmith serve', () => {
  it('prints its URL and token file (mode 0600), answers with the token, and stops on SIGTERM', async () => {
    const tokenFile = join(mkdtempSync(join(tmpdir(), 'tagsmith-serve-')), 'token');
    const child = spawn(process.execPath, [await cliBundle(), 'serve', '--model', makeTinyModel(), '--port', '0', '--token-file', tokenFile]);
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /tagsmith serve: (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m && out.includes('token file:')) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
    });
    try {
      expect(out).toContain(`token file: ${tokenFile}`);
      if (process.platform !== 'win32') expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
      const token = readFileSync(tokenFile, 'utf8').trim();
      expect(token.length).toBeGreaterThanOrEqual(40);
      expect((await fetch(`${url}/sdapi/v1/samplers`)).status).toBe(401);
      const r = await fetch(`${url}/sdapi/v1/txt2img`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ prompt: '1boy', steps: 2, width: 64, height: 64, seed: 3 }) });
      expect(r.status).toBe(200);
      expect(((await r.json()) as { images: string[] }).images).toHaveLength(1);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    expect(err).toContain('shutting down');
  });

  it('exits within 2 s on SIGTERM during a long render, cancelling it', async () => {
    const tokenFile = join(mkdtempSync(join(tmpdir(), 'tagsmith-serve-')), 'token');
    const child = spawn(process.execPath, [await cliBundle(), 'serve', '--model', makeTinyModel(), '--port', '0', '--token-file', tokenFile]);
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /tagsmith serve: (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m && out.includes('token file:')) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
    });
    const auth = { authorization: `Bearer ${readFileSync(tokenFile, 'utf8').trim()}` };
    // 150 steps at 2048x2048: many seconds on the tiny model.
    const render = fetch(`${url}/sdapi/v1/txt2img`, { method: 'POST', headers: auth, body: JSON.stringify({ prompt: '1boy', steps: 150, width: 2048, height: 2048, seed: 3 }) }).then(
      (r) => r.status,
      () => 'disconnected',
    );
    for (let i = 0; ; i++) {
      const p = (await (await fetch(`${url}/sdapi/v1/progress`, { headers: auth })).json()) as { state: { sampling_step: number } };
      if (p.state.sampling_step >= 1) break;
      if (i > 600) throw new Error('the render never started');
      await new Promise((r) => setTimeout(r, 50));
    }
    const started = Date.now();
    child.kill('SIGTERM');
    const timeout = new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 5000));
    const code = await Promise.race([exited, timeout]);
    const took = Date.now() - started;
    if (code === 'still running') child.kill('SIGKILL');
    expect(code).toBe(0);
    expect(took).toBeLessThan(2000);
    expect(await render).not.toBe(200);
    expect(err).toContain('shutting down');
    expect(err).toContain('render cancelled');
  });

  describe('token file', () => {
    const posix = process.platform !== 'win32';
    const temp = () => mkdtempSync(join(tmpdir(), 'tagsmith-token-'));

    it.runIf(posix)('refuses a symbolic link at the path, leaving its target alone; a dangling one creates nothing', () => {
      const dir = temp();
      const target = join(dir, 'precious');
      writeFileSync(target, 'keep me\n', { mode: 0o644 });
      symlinkSync(target, join(dir, 'token'));
      expect(() => writeTokenFile(join(dir, 'token'))).toThrow(`token file ${join(dir, 'token')} is a symbolic link; refusing to write the token through it`);
      expect(readFileSync(target, 'utf8')).toBe('keep me\n');
      expect(statSync(target).mode & 0o777).toBe(0o644);
      symlinkSync(join(dir, 'made-by-link'), join(dir, 'dangling'));
      expect(() => writeTokenFile(join(dir, 'dangling'))).toThrow('is a symbolic link');
      expect(existsSync(join(dir, 'made-by-link'))).toBe(false);
    });

    it.runIf(posix)('replaces a regular file with a fresh 0600 one, and makes an existing private folder 0700', () => {
      const dir = join(temp(), '.tagsmith');
      mkdirSync(dir, { mode: 0o755 });
      chmodSync(dir, 0o755);
      writeFileSync(join(dir, 'serve-token'), 'old\n', { mode: 0o644 });
      const token = writeTokenFile(join(dir, 'serve-token'), { privateDir: true });
      expect(readFileSync(join(dir, 'serve-token'), 'utf8')).toBe(token + '\n');
      expect(lstatSync(join(dir, 'serve-token')).mode & 0o777).toBe(0o600);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      // A linked private folder is refused rather than chmod-ed through the link.
      const linked = join(temp(), '.tagsmith');
      symlinkSync(dir, linked);
      expect(() => writeTokenFile(join(linked, 'serve-token'), { privateDir: true })).toThrow(`${linked} is a symbolic link; refusing to keep the token there`);
    });

    it.runIf(posix)('the CLI: a folder is a usage error (exit 2) and a link a clear refusal (exit 2), both naming the path', async () => {
      const cli = await cliBundle();
      const dir = temp();
      const folder = spawnSync(process.execPath, [cli, 'serve', '--model', dir, '--port', '0', '--token-file', dir], { encoding: 'utf8', timeout: 20_000 });
      expect(folder.stderr).toContain(`tagsmith serve: --token-file ${dir} is a folder; give the path of a file`);
      expect(folder.stderr).not.toContain('internal error');
      expect(folder.status).toBe(2);
      symlinkSync(join(dir, 'elsewhere'), join(dir, 'link'));
      const link = spawnSync(process.execPath, [cli, 'serve', '--model', dir, '--port', '0', '--token-file', join(dir, 'link')], { encoding: 'utf8', timeout: 20_000 });
      expect(link.stderr).toContain(`token file ${join(dir, 'link')} is a symbolic link`);
      expect(link.status).toBe(2);
      expect(existsSync(join(dir, 'elsewhere'))).toBe(false);
    });
  });
});
