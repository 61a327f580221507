// Network indexing: 2,000 LoRAs with realistic headers (kohya metadata with a few hundred training tags,
// ~700 tensors named, ~60 KB each) plus sidecars, written to a temporary folder and indexed as the server
// does it; and one header read on its own.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { indexNetworks, readSafetensorsHeader } from '../server/networkIndex';
import { performance } from 'node:perf_hooks';
import { startClient } from '../test/server/lspClient';
import { fmtMs, median, percentile, report, threadCpuMs, timeRunsAsync, type BenchSuite } from './util';

const NETWORKS = 2000;

function loraFile(i: number): Uint8Array {
  const tags: Record<string, number> = {};
  for (let t = 0; t < 300; t++) tags[`tag ${t} of ${i}`] = 300 - t;
  const header: Record<string, unknown> = {
    __metadata__: {
      ss_base_model_version: i % 3 === 0 ? 'sd_v1' : 'sdxl_base_v1-0',
      ss_network_module: 'networks.lora',
      ss_network_dim: '32',
      ss_network_alpha: '16',
      ss_output_name: `lora${i}`,
      ss_tag_frequency: JSON.stringify({ [`10_lora${i}`]: tags }),
    },
  };
  let offset = 0;
  for (let t = 0; t < 700; t++) {
    header[`lora_unet_block_${t}.lora_down.weight`] = { dtype: 'F16', shape: [32, 640], data_offsets: [offset, offset + 16] };
    offset += 16;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

async function run(): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'tagsmith-bench-loras-'));
  try {
    let headerBytes = 0;
    for (let i = 0; i < NETWORKS; i++) {
      const dir = path.join(root, `group${i % 20}`);
      if (i < 20) mkdirSync(dir);
      const bytes = loraFile(i);
      headerBytes += bytes.length;
      writeFileSync(path.join(dir, `lora${i}.safetensors`), bytes);
      if (i % 2 === 0) writeFileSync(path.join(dir, `lora${i}.json`), JSON.stringify({ 'activation text': `trigger${i}`, 'preferred weight': 0.8 }));
      if (i % 4 === 0) writeFileSync(path.join(dir, `lora${i}.civitai.info`), JSON.stringify({ trainedWords: [`word${i}`], baseModel: 'SDXL 1.0' }));
    }
    report(`${NETWORKS} LoRA files written`, `${(headerBytes / NETWORKS / 1024).toFixed(0)} KB each on average`);
    const cpuBefore = threadCpuMs();
    const times = await timeRunsAsync(async () => {
      const index = await indexNetworks([root], []);
      if (index.loras.length !== NETWORKS) throw new Error(`indexed ${index.loras.length} of ${NETWORKS}`);
    }, 5);
    const cpuAfter = threadCpuMs();
    report(`index ${NETWORKS} networks (headers + sidecars + previews), median of 5`, fmtMs(median(times)), '< 1 s');
    if (cpuBefore !== undefined && cpuAfter !== undefined) report('  main-thread CPU per index (mean of the 6 runs incl. warm-up)', fmtMs((cpuAfter - cpuBefore) / 6));
    // Completion over LSP with them loaded: `<lora:` names, and the trigger words after a network.
    const client = await startClient({ settings: { loraFolders: [root] } });
    try {
      await client.waitForLog(/Networks: 2000 LoRA/);
      const uri = 'file:///bench-networks.sdprompt';
      const names = '1boy, <lora:lora1';
      const triggers = '1boy, <lora:lora2:0.8>, ';
      client.open(uri, `${names}\n---\n${triggers}`);
      const at = (line: number, character: number) => ({ textDocument: { uri }, position: { line, character } });
      for (const [label, position] of [['<lora: names', at(0, names.length)], ['trigger words after a network', at(2, triggers.length)]] as const) {
        const times: number[] = [];
        for (let i = 0; i < 60; i++) {
          const t0 = performance.now();
          await client.connection.sendRequest('textDocument/completion', position);
          if (i >= 10) times.push(performance.now() - t0);
        }
        report(`completion, ${label}, 2,000 networks (p50 / p95 of 50)`, `${fmtMs(median(times))} / ${fmtMs(percentile(times, 95))}`, 'p95 < 3 ms');
      }
    } finally {
      await client.stop();
    }
    const one = path.join(root, 'group1', 'lora1.safetensors');
    const reads = await timeRunsAsync(async () => void (await readSafetensorsHeader(one)), 50);
    report('one header read (~60 KB), median of 50', fmtMs(median(reads)), '< 5 ms');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export const networksBench: BenchSuite = { name: 'networks', run };
