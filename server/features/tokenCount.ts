// The custom request `tagsmith/tokenCount`: the service's count of the prompt under the cursor, for the
// status bar (`42/75 · 1 chunk`) and its breakdown.
import type { Position } from 'vscode-languageserver';
import type { Analysis, PromptService, TokenCountResult } from '../../core';

export type { TokenCountResult };

export const TOKEN_COUNT_METHOD = 'tagsmith/tokenCount';

export interface TokenCountParams {
  uri: string;
  position: Position;
}

export function tokenCountAt(service: PromptService, analysis: Analysis, position: Position): TokenCountResult {
  return service.tokenCount(analysis, analysis.doc.lines.offsetAt(position));
}
