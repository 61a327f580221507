// The status bar text for a token count, as A1111 shows it under the prompt box (`42/75`), with the
// number of 75-token chunks. Pure, so it is unit-tested without VS Code.
import type { TokenCountResult } from './protocol';

/** Tokens per chunk: CLIP's 77 positions less the start and end tokens. */
export const CHUNK_TOKENS = 75;

/** `42/75 · 1 chunk`, `~80/150 · 2 chunks` (estimated), `Negative 12/75 · 1 chunk`. */
export function tokenCountLabel(result: Pick<TokenCountResult, 'tokenCount' | 'chunks' | 'estimated' | 'prompt'>): string {
  const chunks = Math.max(1, result.chunks);
  const count = `${result.estimated ? '~' : ''}${result.tokenCount}/${chunks * CHUNK_TOKENS}`;
  const label = `${count} · ${chunks} ${chunks === 1 ? 'chunk' : 'chunks'}`;
  return result.prompt === 'negative' ? `Negative ${label}` : label;
}
