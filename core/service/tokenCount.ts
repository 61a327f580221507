// The token count and chunks of the prompt at an offset (the status bar: `42/75 · 1 chunk`, and its
// breakdown), and each prompt's count at the end of its text (inlay hints: `42/75`, `97/150`).
import { CHUNK_LENGTH, targetTokenCount } from '../chunks';
import type { Analysis } from './analysis';
import { placeAt } from './locate';

export interface TokenCountResult {
  tokenCount: number;
  chunks: number;
  estimated: boolean;
  prompt: 'prompt' | 'negative' | null;
  /** One entry per chunk; `chunk` counts from 1. */
  breakdown: Array<{ chunk: number; tokens: number; text: string }>;
}

export function tokenCountAt(analysis: Analysis, offset: number, estimated: boolean): TokenCountResult {
  const place = placeAt(analysis.doc, offset);
  if (!place.section) return { tokenCount: 0, chunks: 0, estimated, prompt: null, breakdown: [] };
  const tokens = analysis.tokens(place.section);
  return {
    tokenCount: tokens.tokenCount,
    // With a schedule the count is its largest text's (A1111's counter), whose chunks the capacity follows.
    // A Dynamic Prompts section's count is its largest expansion's: likewise (its chunks have no place in the source).
    chunks: tokens.scheduled || tokens.template ? targetTokenCount(tokens.tokenCount) / CHUNK_LENGTH : tokens.chunks.length,
    estimated: tokens.estimated,
    prompt: place.section.kind,
    breakdown: tokens.chunks.map((chunk, i) => ({ chunk: i + 1, tokens: chunk.tokens, text: analysis.text.slice(chunk.start, chunk.end) })),
  };
}

export interface TokenHint {
  /** Where the hint is shown: the end of the prompt's last line with text. */
  offset: number;
  /** A1111's counter: N / the next multiple of 75 (`~` marks an estimate). */
  label: string;
  tooltip: string;
}

/** The count of each prompt whose hint falls in [from, to]. */
export function tokenHints(analysis: Analysis, from: number, to: number): TokenHint[] {
  const { doc } = analysis;
  const hints: TokenHint[] = [];
  for (const block of doc.blocks) {
    if (block.node.end < from || block.node.start > to) continue;
    for (const section of [block.prompt, block.negative]) {
      if (!section || section.tags.length === 0) continue;
      const lastTag = section.tags[section.tags.length - 1]!;
      const at = doc.lines.lineContentEnd(doc.lines.lineAt(lastTag.end));
      if (at < from || at > to) continue;
      const tokens = analysis.tokens(section);
      const mark = tokens.estimated ? '~' : '';
      const chunks = tokens.template
        ? ` · the largest of ${tokens.template.sampled ? `${tokens.template.expansions} expansions drawn for seeds 0–63 (of more combinations)` : `its ${tokens.template.expansions} expansion${tokens.template.expansions === 1 ? '' : 's'}`}`
        : tokens.chunks.length > 1 ? ` · ${tokens.chunks.length} chunks (${tokens.chunks.map((c) => c.tokens).join(' + ')})` : '';
      hints.push({
        offset: at,
        label: `${mark}${tokens.tokenCount}/${targetTokenCount(tokens.tokenCount)}`,
        tooltip: `${section.kind === 'prompt' ? 'Prompt' : 'Negative prompt'}: ${tokens.tokenCount} tokens${chunks}${tokens.estimated ? '. Estimated: the CLIP tokenizer could not be read.' : ''}`,
      });
    }
  }
  return hints;
}
