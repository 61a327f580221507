// The built-in dictionary over the wire: the built dist/server.js, spoken to as an editor does, with no
// settings at all, with tagsmith.builtinDictionary off, and with a tag file added.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CompletionList } from 'vscode-languageserver-protocol';
import { Resources } from '../../server/resources';
import { defaultSettings } from '../../server/settings';
import { startClient, type LspClient } from '../server/lspClient';

async function labelsAt(client: LspClient, uri: string, text: string): Promise<string[]> {
  client.open(uri, text);
  const list = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: text.length } })) as CompletionList;
  return list.items.map((i) => i.label);
}

describe('the built-in tag dictionary', () => {
  it('offers real tags with no settings, and exact token counts', async () => {
    const client = await startClient();
    try {
      expect(await client.waitForLog(/^Settings applied/)).toMatch(/0 tag files \+ the built-in dictionary, .*token counts exact/);
      expect(client.logs.some((l) => /^Built-in tag dictionary: 140782 tags loaded in \d+ ms$/.test(l))).toBe(true);
      const labels = await labelsAt(client, 'file:///builtin.sdprompt', '1boy, long ha');
      expect(labels[0]).toBe('long hair');
      expect(labels).toContain('very long hair');
      const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///builtin.sdprompt' }, position: { line: 0, character: 2 } })) as { contents: { value: string } } | null;
      expect(hover?.contents.value).toContain('**1boy**');
    } finally {
      await client.stop();
    }
  });

  it('is off with tagsmith.builtinDictionary false', async () => {
    const client = await startClient({ settings: { builtinDictionary: false } });
    try {
      expect(await client.waitForLog(/^Settings applied/)).toMatch(/0 tag files, /);
      expect(client.logs.some((l) => l.startsWith('Built-in tag dictionary'))).toBe(false);
      expect(await labelsAt(client, 'file:///off.sdprompt', '1boy, long ha')).not.toContain('long hair');
    } finally {
      await client.stop();
    }
  });

  it('is searched beside the tag files of tagsmith.tagFiles, and turned off and on again', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tagsmith-builtin-'));
    const file = path.join(dir, 'mine.csv');
    writeFileSync(file, 'long_haired_knight_oc,0,3,\n');
    const client = await startClient({ settings: { tagFiles: [file] } });
    try {
      expect(await client.waitForLog(/^Settings applied/)).toMatch(/1 tag files \+ the built-in dictionary/);
      const uri = 'file:///both.sdprompt';
      const both = await labelsAt(client, uri, 'long ha');
      expect(both[0]).toBe('long hair');
      expect(both).toContain('long haired knight oc');
      client.settings = { tagFiles: [file], builtinDictionary: false };
      void client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
      await client.waitForLog(/^Settings applied: .*1 tag files, /);
      expect(await labelsAt(client, uri, 'long ha')).toEqual(['long haired knight oc']);
    } finally {
      await client.stop();
    }
  });
});

describe('Resources before the first apply()', () => {
  it('search the built-in dictionary already (its default is on), and drop it when the settings say so', async () => {
    const logs: string[] = [];
    const log = { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m) };
    const resources = new Resources(log, () => {});
    expect(resources.dictionaries.map((d) => d.size)).toEqual([140782]);
    expect(resources.builtinInUse).toBe(true);
    await resources.apply({ ...defaultSettings, builtinDictionary: false });
    expect(resources.dictionaries).toEqual([]);
    expect(resources.builtinInUse).toBe(false);
    await resources.apply(defaultSettings);
    expect(resources.dictionaries.map((d) => d.size)).toEqual([140782]);
    // Loaded once, not again when turned back on.
    expect(logs.filter((l) => l.startsWith('Built-in tag dictionary'))).toHaveLength(1);
  });
});
