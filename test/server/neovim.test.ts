// tagsmith-server --stdio driven by a real Neovim, where one is installed: any LSP editor, not only VS Code.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureServerBuilt, serverPath } from './lspClient';

const hasNeovim = spawnSync('nvim', ['--version'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!hasNeovim)('Neovim as the client', () => {
  it('gets diagnostics, completion from the tag file, and hover', { timeout: 60_000 }, () => {
    ensureServerBuilt();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tagsmith-nvim-'));
    writeFileSync(path.join(dir, 'demo.sdprompt'), '1boy, best qualty, longh\nSteps: 28, Size: 833x1216\n');
    const out = path.join(dir, 'out.txt');
    const run = spawnSync('nvim', ['--headless', '-u', 'NONE', '-c', `luafile ${path.resolve(__dirname, '../fixtures/server/neovim.lua')}`], {
      env: {
        ...process.env,
        TAGSMITH_NODE: process.execPath,
        TAGSMITH_SERVER: serverPath,
        TAGSMITH_DIR: dir,
        TAGSMITH_TAGS: path.resolve(__dirname, '../fixtures/server/tags.csv'),
        TAGSMITH_OUT: out,
      },
      encoding: 'utf8',
      timeout: 50_000,
    });
    expect(run.status).toBe(0);
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines).toContain('diagnostic 1:7 near-miss');
    expect(lines).toContain('diagnostic 2:18 size-not-multiple-of-8');
    expect(lines).toContain('completion long hair');
    expect(lines.find((l) => l.startsWith('hover '))).toContain('Effective weight **1** (no brackets).');
  });
});
