// The version users see comes from package.json, written in at build time: the CLI, the server's
// --version and the serverInfo it sends in answer to initialize.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startClient } from '../server/lspClient';

const ROOT = resolve(__dirname, '../..');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

describe('the version', () => {
  it('package.json has one', () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('tagsmith --version prints it, whatever TAGSMITH_VERSION says', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), '--version'], {
      encoding: 'utf8',
      env: { ...process.env, TAGSMITH_VERSION: '9.9.9' },
    });
    expect(r.stdout).toBe(`${version}\n`);
    expect(r.status).toBe(0);
  });

  it('tagsmith-server --version prints it', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/server.js'), '--version'], { encoding: 'utf8' });
    expect(r.stdout).toBe(`${version}\n`);
  });

  it('the server reports it in serverInfo', async () => {
    const client = await startClient();
    try {
      expect(client.initializeResult.serverInfo).toEqual({ name: 'tagsmith-server', version });
    } finally {
      await client.stop();
    }
  });
});
