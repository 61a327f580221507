// Wildcard folders indexed on the server's worker thread (dist/wildcardWorker.js) and re-indexed when a file
// changes: the built server over LSP, a folder the test writes, then changes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionList, Diagnostic } from 'vscode-languageserver-protocol';
import { startClient, type LspClient } from './lspClient';

const folder = mkdtempSync(path.join(tmpdir(), 'tagsmith-lsp-wildcard-index-'));
writeFileSync(path.join(folder, 'a.txt'), 'red\n__b__ hair\n');
writeFileSync(path.join(folder, 'b.txt'), '{blue|__a__}\n');
writeFileSync(path.join(folder, 'hair-colors.txt'), 'black\nsilver\n');

let client: LspClient;
beforeAll(async () => {
  client = await startClient({ settings: { wildcardFolders: [folder] } });
  await client.waitForLog(/Wildcards: 3 collections from 3 files indexed in \d+ ms on a worker thread/);
});
afterAll(() => client.stop());

let n = 0;
async function open(text: string, accept?: (d: Diagnostic[]) => boolean): Promise<{ uri: string; diagnostics: Diagnostic[] }> {
  const uri = `file:///wildcard-index-${n++}.sdprompt`;
  const published = client.nextDiagnostics(uri, accept);
  client.open(uri, text);
  return { uri, diagnostics: await published };
}

describe('wildcard folders indexed off the main thread', () => {
  it('reports a cycle with its chain, and an empty variant', async () => {
    const { diagnostics } = await open('1boy, __a__, {}');
    expect(diagnostics.filter((d) => d.code === 'wildcard-cycle').map((d) => [d.range.start.character, d.range.end.character, String(d.message).slice(0, String(d.message).indexOf(')') + 1)])).toEqual([[6, 11, "'__a__' can expand into itself (a → b → a)"]]);
    expect(diagnostics.filter((d) => d.code === 'empty-variants').map((d) => d.range.start.character)).toEqual([13]);
  });

  it('finds a name with a hyphen', async () => {
    const { diagnostics } = await open('1boy, __hair-colors__');
    expect(diagnostics.filter((d) => d.code === 'unknown-wildcard')).toEqual([]);
  });

  it('re-indexes when a file is added, and refreshes the diagnostics', async () => {
    const { uri, diagnostics } = await open('1boy, __outfits__');
    expect(diagnostics.map((d) => d.code)).toContain('unknown-wildcard');
    const refreshed = client.nextDiagnostics(uri, (d) => !d.some((x) => x.code === 'unknown-wildcard'));
    writeFileSync(path.join(folder, 'outfits.txt'), 'suit\narmor\n');
    await client.waitForLog(/Wildcards: 4 collections from 4 files/);
    await refreshed;
    const text = '__ou';
    const typed = await open(text);
    const list = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri: typed.uri }, position: { line: 0, character: text.length } })) as CompletionList;
    expect(list.items.map((i) => [i.label, i.detail])).toEqual([['__outfits__', '2 options: armor, suit']]);
  });
});
