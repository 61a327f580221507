// `tagsmith chunks --embeddings DIR`, run as users run it: the built dist/cli.js on a folder of embeddings
// written here. `emb8, 1boy` counts the 8 vectors plus the tokens of `, 1boy` (",</w>" 267, "1</w>" 272,
// "boy</w>" 1876: 3 tokens), so 11.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { safetensorsBytes } from './fixtures';

const CLI = path.resolve(__dirname, '../../dist/cli.js');

function embeddingsDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tagsmith-emb-'));
  writeFileSync(path.join(dir, 'emb8.safetensors'), safetensorsBytes({ clip_l: { shape: [8, 768] }, clip_g: { shape: [8, 1280] } }));
  writeFileSync(path.join(dir, 'old15.safetensors'), safetensorsBytes({ emb_params: { shape: [4, 768] } }));
  writeFileSync(path.join(dir, 'broken.safetensors'), 'not a safetensors file at all');
  return dir;
}

describe('tagsmith chunks --embeddings', () => {
  it('counts an SDXL embedding as its vectors, names it in --tokens, and names each file it skipped', () => {
    const dir = embeddingsDir();
    const r = spawnSync(process.execPath, [CLI, 'chunks', '--embeddings', dir, '--tokens', 'emb8, 1boy'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { chunks: number[][]; tokenCount: number; tokens: Array<{ id: number; embedding?: string; start: number; end: number }> };
    expect(out.tokenCount).toBe(11);
    expect(out.chunks[0]!.slice(0, 13)).toEqual([49406, 0, 0, 0, 0, 0, 0, 0, 0, 267, 272, 1876, 49407]);
    expect(out.tokens.slice(0, 8).every((t) => t.id === 0 && t.embedding === 'emb8' && t.start === 0 && t.end === 4)).toBe(true);
    expect(r.stderr).toContain(`skipped ${path.join(dir, 'old15.safetensors')}: 768 wide, not an SDXL embedding`);
    expect(r.stderr).toContain(`${path.join(dir, 'broken.safetensors')}: header length`);
  });

  it('without --embeddings the name is text', () => {
    const r = spawnSync(process.execPath, [CLI, 'chunks', 'emb8, 1boy'], { encoding: 'utf8' });
    expect((JSON.parse(r.stdout) as { tokenCount: number }).tokenCount).toBeLessThan(11);
  });
});
