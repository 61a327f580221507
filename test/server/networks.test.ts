// The user's networks over LSP, with `tagsmith.webuiFolder` pointing at an A1111 folder the test lays out:
// LoRA names with base model and preferred weight, trigger words after a network, the base-model mismatch,
// unknown names with a fix, a LoRA in the negative prompt, embeddings counted as their vectors, and the
// hover's preview image.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionItem, CompletionList, Diagnostic } from 'vscode-languageserver-protocol';
import { safetensorsBytes } from '../networks/fixtures';
import { startClient, type LspClient } from './lspClient';

// A 1x1 PNG.
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d4944415478da63f8cfc0f01f0005000201' + 'a5f6e0b90000000049454e44ae426082', 'hex');

function webui(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'tagsmith-lsp-webui-'));
  const lora = path.join(root, 'models', 'Lora');
  mkdirSync(path.join(lora, 'chars'), { recursive: true });
  mkdirSync(path.join(root, 'embeddings'), { recursive: true });
  writeFileSync(
    path.join(lora, 'chars', 'knight.safetensors'),
    safetensorsBytes({ 'lora_te1_x.lora_down.weight': { shape: [8, 768] } }, { ss_base_model_version: 'sdxl_base_v1-0', ss_network_dim: '16', ss_tag_frequency: '{"k": {"armor": 9, "silver hair": 4}}' }),
  );
  writeFileSync(path.join(lora, 'chars', 'knight.json'), '{"activation text": "silver knight", "preferred weight": 0.7}');
  writeFileSync(path.join(lora, 'chars', 'knight.preview.png'), PNG);
  writeFileSync(path.join(lora, 'oldstyle.safetensors'), safetensorsBytes({ 'lora_te_x.lora_down.weight': { shape: [4, 768] } }, { ss_network_dim: '4', ss_base_model_version: 'sd_v1' }));
  writeFileSync(path.join(root, 'embeddings', 'emb8.safetensors'), safetensorsBytes({ clip_l: { shape: [8, 768] }, clip_g: { shape: [8, 1280] } }));
  writeFileSync(path.join(root, 'embeddings', 'easyneg15.safetensors'), safetensorsBytes({ emb_params: { shape: [4, 768] } }));
  writeFileSync(path.join(root, 'styles.csv'), 'name,prompt,negative_prompt\nanime,"{prompt}, anime screencap",lowres\nquality,"best quality, amazing quality","worst quality"\n');
  return root;
}

let client: LspClient;
const folder = webui();

beforeAll(async () => {
  client = await startClient({ settings: { webuiFolder: folder } });
  await client.waitForLog(/Networks: 2 LoRA \/ LyCORIS and 2 embeddings indexed/);
});
afterAll(() => client.stop());

let n = 0;
async function open(text: string): Promise<{ uri: string; diagnostics: Diagnostic[] }> {
  const uri = `file:///networks-${n++}.sdprompt`;
  const published = client.nextDiagnostics(uri);
  client.open(uri, text);
  return { uri, diagnostics: await published };
}

/** The text after applying `item`'s edit (snippet placeholders and choices resolved to their first value). */
function applied(text: string, item: CompletionItem): string {
  const edit = item.textEdit as { range: { start: { character: number }; end: { character: number } }; newText: string };
  const insert = edit.newText.replace(/\$\{\d+\|([^,|]*)[^}]*\}/g, '$1').replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\d+/g, '');
  return text.slice(0, edit.range.start.character) + insert + text.slice(edit.range.end.character);
}

