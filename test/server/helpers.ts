// Cursor-marker helpers for feature tests: `complete('1boy, best qu|')` runs a feature at the `|`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TagIndex } from '../../core/dictionary/dictionary';
import { defaultProfile } from '../../core/profiles';
import { Analysis, type FeatureContext } from '../../server/analysis';
import { defaultSettings, type ServerSettings } from '../../server/settings';
import { estimatedTokens, type TokenSource } from '../../server/tokens';
import type { Position } from 'vscode-languageserver';

export const fixtureTags = TagIndex.fromCsv(readFileSync(path.resolve(__dirname, '../fixtures/server/tags.csv'), 'utf8'));

export function context(overrides: Omit<Partial<FeatureContext>, 'settings'> & { settings?: Partial<ServerSettings> } = {}): FeatureContext {
  return {
    profile: defaultProfile,
    dictionaries: [fixtureTags],
    workspaceTags: new Map(),
    loraNames: [],
    ...overrides,
    settings: { ...defaultSettings, ...overrides.settings },
  };
}

/** Splits `text` at its `|` marker: the analysed document (marker removed) and the LSP position. */
export function atCursor(marked: string, tokens: TokenSource = estimatedTokens): { analysis: Analysis; position: Position; offset: number } {
  const offset = marked.indexOf('|');
  if (offset < 0) throw new Error(`no | cursor marker in ${JSON.stringify(marked)}`);
  const text = marked.slice(0, offset) + marked.slice(offset + 1);
  const analysis = new Analysis(text, tokens);
  return { analysis, position: analysis.doc.lines.positionAt(offset), offset };
}

export function analyse(text: string, tokens: TokenSource = estimatedTokens): Analysis {
  return new Analysis(text, tokens);
}
