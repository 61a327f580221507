// The server's network index and UI-folder discovery, on folders the test lays out as A1111 and ComfyUI do.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexNetworks } from '../../server/networkIndex';
import { findComfyuiFolders, findWebuiFolders } from '../../server/uiFolders';
import { safetensorsBytes, withHeader } from './fixtures';

function webui(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'tagsmith-webui-'));
  const lora = path.join(root, 'models', 'Lora');
  mkdirSync(path.join(lora, 'characters'), { recursive: true });
  mkdirSync(path.join(root, 'models', 'LyCORIS'), { recursive: true });
  mkdirSync(path.join(root, 'embeddings'), { recursive: true });
  mkdirSync(path.join(root, 'extensions', 'a1111-sd-webui-tagcomplete', 'tags'), { recursive: true });
  mkdirSync(path.join(root, 'extensions', 'sd-dynamic-prompts', 'wildcards'), { recursive: true });
  writeFileSync(path.join(root, 'extensions', 'a1111-sd-webui-tagcomplete', 'tags', 'danbooru.csv'), '1boy,0,100,\n');
  writeFileSync(path.join(root, 'styles.csv'), 'name,prompt,negative_prompt\n');
  writeFileSync(
    path.join(lora, 'characters', 'knight.safetensors'),
    safetensorsBytes({ 'lora_te1_x.lora_down.weight': { shape: [8, 768] } }, { ss_base_model_version: 'sdxl_base_v1-0', ss_tag_frequency: '{"a": {"armor": 3}}' }),
  );
  writeFileSync(path.join(lora, 'characters', 'knight.json'), '{"activation text": "silver knight", "preferred weight": 0.8}');
  writeFileSync(path.join(lora, 'characters', 'knight.civitai.info'), '{"trainedWords": ["knight"], "baseModel": "SDXL 1.0"}');
  writeFileSync(path.join(lora, 'characters', 'knight.preview.png'), 'png');
  writeFileSync(path.join(lora, 'old15.safetensors'), safetensorsBytes({ 'lora_te_x.lora_down.weight': { shape: [4, 768] } }, { ss_network_dim: '4' }));
  writeFileSync(path.join(lora, 'huge.safetensors'), withHeader(new TextEncoder().encode('{}'), 0, 100 * 1024 * 1024));
  writeFileSync(path.join(lora, 'garbage.safetensors'), withHeader(new TextEncoder().encode('not json at all')));
  writeFileSync(path.join(lora, 'notes.txt'), 'not a network');
  writeFileSync(path.join(root, 'embeddings', 'emb8.safetensors'), safetensorsBytes({ clip_l: { shape: [8, 768] }, clip_g: { shape: [8, 1280] } }));
  writeFileSync(path.join(root, 'embeddings', 'twotensors.safetensors'), safetensorsBytes({ a: { shape: [1, 768] }, b: { shape: [1, 768] } }));
  return root;
}

describe('UI folders', () => {
  it("finds A1111's LoRA, LyCORIS and embedding folders, tagcomplete CSVs, wildcards and styles.csv", () => {
    const root = webui();
    const found = findWebuiFolders(root);
    expect(found.loraFolders).toEqual([path.join(root, 'models', 'Lora'), path.join(root, 'models', 'LyCORIS')]);
    expect(found.embeddingFolders).toEqual([path.join(root, 'embeddings')]);
    expect(found.tagFiles).toEqual([path.join(root, 'extensions', 'a1111-sd-webui-tagcomplete', 'tags', 'danbooru.csv')]);
    expect(found.wildcardFolders).toEqual([path.join(root, 'extensions', 'sd-dynamic-prompts', 'wildcards')]);
    expect(found.styleFiles).toEqual([path.join(root, 'styles.csv')]);
  });

  it("finds ComfyUI's folders and the loras/embeddings of extra_model_paths.yaml", () => {
    const a1111 = webui();
    const root = mkdtempSync(path.join(tmpdir(), 'tagsmith-comfy-'));
    mkdirSync(path.join(root, 'models', 'loras'), { recursive: true });
    mkdirSync(path.join(root, 'custom_nodes', 'comfyui-dynamicprompts', 'wildcards'), { recursive: true });
    mkdirSync(path.join(root, 'more'), { recursive: true });
    writeFileSync(
      path.join(root, 'extra_model_paths.yaml'),
      `a111:\n    base_path: ${a1111}\n    checkpoints: models/Stable-diffusion\n    loras: |\n         models/Lora\n         models/LyCORIS\n    embeddings: embeddings\nmine:\n    loras: more\n    embeddings: [not, a, string]\n`,
    );
    const found = findComfyuiFolders(root);
    expect(found.loraFolders).toEqual([
      path.join(root, 'models', 'loras'),
      path.join(a1111, 'models', 'Lora'),
      path.join(a1111, 'models', 'LyCORIS'),
      path.join(root, 'more'),
    ]);
    expect(found.embeddingFolders).toEqual([path.join(a1111, 'embeddings')]);
    expect(found.wildcardFolders).toEqual([path.join(root, 'custom_nodes', 'comfyui-dynamicprompts', 'wildcards')]);
    expect(found.notes.some((n) => n.includes('mine.embeddings is not a string of paths'))).toBe(true);
  });

  it('says when a folder setting is not a folder, and when the YAML is broken', () => {
    expect(findWebuiFolders('/nonexistent/webui').notes).toEqual(['tagsmith.webuiFolder: /nonexistent/webui is not a folder']);
    const root = mkdtempSync(path.join(tmpdir(), 'tagsmith-comfy-'));
    writeFileSync(path.join(root, 'extra_model_paths.yaml'), 'a: [unclosed\n');
    const found = findComfyuiFolders(root);
    expect(found.notes[0]).toMatch(/extra_model_paths\.yaml: /);
  });
});

