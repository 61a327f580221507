// What the panel posts to the page for a history entry: plain data, the backend's not-applied notes included.
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../client/preview/history';
import { panelView } from '../../client/preview/view';

const ENTRY: HistoryEntry = {
  id: '20261125-102233-42-z', document: 'file:///w/a.sdprompt', blockIndex: 0, line: 0, fingerprint: '0123456789abcdef', title: '1boy, knight',
  seed: 42, width: 832, height: 1216, steps: 28, sampler: 'Euler a', cfgScale: 5, renderMs: 2345, created: '2026-11-25T10:22:33.000Z',
  infotext: '1boy, knight, <lora:knight:0.8>\nSteps: 28', draft: false,
};

describe('preview panel view of an entry', () => {
  it('has the settings line fields and no notes when the backend applied everything', () => {
    expect(panelView(ENTRY, 'vscode-resource:/x.png')).toEqual({
      id: ENTRY.id, title: '1boy, knight', src: 'vscode-resource:/x.png', seed: 42, size: '832×1216', steps: 28, sampler: 'Euler a', cfgScale: 5,
      seconds: '2.3', created: ENTRY.created, draft: false,
    });
  });

  it("carries the backend's not-applied notes, one line each (a copy, not the entry's array)", () => {
    const notes = ['<lora:knight:0.8>: not applied (the builtin backend does not load LoRA weights; the tag is removed from the prompt as A1111 removes it)'];
    const view = panelView({ ...ENTRY, notes }, 'src');
    expect(view.notes).toEqual(notes);
    expect(view.notes).not.toBe(notes);
    expect(panelView({ ...ENTRY, notes: [] }, 'src')).not.toHaveProperty('notes');
  });
});
