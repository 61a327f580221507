// Dynamic Prompts wildcards over LSP, with `tagsmith.wildcardFolders` pointing at a folder the test writes:
// `__` completion, the unknown-wildcard diagnostic and its fix, template syntax errors, hover, and go to
// definition into a .txt file and a YAML key.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionList, Diagnostic } from 'vscode-languageserver-protocol';
import { startClient, type LspClient } from './lspClient';

const folder = mkdtempSync(path.join(tmpdir(), 'tagsmith-lsp-wildcards-'));
mkdirSync(path.join(folder, 'sub'));
writeFileSync(path.join(folder, 'outfits.txt'), 'suit\n# a comment\narmor\nkimono\n');
writeFileSync(path.join(folder, 'sub', 'colors.yaml'), 'eyes:\n  - green\nhair:\n  - red\n  - blue\n');

let client: LspClient;
beforeAll(async () => {
  client = await startClient({ settings: { wildcardFolders: [folder] } });
  await client.waitForLog(/Wildcards: 3 collections from 2 files/);
});
afterAll(() => client.stop());

let n = 0;
async function open(text: string): Promise<{ uri: string; diagnostics: Diagnostic[] }> {
  const uri = `file:///wildcards-${n++}.sdprompt`;
  const published = client.nextDiagnostics(uri);
  client.open(uri, text);
  return { uri, diagnostics: await published };
}

describe('wildcards from tagsmith.wildcardFolders', () => {
  it('completes __ with collection names, their option count and a sample', async () => {
    const text = '1boy, __ou';
    const { uri } = await open(text);
    const list = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: text.length } })) as CompletionList;
    expect(list.items.map((i) => i.label)).toEqual(['__outfits__']);
    const item = list.items[0]!;
    // Values sorted by code point, the comment line skipped.
    expect(item.detail).toBe('3 options: armor, kimono, suit');
    const edit = item.textEdit as { range: { start: { character: number }; end: { character: number } }; newText: string };
    expect(text.slice(0, edit.range.start.character) + edit.newText + text.slice(edit.range.end.character)).toBe('1boy, __outfits__');
    const nested = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri: (await open('__sub/h')).uri }, position: { line: 0, character: 7 } })) as CompletionList;
    expect(nested.items.map((i) => i.label)).toEqual(['__sub/hair__']);
  });

  it('reports an unknown wildcard with the nearest name as its fix', async () => {
    const { uri, diagnostics } = await open('1boy, __outfit__');
    const unknown = diagnostics.filter((d) => d.code === 'unknown-wildcard');
    expect(unknown.map((d) => d.message)).toEqual(["'__outfit__' is not in your wildcard folders: did you mean '__outfits__'?: Dynamic Prompts leaves it as written"]);
    expect(unknown[0]!.range).toEqual({ start: { line: 0, character: 6 }, end: { line: 0, character: 16 } });
    const actions = (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: unknown[0]!.range, context: { diagnostics: unknown } })) as Array<{ edit?: { changes: Record<string, Array<{ newText: string }>> } }>;
    expect(actions.some((a) => a.edit?.changes[uri]?.some((e) => e.newText === '__outfits__'))).toBe(true);
  });

  it('reports what the library rejects, and a $$ count larger than the options; plain prompts are left alone', async () => {
    const broken = await open('1boy, {red|blue hair');
    expect(broken.diagnostics.filter((d) => d.code === 'template-syntax')).toHaveLength(1);
    const count = await open('1boy, {3$$red|blue} hair');
    expect(count.diagnostics.filter((d) => d.code === 'variant-count-too-large').map((d) => d.message)).toEqual(['Asks for 3 of 2 options: Dynamic Prompts takes all 2']);
    const plain = await open('1boy, 50% off, (smile:1.2)');
    expect(plain.diagnostics.filter((d) => String(d.code).includes('template') || String(d.code).includes('wildcard'))).toEqual([]);
  });

  it('hovers a wildcard with its file and options', async () => {
    const { uri } = await open('1boy, __outfits__');
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 9 } })) as { contents: { value: string } };
    expect(hover.contents.value).toContain(`3 options from \`${path.join(folder, 'outfits.txt')}\``);
    expect(hover.contents.value).toContain('- armor\n- kimono\n- suit');
  });

  it('goes to the definition: a .txt file, and the line of a YAML key', async () => {
    const { uri } = await open('__outfits__, __sub/hair__');
    const txt = await client.connection.sendRequest('textDocument/definition', { textDocument: { uri }, position: { line: 0, character: 3 } });
    expect(txt).toEqual({ uri: pathToFileURL(path.join(folder, 'outfits.txt')).toString(), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
    const yaml = await client.connection.sendRequest('textDocument/definition', { textDocument: { uri }, position: { line: 0, character: 16 } });
    expect(yaml).toEqual({ uri: pathToFileURL(path.join(folder, 'sub', 'colors.yaml')).toString(), range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } } });
  });
});

describe('variant hover', () => {
  it('counts the combinations of the whole prompt, draws three for the block seed and ranges their token counts', async () => {
    const { uri } = await open('{red|blue} hair, {cat|dog}\nSeed: 1');
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 2 } })) as { contents: { value: string } };
    const value = hover.contents.value;
    expect(value).toContain('The prompt makes 4 combinations.');
    // "red hair, cat" and every other combination: red / hair / , / cat — 4 tokens.
    expect(value).toContain('Token count 4 over every combination.');
    const samples = /For seeds 1, 2 and 3:\n((?:- `.*`\n?){3})/.exec(value);
    expect(samples).not.toBeNull();
    for (const line of samples![1]!.trim().split('\n')) expect(['red hair, cat', 'red hair, dog', 'blue hair, cat', 'blue hair, dog']).toContain(line.slice(3, -1));
  });
});

describe('wildcard files as documents', () => {
  function openWildcardFile(uri: string, text: string): Promise<Diagnostic[]> {
    const published = client.nextDiagnostics(uri);
    void client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sdprompt-wildcards', version: 1, text } });
    return published;
  }

  it('checks each option line as a prompt of its own, and names repeated options', async () => {
    const diagnostics = await openWildcardFile('file:///w/wildcards/outfits.txt', '# outfits\nsuit, (best quality\narmor, armor\nsuit, (best quality\n');
    expect(diagnostics.map((d) => [d.code, d.range.start.line])).toEqual([
      ['unclosed-bracket', 1],
      ['duplicate-tag', 2],
      ['duplicate-option', 3],
      ['unclosed-bracket', 3],
    ]);
    expect(diagnostics.find((d) => d.code === 'duplicate-option')!.message).toBe("'suit, (best quality' is already on line 2: Dynamic Prompts keeps one of them");
  });

  it('warns of a file with no options', async () => {
    const diagnostics = await openWildcardFile('file:///w/wildcards/sub/empty.txt', '# nothing yet\n\n');
    expect(diagnostics.map((d) => d.message)).toEqual(['This wildcard file has no options: __sub/empty__ picks nothing and stays as written']);
  });

  it('completes tags on an option line', async () => {
    const uri = 'file:///w/wildcards/hair.txt';
    await openWildcardFile(uri, 'red hair\nbest qu');
    const list = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 1, character: 7 } })) as CompletionList;
    expect(list.items.some((i) => i.label === 'best quality')).toBe(true);
  });
});