describe('network index', () => {
  it('indexes LoRAs by file name with header facts, sidecars and preview, and names each bad file', async () => {
    const root = webui();
    const found = findWebuiFolders(root);
    const index = await indexNetworks(found.loraFolders, found.embeddingFolders);
    const byName = new Map(index.loras.map((e) => [e.name, e]));
    expect([...byName.keys()].sort()).toEqual(['garbage', 'huge', 'knight', 'old15']);
    const knight = byName.get('knight')!;
    expect(knight.subfolder).toBe('characters');
    expect(knight.facts?.baseModel?.architecture).toBe('sdxl');
    expect(knight.facts?.tags).toEqual([{ tag: 'armor', count: 3 }]);
    expect(knight.a1111).toEqual({ activationText: 'silver knight', preferredWeight: 0.8 });
    expect(knight.civitai?.trainedWords).toEqual(['knight']);
    expect(knight.preview).toBe(path.join(root, 'models', 'Lora', 'characters', 'knight.preview.png'));
    expect(knight.problems).toEqual([]);
    expect(byName.get('old15')!.facts?.baseModel?.architecture).toBe('sd1');
    expect(byName.get('huge')!.problems).toEqual([
      `${path.join(root, 'models', 'Lora', 'huge.safetensors')}: header length 104857600 bytes is over the 33554432-byte limit (not a safetensors file, or a corrupt one)`,
    ]);
    expect(byName.get('garbage')!.problems[0]).toMatch(/garbage\.safetensors: header is not UTF-8 JSON/);
  });

  it('indexes embeddings with their vector count, and says which file is not one', async () => {
    const root = webui();
    const index = await indexNetworks([], [path.join(root, 'embeddings')]);
    const emb8 = index.embeddings.find((e) => e.name === 'emb8')!;
    expect(emb8.embedding).toEqual({ vectors: 8, width: 2048, encoders: ['clip_l', 'clip_g'], architecture: 'sdxl' });
    const two = index.embeddings.find((e) => e.name === 'twotensors')!;
    expect(two.problems[0]).toMatch(/twotensors\.safetensors: not an embedding: it holds 2 tensors/);
  });

  it('follows a link loop once and reports broken links and missing folders', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'tagsmith-loop-'));
    mkdirSync(path.join(root, 'a'));
    symlinkSync(root, path.join(root, 'a', 'back'));
    symlinkSync(path.join(root, 'nowhere'), path.join(root, 'dangling.safetensors'));
    writeFileSync(path.join(root, 'a', 'x.safetensors'), safetensorsBytes({ w: { shape: [1] } }));
    const index = await indexNetworks([root, path.join(root, 'missing')], []);
    expect(index.loras.map((e) => e.name)).toEqual(['x']);
    expect(index.problems.some((p) => p.includes('dangling.safetensors: a broken link'))).toBe(true);
    expect(index.problems.some((p) => p.startsWith(path.join(root, 'missing')))).toBe(true);
  });
});
