// Diagnostics of a whole document, computed block by block and remembered by each block's text: after an
// edit only the edited block is parsed and checked again. Valid because every check of core/checks looks
// at one block at a time (prompt, negative prompt and settings line of the same block).

import { performance } from 'node:perf_hooks';
import { DiagnosticSeverity, type Diagnostic, type Range } from 'vscode-languageserver';
import { blockTooLarge as coreBlockTooLarge, eachBlock, formatMessage, MAX_BLOCK_CHARS, rules, type PromptService } from '../core';
import { diagnose } from './features/diagnostics';

export class BlockDiagnostics {
  /** Per document: block text → its diagnostics, with lines counted from the block's first line. */
  private readonly byUri = new Map<string, Map<string, Diagnostic[]>>();

  /** Bumped by clear(): a run that started before it does not store what it found. */
  private generation = 0;

  /** Forget everything: the settings, the profile or the tokenizer changed. */
  clear(): void {
    this.byUri.clear();
    this.generation++;
  }

  forget(uri: string): void {
    this.byUri.delete(uri);
  }

  /** All diagnostics of `text`, at once. */
  diagnose(text: string, uri: string, service: PromptService): Diagnostic[] {
    const steps = this.steps(text, uri, service);
    for (let step = steps.next(); ; step = steps.next()) if (step.done) return step.value;
  }

  /**
   * The same diagnostics, computed in slices of about `sliceMs` between which the event loop runs (other
   * requests are answered meanwhile). Undefined when `stale()` turns true at a slice's end — the document
   * changed, or the request was cancelled: the work is abandoned, the blocks read so far are kept.
   */
  async diagnoseInSlices(text: string, uri: string, service: PromptService, stale: () => boolean, sliceMs = 4): Promise<Diagnostic[] | undefined> {
    const steps = this.steps(text, uri, service);
    for (;;) {
      // Every slice, the first too, waits for its turn: one slice at a time in the whole server.
      await slices.turn();
      if (stale()) {
        steps.return(undefined as never);
        return undefined;
      }
      const deadline = performance.now() + sliceMs;
      for (;;) {
        const step = steps.next();
        if (step.done) return step.value;
        if (performance.now() >= deadline) break;
      }
    }
  }

  /** Yields after each block, returns the diagnostics. */
  private *steps(text: string, uri: string, service: PromptService): Generator<void, Diagnostic[]> {
    // A BOM is only a BOM at the very start; a block that starts with one elsewhere must be read in place.
    if (/\n\ufeff/.test(text)) {
      if (text.length > MAX_BLOCK_CHARS) return [blockTooLarge(text, 0, 0, text.length)];
      const all = diagnose(service, service.analyze(text), uri);
      return capped(all.slice(0, MAX_DIAGNOSTICS), all.length);
    }
    const generation = this.generation;
    const previous = this.byUri.get(uri) ?? new Map<string, Diagnostic[]>();
    const current = new Map<string, Diagnostic[]>();
    const out: Diagnostic[] = [];
    let total = 0;
    let finished = false;
    try {
      // Blocks found as they are read, and a step after each (cached ones too: after an edit to a document of
      // thousands of blocks, the cached blocks' lookups and shifted diagnostics took 50 ms and more at once).
      for (const block of eachBlock(text)) {
        if (block.end - block.start > MAX_BLOCK_CHARS) {
          total++;
          if (out.length < MAX_DIAGNOSTICS) out.push(blockTooLarge(text, block.line, block.start, block.end));
          continue;
        }
        const blockText = text.slice(block.start, block.end);
        let relative = current.get(blockText) ?? previous.get(blockText);
        relative ??= diagnose(service, service.analyze(blockText), uri);
        current.set(blockText, relative);
        total += relative.length;
        for (const d of relative) {
          if (out.length >= MAX_DIAGNOSTICS) break;
          out.push(block.line === 0 ? d : shifted(d, block.line));
        }
        yield;
      }
      finished = true;
    } finally {
      if (generation === this.generation) {
        // Abandoned: keep what was read beside what was known, for the next run.
        if (!finished) for (const [key, value] of previous) if (!current.has(key)) current.set(key, value);
        this.byUri.set(uri, current);
      }
    }
    return capped(out, total);
  }
}

/**
 * Lets the event loop answer what came in during a slice. Three turns: a request that arrived during the slice is
 * read on the first (poll phase), the LSP library handles it from an immediate queued there (after ours) and
 * writes its answer from one more immediate (its write queue): with two turns the answer went out only after the
 * next slice, and each completion beside a document being checked waited two slices (~10 ms instead of ~5).
 */
function yieldToRequests(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(() => setImmediate(resolve))));
}

/**
 * Hands out slices one at a time to all the sliced work of the process, in turn, with yieldToRequests between
 * any two: two documents checked at once, each yielding on its own, filled each other's gaps (a completion beside
 * two large documents being checked waited ~2 slices again).
 */
class SliceTurns {
  private readonly waiting: Array<() => void> = [];
  private pumping = false;

  /** Resolves when the caller may run one slice (synchronously: its turn ends when it awaits again). */
  turn(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      if (!this.pumping) void this.pump();
    });
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.waiting.length > 0) {
        await yieldToRequests();
        // The slice runs in the microtasks after this, before the next yield's first immediate.
        this.waiting.shift()!();
      }
    } finally {
      this.pumping = false;
    }
  }
}

const slices = new SliceTurns();

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

/** Blocks longer than this are not analysed by the server (checks, completion, hover): see core's MAX_BLOCK_CHARS. */
export { MAX_BLOCK_CHARS };
/** At most this many diagnostics are published per document (and one more saying how many there are). */
export const MAX_DIAGNOSTICS = 1000;

function blockTooLarge(text: string, line: number, start: number, end: number): Diagnostic {
  const d = coreBlockTooLarge(text, start, end);
  return {
    range: { start: { line, character: 0 }, end: { line, character: d.end - d.start } },
    severity: DiagnosticSeverity.Information,
    code: d.code,
    source: 'tagsmith',
    message: d.message,
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
