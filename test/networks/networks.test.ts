// Network and embedding metadata from safetensors headers and sidecars, on files written here. Expected
// values come from the safetensors format, kohya's ss_* keys and A1111's detect_version /
// create_embedding_from_data, worked out by hand.
import { describe, expect, it } from 'vitest';
import {
  embeddingFacts,
  headerLength,
  MAX_HEADER_BYTES,
  networkFacts,
  parseA1111Sidecar,
  parseCivitaiSidecar,
  parseSafetensorsHeader,
  previewCandidates,
  triggerWords,
  type SafetensorsHeader,
} from '../../core/networks';
import { safetensorsBytes, withHeader } from './fixtures';

function header(bytes: Uint8Array): SafetensorsHeader {
  const length = headerLength(bytes.subarray(0, 8), bytes.length);
  if (!length.ok) throw new Error(length.error);
  const parsed = parseSafetensorsHeader(bytes.subarray(8, 8 + length.value));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

const sdxlLora = safetensorsBytes(
  {
    'lora_te1_text_model_encoder_layers_0_mlp_fc1.lora_down.weight': { shape: [16, 768] },
    'lora_unet_input_blocks_4_1_proj_in.lora_up.weight': { shape: [640, 16] },
  },
  {
    ss_base_model_version: 'sdxl_base_v1-0',
    ss_network_module: 'networks.lora',
    ss_network_dim: '16',
    ss_network_alpha: '8.0',
    ss_output_name: 'silverKnight',
    ss_tag_frequency: JSON.stringify({ '10_knight': { ' 1boy': 40, 'armor': 38, 'silver hair': 12 }, '5_extra': { armor: 5, '1boy': 2, '': 9 } }),
  },
);

describe('safetensors header', () => {
  it('reads the metadata and tensors of a LoRA and ignores the tensor bytes', () => {
    const h = header(sdxlLora);
    expect(h.metadata['ss_network_dim']).toBe('16');
    expect(h.tensors.get('lora_unet_input_blocks_4_1_proj_in.lora_up.weight')).toEqual({ dtype: 'F16', shape: [640, 16] });
    expect(h.problems).toEqual([]);
  });

  it('refuses a file shorter than the length field', () => {
    expect(headerLength(new Uint8Array([1, 2, 3]), 3)).toEqual({ ok: false, error: 'file too short for a safetensors header (3 bytes)' });
  });

  it('refuses a header that claims more bytes than the file has (truncated)', () => {
    const truncated = sdxlLora.subarray(0, 100);
    const r = headerLength(truncated.subarray(0, 8), truncated.length);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^truncated: the header says \d+ bytes but the file has 92 after the length$/);
  });

  it('refuses a 100 MB header length without reading it', () => {
    const fake = withHeader(new TextEncoder().encode('{}'), 0, 100 * 1024 * 1024);
    const r = headerLength(fake.subarray(0, 8), 200 * 1024 * 1024);
    expect(r).toEqual({ ok: false, error: `header length 104857600 bytes is over the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file, or a corrupt one)` });
  });

  it('refuses a length whose high word is set (2^63)', () => {
    const bytes = new Uint8Array(16);
    bytes[7] = 0x80;
    expect(headerLength(bytes, 16).ok).toBe(false);
  });

  it('reports a header that is not JSON, or not an object', () => {
    const notJson = parseSafetensorsHeader(new TextEncoder().encode('PK\u0003\u0004 not json'));
    expect(notJson.ok).toBe(false);
    if (!notJson.ok) expect(notJson.error).toMatch(/^header is not UTF-8 JSON/);
    expect(parseSafetensorsHeader(new TextEncoder().encode('[1, 2]'))).toEqual({ ok: false, error: 'header is not a JSON object' });
    const badUtf8 = parseSafetensorsHeader(new Uint8Array([0x7b, 0xff, 0x7d]));
    expect(badUtf8.ok).toBe(false);
  });

  it('scans keys and values with escapes, braces inside strings and nested values as JSON reads them', () => {
    const json = '{ "a\\"b": {"dtype": "F16", "shape": [2, 3], "data_offsets": [0, 12]},\n "__metadata__": {"note": "{not} a \\"brace\\" \\\\", "x": "}"},' +
      '"t\\u00e9": {"dtype": "F32", "shape": [1], "extra": {"k": "}"}, "data_offsets": [12, 16]} }';
    const parsed = parseSafetensorsHeader(new TextEncoder().encode(json));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.value.metadata).toEqual({ note: '{not} a "brace" \\', x: '}' });
      expect([...parsed.value.tensors]).toEqual([
        ['a"b', { dtype: 'F16', shape: [2, 3] }],
        ['t\u00e9', { dtype: 'F32', shape: [1] }],
      ]);
    }
    const names = parseSafetensorsHeader(new TextEncoder().encode(json), { tensors: 'names' });
    expect(names.ok && [...names.value.tensors.keys()]).toEqual(['a"b', 't\u00e9']);
  });

  it('refuses text after the object, a missing comma and an unterminated string', () => {
    for (const bad of ['{"a": {"dtype": "F16", "shape": []}} x', '{"a": 1 "b": 2}', '{"a": "unterminated}', '{"a": ', '{']) {
      const r = parseSafetensorsHeader(new TextEncoder().encode(bad));
      expect(r.ok, bad).toBe(false);
    }
  });

  it('keeps the good fields of a header with odd ones and names the odd ones', () => {
    const odd = parseSafetensorsHeader(
      new TextEncoder().encode(JSON.stringify({ __metadata__: { ss_network_dim: 16, ss_output_name: 'x' }, w: { dtype: 'F16', shape: [-1] }, v: { dtype: 'F16', shape: [2] } })),
    );
    expect(odd.ok).toBe(true);
    if (odd.ok) {
      expect(odd.value.metadata).toEqual({ ss_output_name: 'x' });
      expect([...odd.value.tensors.keys()]).toEqual(['v']);
      expect(odd.value.problems).toEqual(['__metadata__.ss_network_dim is not a string', 'tensor "w" has no valid dtype and shape']);
    }
  });
});