describe('networks from tagsmith.webuiFolder', () => {
  it('completes LoRA names with base model and sub-folder, inserting the preferred weight', async () => {
    const text = '1boy, <lora:kn';
    const { uri } = await open(text);
    const list = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: text.length } })) as CompletionList;
    const knight = list.items.find((i) => i.label === 'knight')!;
    expect(knight.detail).toBe('LoRA · SDXL (sdxl_base_v1-0) · chars/');
    expect(applied(text, knight)).toBe('1boy, <lora:knight:0.7>');
    const resolved = (await client.connection.sendRequest('completionItem/resolve', knight)) as CompletionItem;
    expect((resolved.documentation as { value: string }).value).toContain('Trigger words: `silver knight`, `armor`, `silver hair`');
    // Only names holding the typed letters in order are sent.
    expect(list.items.map((i) => i.label)).toEqual(['knight']);
  });

  it('offers the trigger words after <lora:knight:0.8> as one snippet choice, activation text first', async () => {
    const text = '1boy, <lora:knight:0.8>, ';
    const { uri } = await open(text);
    const list = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: text.length } })) as CompletionList;
    const trigger = list.items.find((i) => i.detail === 'Trigger words of knight')!;
    expect((trigger.textEdit as { newText: string }).newText).toBe('${1|silver knight,armor,silver hair|}');
    expect(applied(text, trigger)).toBe('1boy, <lora:knight:0.8>, silver knight');
  });

  it('warns of an SD 1 LoRA on an SDXL model, a weight beyond ±2, an unknown name (with its fix) and a LoRA in the negative prompt', async () => {
    const { diagnostics } = await open('1boy, <lora:oldstyle:1>, <lora:knight:2.5>, <lora:knigt:1>\nNegative prompt: <lora:knight:1>');
    const byCode = (code: string) => diagnostics.filter((d) => d.code === code);
    expect(byCode('network-base-mismatch').map((d) => d.message)).toEqual([
      "'oldstyle' was made for sd_v1 (SD 1.x), but AnimeBoysXL is SDXL 1.0: A1111 will not apply it as intended",
    ]);
    expect(byCode('network-weight-range').map((d) => d.message)).toEqual(['LoRA weight 2.5 is beyond ±2: images tend to break down']);
    const unknown = byCode('unknown-network');
    expect(unknown.map((d) => d.message)).toEqual(["'knigt' is not in your LoRA folders: did you mean 'knight'?"]);
    expect(unknown[0]!.range).toEqual({ start: { line: 0, character: 50 }, end: { line: 0, character: 55 } });
    expect(byCode('network-in-negative')).toHaveLength(1);
    const actions = (await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri: `file:///networks-${n - 1}.sdprompt` },
      range: unknown[0]!.range,
      context: { diagnostics: unknown },
    })) as Array<{ title: string; edit?: { changes: Record<string, Array<{ newText: string }>> } }>;
    expect(actions.some((a) => Object.values(a.edit?.changes ?? {}).flat().some((e) => e.newText === 'knight'))).toBe(true);
  });

  it('counts an 8-vector embedding as 8 tokens: emb8, 1boy is 8 + 3', async () => {
    const { uri } = await open('emb8, 1boy');
    const result = (await client.connection.sendRequest('tagsmith/tokenCount', { uri, position: { line: 0, character: 1 } })) as { tokenCount: number; estimated: boolean };
    expect(result).toMatchObject({ tokenCount: 11, estimated: false });
  });

  it('moves an embedding that would straddle position 75 whole into the next chunk', async () => {
    const { uri } = await open(`${Array<string>(70).fill('dog').join(' ')} emb8`);
    const result = (await client.connection.sendRequest('tagsmith/tokenCount', { uri, position: { line: 0, character: 1 } })) as { tokenCount: number; chunks: number };
    expect(result).toMatchObject({ tokenCount: 83, chunks: 2 });
  });

  it('warns that A1111 skips an SD 1.5 embedding on an SDXL model', async () => {
    const { diagnostics } = await open('1boy, easyneg15');
    expect(diagnostics.filter((d) => d.code === 'embedding-base-mismatch').map((d) => d.message)).toEqual([
      "'easyneg15' is an SD 1.x embedding (768 wide): A1111 skips it on AnimeBoysXL (SDXL 1.0) and reads the name as text",
    ]);
  });

  it("hovers a LoRA with its facts and its preview as a data: image", async () => {
    const text = '1boy, <lora:knight:0.8>';
    const { uri } = await open(text);
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 12 } })) as { contents: { value: string } };
    expect(hover.contents.value).toContain('Trigger words: `silver knight`, `armor`, `silver hair`');
    expect(hover.contents.value).toContain('preferred weight 0.7 · dim 16');
    expect(hover.contents.value).toContain(`](data:image/png;base64,${PNG.toString('base64')})`);
  });

  it('hovers an embedding with its vectors and encoders, and completes its name', async () => {
    const text = '1boy, emb';
    const { uri } = await open(text);
    const list = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: text.length } })) as CompletionList;
    const emb = list.items.find((i) => i.label === 'emb8')!;
    expect(emb.detail).toBe('embedding · SDXL · 8 vectors');
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 7 } })) as { contents: { value: string } };
    expect(hover.contents.value).not.toContain('token positions'); // `emb` is not an embedding
    const { uri: uri2 } = await open('1boy, emb8');
    const hover2 = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: uri2 }, position: { line: 0, character: 7 } })) as { contents: { value: string } };
    expect(hover2.contents.value).toContain('Takes 8 token positions in the prompt; vectors for both SDXL encoders (clip_l 768 + clip_g 1280).');
  });
});

/** `text` with LSP edits (single-line or multi-line) applied, last first. */
function applyEdits(text: string, edits: Array<{ range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }>): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let result = text;
  for (const e of sorted) result = result.slice(0, offset(e.range.start)) + e.newText + result.slice(offset(e.range.end));
  return result;
}

describe('A1111 styles from the webui folder', () => {
  // A value with commas is quoted, as A1111 quotes infotext values.
  const block = '1boy, solo\nNegative prompt: text\nSteps: 28, Styles: "anime, quality", Seed: 1';

  it('completes style names in a Styles: entry, leaving out the ones chosen', async () => {
    const text = 'a\nSteps: 28, Styles: "anime, ';
    const { uri } = await open(text);
    const list = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 1, character: 27 } })) as CompletionList;
    expect(list.items.map((i) => i.label)).toEqual(['quality']);
  });

  it('hovers a Styles entry with what each style adds and the counts with them applied', async () => {
    const { uri } = await open(block);
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 14 } })) as { contents: { value: string } };
    expect(hover.contents.value).toContain('Prompt: `{prompt}, anime screencap`');
    // "1boy, solo, anime screencap, best quality, amazing quality": 1 boy , solo , anime screen cap , best quality , amazing quality → 14
    // "text, lowres, worst quality": text , low res , worst quality → 7
    expect(hover.contents.value).toContain('With the styles: prompt 14 tokens, negative prompt 7 tokens');
  });

  it('applies the styles to the block as A1111 does, and removes the entry', async () => {
    const { uri } = await open(block);
    const actions = (await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 2, character: 14 }, end: { line: 2, character: 14 } },
      context: { diagnostics: [] },
    })) as Array<{ title: string; edit?: { changes: Record<string, Parameters<typeof applyEdits>[1]> } }>;
    const apply = actions.find((a) => a.title.startsWith('Apply styles'))!;
    expect(apply.title).toBe("Apply styles 'anime', 'quality' to this block");
    expect(applyEdits(block, apply.edit!.changes[uri]!)).toBe(
      '1boy, solo, anime screencap, best quality, amazing quality\nNegative prompt: text, lowres, worst quality\nSteps: 28, Seed: 1',
    );
  });
});
