// `tagsmith serve` as a user runs it: a separate process, the token file, a request, a clean stop.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
});
