// Diagnostics of a whole document, computed block by block and remembered by each block's text: after an
// edit only the edited block is parsed and checked again. Valid because every check of core/checks looks
// at one block at a time (prompt, negative prompt and settings line of the same block).

import type { Diagnostic, Range } from 'vscode-languageserver';
import { Analysis, type FeatureContext } from './analysis';
import { splitBlocks } from '../core/parse/blocks';
import { diagnose } from './features/diagnostics';
import type { TokenSource } from './tokens';

export class BlockDiagnostics {
  /** Per document: block text → its diagnostics, with lines counted from the block's first line. */
  private readonly byUri = new Map<string, Map<string, Diagnostic[]>>();

  /** Forget everything: the settings, the profile or the tokenizer changed. */
  clear(): void {
    this.byUri.clear();
  }

  forget(uri: string): void {
    this.byUri.delete(uri);
  }

  diagnose(text: string, uri: string, ctx: FeatureContext, tokens: TokenSource): Diagnostic[] {
    // A BOM is only a BOM at the very start; a block that starts with one elsewhere must be read in place.
    if (/\n\ufeff/.test(text)) return diagnose(new Analysis(text, tokens), ctx, uri);
    const previous = this.byUri.get(uri) ?? new Map<string, Diagnostic[]>();
    const current = new Map<string, Diagnostic[]>();
    const out: Diagnostic[] = [];
    for (const block of splitBlocks(text)) {
      const blockText = text.slice(block.start, block.end);
      let relative = current.get(blockText) ?? previous.get(blockText);
      if (!relative) relative = diagnose(new Analysis(blockText, tokens), ctx, uri);
      current.set(blockText, relative);
      for (const d of relative) out.push(block.line === 0 ? d : shifted(d, block.line));
    }
    this.byUri.set(uri, current);
    return out;
  }
}

function shifted(d: Diagnostic, lines: number): Diagnostic {
  const move = (r: Range): Range => ({ start: { line: r.start.line + lines, character: r.start.character }, end: { line: r.end.line + lines, character: r.end.character } });
  return {
    ...d,
    range: move(d.range),
    ...(d.relatedInformation ? { relatedInformation: d.relatedInformation.map((r) => ({ ...r, location: { ...r.location, range: move(r.location.range) } })) } : {}),
  };
}
