// The one cursor-marker helper of the feature tests: `atCursor('1boy, best qu|')` gives the analysed
// document (marker removed) with the offset and LSP position of the `|`; `resultText` applies a feature's
// edits to the text and puts the marker back where the cursor ends, as css-languageservice's tests do.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TagIndex } from '../../core/dictionary/dictionary';
import { defaultProfile } from '../../core/profiles';
import { createPromptService, type Analysis, type PromptService, type PromptServiceOptions, type ServiceContext } from '../../core/service';
import { estimatedTokens, type TokenSource } from '../../core/service/tokens';
import type { Position } from 'vscode-languageserver';

export const fixtureTags = TagIndex.fromCsv(readFileSync(path.resolve(__dirname, '../fixtures/server/tags.csv'), 'utf8'));

export type ServiceOverrides = Partial<PromptServiceOptions> & { settings?: { severity?: PromptServiceOptions['severity']; keepUnderscores?: boolean } };

/** A service over the default profile and the fixture dictionary, counting with `tokens` (estimates by default). */
export function service(overrides: ServiceOverrides = {}): PromptService {
  const { settings, ...options } = overrides;
  return createPromptService({
    profile: defaultProfile,
    tokens: estimatedTokens,
    dictionaries: [fixtureTags],
    ...options,
    ...(settings?.severity ? { severity: settings.severity } : {}),
    ...(settings?.keepUnderscores !== undefined ? { keepUnderscores: settings.keepUnderscores } : {}),
  });
}

export function context(overrides: ServiceOverrides = {}): ServiceContext {
  return service(overrides).context;
}

/**
 * Splits `text` at its `|` marker: the analysed document (marker removed), the offset and the LSP position.
 * A text that holds `|` itself (a `{a|b}` variant) marks the cursor with another `marker`.
 */
export function atCursor(marked: string, tokens: TokenSource = estimatedTokens, marker = '|'): { analysis: Analysis; position: Position; offset: number; text: string } {
  const offset = marked.indexOf(marker);
  if (offset < 0) throw new Error(`no ${marker} cursor marker in ${JSON.stringify(marked)}`);
  const text = marked.slice(0, offset) + marked.slice(offset + marker.length);
  const analysis = service({ tokens }).analyze(text);
  return { analysis, position: analysis.doc.lines.positionAt(offset), offset, text };
}

export function analyse(text: string, tokens: TokenSource = estimatedTokens): Analysis {
  return service({ tokens }).analyze(text);
}

/** An edit in offsets of the text (what the service returns). */
export interface OffsetTextEdit {
  start: number;
  end: number;
  newText: string;
}

/**
 * The text after `edits` (non-overlapping, any order), with `|` where the cursor ends: after the last edit's
 * text, or at `cursor` (an offset into the text before the edits) when there are none.
 */
export function resultText(text: string, edits: readonly OffsetTextEdit[], cursor?: number): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  let mark = -1;
  for (const edit of sorted) {
    out += text.slice(at, edit.start) + edit.newText;
    mark = out.length;
    at = edit.end;
  }
  out += text.slice(at);
  if (mark < 0) {
    if (cursor === undefined) return out;
    mark = cursor;
  }
  return `${out.slice(0, mark)}|${out.slice(mark)}`;
}