describe('network facts', () => {
  it('reads base model, module, dim, alpha, alias and the training tags summed over datasets', () => {
    const facts = networkFacts(header(sdxlLora));
    expect(facts.baseModel).toEqual({ architecture: 'sdxl', label: 'sdxl_base_v1-0', source: 'ss_base_model_version' });
    expect(facts.module).toBe('networks.lora');
    expect(facts.dim).toBe(16);
    expect(facts.alpha).toBe(8);
    expect(facts.outputName).toBe('silverKnight');
    // armor 38 + 5 = 43, 1boy 40 + 2 = 42 (the leading space trimmed, so both datasets' 1boy add up)
    expect(facts.tags).toEqual([
      { tag: 'armor', count: 43 },
      { tag: '1boy', count: 42 },
      { tag: 'silver hair', count: 12 },
    ]);
  });

  it('prefers modelspec.architecture, and follows A1111 for ss_v2 and bare kohya metadata', () => {
    const spec = networkFacts(header(safetensorsBytes({ w: { shape: [1] } }, { 'modelspec.architecture': 'stable-diffusion-v1/lora', ss_base_model_version: 'sdxl_base_v1-0' })));
    expect(spec.baseModel?.architecture).toBe('sd1');
    expect(networkFacts(header(safetensorsBytes({ w: { shape: [1] } }, { ss_v2: 'True' }))).baseModel?.architecture).toBe('sd2');
    expect(networkFacts(header(safetensorsBytes({ w: { shape: [1] } }, { ss_network_dim: '4' }))).baseModel?.architecture).toBe('sd1');
    expect(networkFacts(header(safetensorsBytes({ w: { shape: [1] } }, { 'modelspec.architecture': 'flux-1-dev/lora' }))).baseModel?.architecture).toBe('flux');
  });

  it('tells SDXL, Flux and SD 1 apart by tensor names when there is no metadata', () => {
    const names = (name: string) => networkFacts(header(safetensorsBytes({ [name]: { shape: [4, 4] } }))).baseModel?.architecture;
    expect(names('lora_te2_text_model_encoder_layers_0_mlp_fc1.lora_down.weight')).toBe('sdxl');
    expect(names('lora_unet_double_blocks_0_img_attn_proj.lora_down.weight')).toBe('flux');
    expect(names('lora_te_text_model_encoder_layers_0_mlp_fc1.lora_down.weight')).toBe('sd1');
    expect(names('something_else')).toBeUndefined();
  });

  it('names a malformed ss_tag_frequency and reads the rest', () => {
    const facts = networkFacts(header(safetensorsBytes({ w: { shape: [1] } }, { ss_tag_frequency: '{not json', ss_network_dim: 'Dynamic' })));
    expect(facts.tags).toEqual([]);
    expect(facts.dim).toBeUndefined();
    expect(facts.problems).toEqual(['ss_tag_frequency is not JSON']);
  });
});

