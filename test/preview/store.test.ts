// The preview folder on disk: PNGs and history.json, and the history coming back from the PNGs when the
// index is lost.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../backend/png';
import { PreviewStore } from '../../client/preview/store';

const INFOTEXT = '1boy, solo\nNegative prompt: lowres\nSteps: 20, Sampler: Euler, CFG scale: 6, Seed: 1234, Size: 64x96, Model: tiny';
const png = (text: string) => encodePng(new Uint8Array(64 * 96 * 3), 64, 96, { parameters: text });
const base = {
  document: 'file:///w/a.sdprompt', blockIndex: 0, line: 0, fingerprint: 'f', title: '1boy, solo', seed: 1234, width: 64, height: 96,
  steps: 20, sampler: 'Euler', cfgScale: 6, renderMs: 5, infotext: INFOTEXT, draft: false,
};

describe('PreviewStore', () => {
  it('saves PNGs and the index, newest first, and reads them back in a new window', () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'tagsmith-store-')), '.tagsmith', 'previews');
    const store = new PreviewStore(folder);
    const a = store.add(png(INFOTEXT), base, new Date('2026-11-25T10:00:00Z'));
    const b = store.add(png(INFOTEXT), { ...base, blockIndex: 1 }, new Date('2026-11-25T10:00:00Z'));
    expect(a.id).toBe('20261125-100000-1234-0');
    expect(b.id).toBe('20261125-100000-1234-1'); // same second and seed: a new name, nothing overwritten
    expect(readdirSync(folder).sort()).toEqual([`${a.id}.png`, `${b.id}.png`, 'history.json']);
    expect(new PreviewStore(folder).entries().map((e) => e.id).sort()).toEqual([a.id, b.id]);
  });

  it('with history.json lost, the PNGs come back from their infotext, unlinked from any block', () => {
    const folder = mkdtempSync(join(tmpdir(), 'tagsmith-store-'));
    const store = new PreviewStore(folder);
    const old = store.add(png(INFOTEXT), base, new Date('2026-11-25T09:00:00Z'));
    const linked = store.add(png(INFOTEXT), base, new Date('2026-11-25T11:00:00Z'));
    // Another render whose index entry was lost, and files that are not renders.
    writeFileSync(join(folder, '20261125-100000-77-0.png'), png('2boys\nSteps: 8, Seed: 77, Size: 128x64'));
    writeFileSync(join(folder, 'notes.png'), png(INFOTEXT));
    writeFileSync(join(folder, '20261125-100001-5-0.png'), 'not a png');
    const entries = new PreviewStore(folder).entries();
    expect(entries.map((e) => e.id)).toEqual([linked.id, '20261125-100000-77-0', old.id]);
    expect(entries[1]).toMatchObject({ document: '', blockIndex: -1, title: '2boys', seed: 77, width: 128, height: 64, steps: 8, sampler: 'Euler a', cfgScale: 5, created: '2026-11-25T10:00:00.000Z' });

    rmSync(join(folder, 'history.json'));
    const rebuilt = new PreviewStore(folder).entries();
    expect(rebuilt.map((e) => e.id)).toEqual([linked.id, '20261125-100000-77-0', old.id]);
    expect(rebuilt[0]).toMatchObject({ document: '', seed: 1234, width: 64, height: 96, steps: 20, sampler: 'Euler', cfgScale: 6, infotext: INFOTEXT });
    expect(existsSync(join(folder, 'history.json'))).toBe(false); // reading never writes
  });
});
