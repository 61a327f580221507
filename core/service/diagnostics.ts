// Diagnostics: every check of core/checks, plus the token checks that need the tokenizer's counts — a tag
// that straddles a 75-token chunk boundary, and the token count of a prompt that needs more than one chunk.
// The language server and `tagsmith check` both report exactly this.

import { checkDocument, checkWildcardFile, formatMessage, rules, type CheckDiagnostic, type CheckOptions, type Rule, type Severity } from '../checks';
import { CHUNK_LENGTH, targetTokenCount } from '../chunks';
import type { Analysis, ServiceContext } from './analysis';

/** The options core/checks reads, from the service's context. */
export function checkOptionsOf(ctx: ServiceContext): CheckOptions {
  return { severity: ctx.severity, networks: ctx.networks, wildcards: ctx.wildcards, backend: ctx.backend };
}

/**
 * A wildcard .txt file: each option line checked as a prompt of its own, repeated options, an empty file
 * (core/checks/wildcardFile.ts). `name` is the wildcard's name (its path under the folder, no `.txt`).
 */
export function diagnoseWildcardFile(analysis: Analysis, ctx: ServiceContext, name: string): CheckDiagnostic[] {
  return checkWildcardFile(analysis.text, name, ctx.profile, checkOptionsOf(ctx));
}

/** Every diagnostic of a prompt document, by source offset. */
export function diagnose(analysis: Analysis, ctx: ServiceContext): CheckDiagnostic[] {
  const { doc } = analysis;
  const diagnostics = checkDocument(doc, ctx.profile, checkOptionsOf(ctx));
  const severityOf = (rule: Rule): Severity | undefined => {
    const override = ctx.severity[rule.code];
    return override === 'off' ? undefined : (override ?? rule.defaultSeverity);
  };
  const straddle = severityOf(rules.chunkStraddle);
  const count = severityOf(rules.tokenCount);
  if (!straddle && !count) return diagnostics;
  for (const block of doc.blocks) {
    for (const section of [block.prompt, block.negative]) {
      if (!section || section.tagCount === 0) continue;
      const tokens = analysis.tokens(section);
      const estimate = tokens.estimated ? ' (estimated: no CLIP tokenizer could be read)' : '';
      const name = section.kind === 'prompt' ? 'Prompt' : 'Negative prompt';
      if (straddle) {
        // One diagnostic per tag, at the first chunk edge it crosses (a tag can span many chunks).
        let previous: unknown;
        for (const { tag, chunk } of tokens.straddling) {
          if (tag === previous) continue;
          previous = tag;
          diagnostics.push({
            start: tag.start,
            end: tag.end,
            severity: straddle,
            code: rules.chunkStraddle.code,
            message: formatMessage(rules.chunkStraddle.message, { tag: tag.value, from: chunk + 1, to: chunk + 2, estimate }),
          });
        }
      }
      // A Dynamic Prompts section: the chunks of its largest expansion (which have no place in the source).
      const chunkCount = tokens.template ? targetTokenCount(tokens.tokenCount) / CHUNK_LENGTH : tokens.chunks.length;
      if (count && chunkCount > 1) {
        diagnostics.push({
          start: section.tagStart(0),
          end: section.tagEnd(0),
          severity: count,
          code: rules.tokenCount.code,
          message: formatMessage(rules.tokenCount.message, {
            section: name,
            chunks: chunkCount,
            count: tokens.tokenCount,
            capacity: targetTokenCount(tokens.tokenCount),
            estimate,
          }),
        });
      }
    }
  }
  // Stable: diagnostics at the same offset keep the order core/checks gave them.
  return diagnostics.sort((a, b) => a.start - b.start);
}
