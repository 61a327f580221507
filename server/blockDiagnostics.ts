// Diagnostics of a whole document, computed block by block and remembered by each block's text: after an
// edit only the edited block is parsed and checked again. Valid because every check of core/checks looks
// at one block at a time (prompt, negative prompt and settings line of the same block).

import { DiagnosticSeverity, type Diagnostic, type Range } from 'vscode-languageserver';
import { formatMessage, rules } from '../core/checks/rules';
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
    if (/\n\ufeff/.test(text)) {
      if (text.length > MAX_BLOCK_CHARS) return [blockTooLarge(text, 0, 0, text.length)];
      const all = diagnose(new Analysis(text, tokens), ctx, uri);
      return capped(all.slice(0, MAX_DIAGNOSTICS), all.length);
    }
    const previous = this.byUri.get(uri) ?? new Map<string, Diagnostic[]>();
    const current = new Map<string, Diagnostic[]>();
    const out: Diagnostic[] = [];
    let total = 0;
    for (const block of splitBlocks(text)) {
      if (block.end - block.start > MAX_BLOCK_CHARS) {
        total++;
        if (out.length < MAX_DIAGNOSTICS) out.push(blockTooLarge(text, block.line, block.start, block.end));
        continue;
      }
      const blockText = text.slice(block.start, block.end);
      let relative = current.get(blockText) ?? previous.get(blockText);
      if (!relative) relative = diagnose(new Analysis(blockText, tokens), ctx, uri);
      current.set(blockText, relative);
      total += relative.length;
      for (const d of relative) {
        if (out.length >= MAX_DIAGNOSTICS) break;
        out.push(block.line === 0 ? d : shifted(d, block.line));
      }
    }
    this.byUri.set(uri, current);
    return capped(out, total);
  }
}

/** `shown` (the first diagnostics of `total`), and when some were left out, one more that says so. */
function capped(shown: Diagnostic[], total: number): Diagnostic[] {
  if (total <= shown.length || shown.length === 0) return shown;
  shown.push({
    range: shown[shown.length - 1]!.range,
    severity: DiagnosticSeverity.Information,
    code: rules.tooManyDiagnostics.code,
    source: 'tagsmith',
    message: formatMessage(rules.tooManyDiagnostics.message, { shown: shown.length.toLocaleString('en-US'), total: total.toLocaleString('en-US') }),
  });
  return shown;
}

/**
 * Blocks longer than this are not analysed by the server (checks, completion, hover): a block is a prompt,
 * a negative prompt and a settings line, a few KB at most when written by hand, and one of a few hundred
 * thousand characters would keep the server from answering anything else while it is read.
 */
export const MAX_BLOCK_CHARS = 256 * 1024;
/** At most this many diagnostics are published per document (and one more saying how many there are). */
export const MAX_DIAGNOSTICS = 1000;

function blockTooLarge(text: string, line: number, start: number, end: number): Diagnostic {
  const firstLineEnd = text.indexOf('\n', start);
  const lineEnd = firstLineEnd < 0 || firstLineEnd > end ? end : firstLineEnd;
  return {
    range: { start: { line, character: 0 }, end: { line, character: Math.min(lineEnd - start, 200) } },
    severity: DiagnosticSeverity.Information,
    code: rules.blockTooLarge.code,
    source: 'tagsmith',
    message: formatMessage(rules.blockTooLarge.message, { size: (end - start).toLocaleString('en-US'), limit: MAX_BLOCK_CHARS.toLocaleString('en-US') }),
  };
}

function shifted(d: Diagnostic, lines: number): Diagnostic {
  const move = (r: Range): Range => ({ start: { line: r.start.line + lines, character: r.start.character }, end: { line: r.end.line + lines, character: r.end.character } });
  return {
    ...d,
    range: move(d.range),
    ...(d.relatedInformation ? { relatedInformation: d.relatedInformation.map((r) => ({ ...r, location: { ...r.location, range: move(r.location.range) } })) } : {}),
  };
}
