// "Copy seed into the block": the edit that puts `Seed: N` in a block's settings line. Pure.
import type { Block } from '../parse';

export interface SeedEdit {
  start: number;
  end: number;
  text: string;
}

/** Replaces the block's Seed value, else appends `, Seed: N` to its settings line, else adds a settings line. */
export function seedEdit(text: string, block: Block, seed: number): SeedEdit {
  const settings = block.settings;
  const value = String(seed);
  if (settings) {
    const entry = settings.entries.find((e) => e.key.toLowerCase() === 'seed');
    if (entry) return { start: entry.valueRange.start, end: entry.valueRange.end, text: value };
    let end = settings.end;
    while (end > settings.start && /[ \t,]/.test(text[end - 1]!)) end--;
    return { start: end, end, text: `, Seed: ${value}` };
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const at = Math.max(block.prompt?.contentEnd ?? block.node.start, block.negative?.contentEnd ?? 0);
  return { start: at, end: at, text: `${eol}Seed: ${value}` };
}
