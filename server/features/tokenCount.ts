// The custom request `tagsmith/tokenCount`: the token count and chunks of the prompt under the cursor,
// for the status bar (`42/75 · 1 chunk`) and its breakdown.
import { CHUNK_LENGTH, targetTokenCount } from '../../core/chunks';
import type { Position } from 'vscode-languageserver';
import type { Analysis } from '../analysis';
import { placeAt } from './locate';

export const TOKEN_COUNT_METHOD = 'tagsmith/tokenCount';

export interface TokenCountParams {
  uri: string;
  position: Position;
}

export interface TokenCountResult {
  tokenCount: number;
  chunks: number;
  estimated: boolean;
  prompt: 'prompt' | 'negative' | null;
  /** One entry per chunk; `chunk` counts from 1. */
  breakdown: Array<{ chunk: number; tokens: number; text: string }>;
}

export function tokenCountAt(analysis: Analysis, position: Position, estimated: boolean): TokenCountResult {
  const offset = analysis.doc.lines.offsetAt(position);
  const place = placeAt(analysis.doc, offset);
  if (!place.section) return { tokenCount: 0, chunks: 0, estimated, prompt: null, breakdown: [] };
  const tokens = analysis.tokens(place.section);
  return {
    tokenCount: tokens.tokenCount,
    // With a schedule the count is its largest text's (A1111's counter), whose chunks the capacity follows.
    chunks: tokens.scheduled ? targetTokenCount(tokens.tokenCount) / CHUNK_LENGTH : tokens.chunks.length,
    estimated: tokens.estimated,
    prompt: place.section.kind,
    breakdown: tokens.chunks.map((chunk, i) => ({ chunk: i + 1, tokens: chunk.tokens, text: analysis.text.slice(chunk.start, chunk.end) })),
  };
}