describe('sidecars', () => {
  it("reads A1111's <name>.json; preferred weight 0 means unset", () => {
    const r = parseA1111Sidecar(JSON.stringify({ 'activation text': 'silver knight, armor', 'preferred weight': 0.7, notes: 'use with year 2023', 'sd version': 'SDXL', description: '' }));
    expect(r).toEqual({
      ok: true,
      value: {
        activationText: 'silver knight, armor',
        preferredWeight: 0.7,
        notes: 'use with year 2023',
        baseModel: { architecture: 'sdxl', label: 'SDXL', source: 'A1111 .json' },
      },
      problems: [],
    });
    const zero = parseA1111Sidecar('{"preferred weight": 0, "sd version": "Unknown"}');
    expect(zero).toEqual({ ok: true, value: {}, problems: [] });
  });

  it('names odd fields of a sidecar and keeps the rest', () => {
    const r = parseA1111Sidecar('\ufeff{"activation text": ["a"], "preferred weight": "0.8", "notes": 5}');
    expect(r).toEqual({ ok: true, value: { preferredWeight: 0.8 }, problems: ['"activation text" is not a string', '"notes" is not a string'] });
    expect(parseA1111Sidecar('weight=0.8').ok).toBe(false);
    expect(parseA1111Sidecar('null')).toEqual({ ok: false, error: 'not a JSON object' });
  });

  it("reads Civitai's trainedWords and baseModel", () => {
    const r = parseCivitaiSidecar(JSON.stringify({ name: 'v2.0', baseModel: 'Pony', trainedWords: ['knight', 7, ' knight ', 'silver armor'], model: { name: 'Silver Knight' } }));
    expect(r).toEqual({
      ok: true,
      value: {
        trainedWords: ['knight', 'silver armor'],
        baseModel: { architecture: 'sdxl', label: 'Pony', source: 'civitai.info' },
        modelName: 'Silver Knight',
        versionName: 'v2.0',
      },
      problems: [],
    });
    expect(parseCivitaiSidecar('{"trainedWords": "knight", "baseModel": "SD 1.5"}')).toEqual({
      ok: true,
      value: { trainedWords: [], baseModel: { architecture: 'sd1', label: 'SD 1.5', source: 'civitai.info' } },
      problems: ['"trainedWords" is not a list'],
    });
  });

  it('orders trigger words: activation text, then trained words, then training tags, no repeats', () => {
    const facts = networkFacts(header(sdxlLora));
    const a1111 = { activationText: 'silver knight' };
    const civitai = { trainedWords: ['armor', 'silver knight'] };
    expect(triggerWords(facts, a1111, civitai)).toEqual(['silver knight', 'armor', '1boy', 'silver hair']);
    expect(triggerWords(facts, undefined, undefined, 2)).toEqual(['armor', '1boy']);
  });

  it("lists previews in A1111's order", () => {
    expect(previewCandidates('/l/x').slice(0, 4)).toEqual(['/l/x.png', '/l/x.preview.png', '/l/x.jpg', '/l/x.preview.jpg']);
  });
});

describe('embeddings', () => {
  it('an SDXL embedding: clip_l [8, 768] + clip_g [8, 1280] is 8 vectors of width 2048 for both encoders', () => {
    const facts = embeddingFacts(header(safetensorsBytes({ clip_l: { shape: [8, 768] }, clip_g: { shape: [8, 1280] } })));
    expect(facts).toEqual({ ok: true, value: { vectors: 8, width: 2048, encoders: ['clip_l', 'clip_g'], architecture: 'sdxl' } });
  });

  it('an SD 1.5 embedding: emb_params [4, 768] is a diffuser concept of 4 vectors', () => {
    const facts = embeddingFacts(header(safetensorsBytes({ emb_params: { shape: [4, 768] } })));
    expect(facts).toEqual({ ok: true, value: { vectors: 4, width: 768, encoders: ['single'], architecture: 'sd1' } });
  });

  it('a 1-D tensor is one vector; two unrelated tensors are not an embedding', () => {
    expect(embeddingFacts(header(safetensorsBytes({ '<cat>': { shape: [768] } })))).toEqual({
      ok: true,
      value: { vectors: 1, width: 768, encoders: ['single'], architecture: 'sd1' },
    });
    const two = embeddingFacts(header(safetensorsBytes({ a: { shape: [2, 768] }, b: { shape: [2, 768] } })));
    expect(two).toEqual({ ok: false, error: 'it holds 2 tensors and no clip_g/clip_l pair: neither a textual inversion embedding nor a diffuser concept' });
  });
});

describe('header scan of a LoRA', () => {
  it("stops after kohya's metadata when it comes first, and reads the names when there is none", () => {
    const withMeta = parseSafetensorsHeader(new TextEncoder().encode('{"__metadata__": {"ss_network_dim": "4"}, "lora_te1_a.weight": {"dtype": "F16", "shape": [1], "data_offsets": [0, 2]}, "broken": '), { tensors: 'names' });
    // The broken tail is never reached.
    expect(withMeta.ok && withMeta.value.tensorsSkipped).toBe(true);
    const bare = parseSafetensorsHeader(new TextEncoder().encode('{"__metadata__": {"format": "pt"}, "lora_te1_a.weight": {"dtype": "F16", "shape": [1], "data_offsets": [0, 2]}}'), { tensors: 'names' });
    expect(bare.ok && [...bare.value.tensors.keys()]).toEqual(['lora_te1_a.weight']);
    expect(bare.ok && networkFacts(bare.value).baseModel?.architecture).toBe('sdxl');
  });
});
