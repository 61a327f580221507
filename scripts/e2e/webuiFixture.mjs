// An A1111 folder for the UI test: one SDXL LoRA with its A1111 sidecar and a preview image (the
// extension's icon), so a hover can show the preview as a user's own LoRA folder would.
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A .safetensors file: 8-byte little-endian header length, the JSON header, then the tensor bytes. */
function safetensors(tensors, metadata) {
  const header = { __metadata__: metadata };
  let offset = 0;
  for (const [name, shape] of Object.entries(tensors)) {
    const size = shape.reduce((a, b) => a * b, 1) * 2;
    header[name] = { dtype: 'F16', shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  const json = Buffer.from(JSON.stringify(header));
  const out = Buffer.alloc(8 + json.length + offset);
  out.writeBigUInt64LE(BigInt(json.length));
  json.copy(out, 8);
  return out;
}

export function makeWebuiFolder(root) {
  const webui = mkdtempSync(path.join(tmpdir(), 'tagsmith-e2e-webui-'));
  const lora = path.join(webui, 'models', 'Lora');
  mkdirSync(lora, { recursive: true });
  writeFileSync(
    path.join(lora, 'knight.safetensors'),
    safetensors({ 'lora_te1_text_model_encoder_layers_0_mlp_fc1.lora_down.weight': [4, 768] }, {
      ss_base_model_version: 'sdxl_base_v1-0',
      ss_network_dim: '4',
      ss_network_alpha: '2',
      ss_tag_frequency: JSON.stringify({ '10_knight': { 'silver armor': 12, knight: 10 } }),
    }),
  );
  writeFileSync(path.join(lora, 'knight.json'), JSON.stringify({ 'activation text': 'silver knight', 'preferred weight': 0.8 }));
  copyFileSync(path.join(root, 'images', 'icon.png'), path.join(lora, 'knight.preview.png'));
  return webui;
}
