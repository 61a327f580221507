// tagsmith check with the user's folders: it reports what the editor reports (unknown wildcards, networks
// made for another base model), as the built dist/cli.js run by users.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { safetensorsBytes } from '../networks/fixtures';

const CLI = path.resolve(__dirname, '../../dist/cli.js');

describe('tagsmith check --webui / --wildcards', () => {
  it('reports unknown wildcards and a base-model mismatch from the folders named', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'tagsmith-check-webui-'));
    mkdirSync(path.join(root, 'models', 'Lora'), { recursive: true });
    writeFileSync(path.join(root, 'models', 'Lora', 'old.safetensors'), safetensorsBytes({ w: { shape: [1] } }, { ss_base_model_version: 'sd_v1' }));
    const wildcards = path.join(root, 'wild');
    mkdirSync(wildcards);
    writeFileSync(path.join(wildcards, 'outfits.txt'), 'suit\n');
    const file = path.join(root, 'a.sdprompt');
    writeFileSync(file, '1boy, <lora:old:0.5>, __outfit__, {red|blue hair\n');
    const r = spawnSync(process.execPath, [CLI, 'check', '--backend', 'url', '--webui', root, '--wildcards', wildcards, file], { encoding: 'utf8' });
    const codes = r.stdout.trim().split('\n').map((l) => /\[([\w-]+)\]$/.exec(l)?.[1]);
    expect(codes).toEqual(['network-base-mismatch', 'template-syntax']);
    // The template is broken, so its wildcards are not read; fixed, the unknown one is reported.
    writeFileSync(file, '1boy, __outfit__, {red|blue} hair\n');
    const fixed = spawnSync(process.execPath, [CLI, 'check', '--wildcards', wildcards, file], { encoding: 'utf8' });
    expect(fixed.stdout).toContain("1:7: warning: '__outfit__' is not in your wildcard folders: did you mean '__outfits__'?");
    expect(fixed.status).toBe(0);
    expect(spawnSync(process.execPath, [CLI, 'check', '--wildcards', '/no/such', file], { encoding: 'utf8' }).status).toBe(2);
  });
});
