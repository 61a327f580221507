import { describe, expect, it } from 'vitest';
import { addEntry, entryId, lastRender, parseHistory, serializeHistory, type HistoryEntry } from '../../client/preview/history';

function entry(id: string, created: string, more: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    id, document: 'file:///w/a.sdprompt', blockIndex: 0, line: 0, fingerprint: '0123456789abcdef', title: '1boy', seed: 1, width: 64,
    height: 64, steps: 4, sampler: 'Euler a', cfgScale: 5, renderMs: 12, created, infotext: '1boy\nSteps: 4', draft: false, ...more,
  };
}

describe('render history index', () => {
  it('ids are sortable by time, carry the seed and are safe file names', () => {
    expect(entryId(new Date('2026-11-25T10:22:33.456Z'), 42, 35)).toBe('20261125-102233-42-z');
  });

  it('round-trips, newest first, and drops entries whose PNG is gone, malformed ones and duplicates', () => {
    const a = entry('a', '2026-11-25T10:00:00.000Z');
    const b = entry('b', '2026-11-25T11:00:00.000Z');
    const c = entry('c', '2026-11-25T09:00:00.000Z');
    const text = JSON.stringify({ version: 1, entries: [a, b, c, { ...a }, { id: 'd', created: 'x' }, { ...entry('../x', '2026') }] });
    expect(parseHistory(text, new Set(['a.png', 'b.png', 'd.png', '../x.png'])).map((e) => e.id)).toEqual(['b', 'a']);
    expect(parseHistory(serializeHistory([b, a]), new Set(['a.png', 'b.png']))).toEqual([b, a]);
  });

  it("keeps the backend's not-applied notes; an entry whose notes are not strings is dropped", () => {
    const a = entry('a', '2026-11-25T10:00:00.000Z', { notes: ['<lora:knight:0.8>: not applied (the builtin backend does not load LoRA weights; …)'] });
    const bad = entry('b', '2026-11-25T11:00:00.000Z', { notes: [3] as unknown as string[] });
    const worse = entry('c', '2026-11-25T12:00:00.000Z', { notes: 'x' as unknown as string[] });
    expect(parseHistory(serializeHistory([worse, bad, a]), new Set(['a.png', 'b.png', 'c.png']))).toEqual([a]);
  });

  it('a damaged or missing index is an empty history', () => {
    expect(parseHistory(undefined, new Set())).toEqual([]);
    expect(parseHistory('{not json', new Set(['a.png']))).toEqual([]);
    expect(parseHistory('{"entries": 3}', new Set(['a.png']))).toEqual([]);
  });

  it('adds at the front, keeps at most max and says which fell out', () => {
    const list = [entry('b', '2'), entry('a', '1')];
    expect(addEntry(list, entry('c', '3'), 2)).toEqual({ entries: [entry('c', '3'), entry('b', '2')], dropped: ['a'] });
    expect(addEntry(list, entry('a', '4'), 5).entries.map((e) => e.id)).toEqual(['a', 'b']);
  });

  it("finds a block's newest render", () => {
    const list = [entry('c', '3', { blockIndex: 1 }), entry('b', '2'), entry('a', '1')];
    expect(lastRender(list, 'file:///w/a.sdprompt', 0)?.id).toBe('b');
    expect(lastRender(list, 'file:///w/a.sdprompt', 1)?.id).toBe('c');
    expect(lastRender(list, 'file:///w/other.sdprompt', 0)).toBeUndefined();
  });
});
