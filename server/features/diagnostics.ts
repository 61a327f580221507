// Diagnostics: every check of core/checks, plus the token checks only a tokenizer can make — a tag that
// straddles a 75-token chunk boundary, and the token count of a prompt that needs more than one chunk.

import { DiagnosticSeverity, type Diagnostic, type DiagnosticRelatedInformation } from 'vscode-languageserver';
import { checkDocument, checkWildcardFile, formatMessage, rules, type Rule, type Severity } from '../../core/checks';
import type { Analysis, FeatureContext } from '../analysis';
import { CHUNK_LENGTH } from '../tokens';
import { lspRange } from './locate';

const LSP_SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/**
 * A wildcard .txt file (under a wildcards folder): each option line checked as a prompt of its own, repeated
 * options, an empty file (core/checks/wildcardFile.ts).
 */
export function diagnoseWildcardFile(analysis: Analysis, ctx: FeatureContext, uri: string): Diagnostic[] {
  const name = decodeURIComponent(uri.replace(/^.*\/wildcards\//, '')).replace(/\.txt$/i, '');
  return checkWildcardFile(analysis.text, name, ctx.profile, { severity: ctx.settings.severity, networks: ctx.networks, wildcards: ctx.wildcards }).map((d) => ({
    range: lspRange(analysis.doc, d.start, d.end),
    severity: LSP_SEVERITY[d.severity],
    code: d.code,
    source: 'tagsmith',
    message: d.message,
    ...(d.data ? { data: d.data } : {}),
  }));
}

export function diagnose(analysis: Analysis, ctx: FeatureContext, uri: string): Diagnostic[] {
  const { doc } = analysis;
  const diagnostics: Diagnostic[] = [];
  for (const d of checkDocument(doc, ctx.profile, { severity: ctx.settings.severity, networks: ctx.networks, wildcards: ctx.wildcards })) {
    const related: DiagnosticRelatedInformation[] | undefined = d.related?.map((r) => ({
      location: { uri, range: lspRange(doc, r.start, r.end) },
      message: r.message,
    }));
    diagnostics.push({
      range: lspRange(doc, d.start, d.end),
      severity: LSP_SEVERITY[d.severity],
      code: d.code,
      source: 'tagsmith',
      message: d.message,
      ...(related ? { relatedInformation: related } : {}),
      ...(d.data ? { data: d.data } : {}),
    });
  }
  const severityOf = (rule: Rule): Severity | undefined => {
    const override = ctx.settings.severity[rule.code];
    return override === 'off' ? undefined : (override ?? rule.defaultSeverity);
  };
  const straddle = severityOf(rules.chunkStraddle);
  const count = severityOf(rules.tokenCount);
  if (!straddle && !count) return sortByPosition(diagnostics);
  for (const block of doc.blocks) {
    for (const section of [block.prompt, block.negative]) {
      if (!section || section.tags.length === 0) continue;
      const tokens = analysis.tokens(section);
      const estimate = tokens.estimated ? ' (estimated: no CLIP tokenizer configured)' : '';
      const name = section.kind === 'prompt' ? 'Prompt' : 'Negative prompt';
      if (straddle) {
        for (const { tag, chunk } of tokens.straddling) {
          diagnostics.push({
            range: lspRange(doc, tag.node.start, tag.node.end),
            severity: LSP_SEVERITY[straddle],
            code: rules.chunkStraddle.code,
            source: 'tagsmith',
            message: formatMessage(rules.chunkStraddle.message, { tag: tag.value, from: chunk + 1, to: chunk + 2, estimate }),
          });
        }
      }
      if (count && tokens.chunks.length > 1) {
        const first = section.tags[0]!.node;
        diagnostics.push({
          range: lspRange(doc, first.start, first.end),
          severity: LSP_SEVERITY[count],
          code: rules.tokenCount.code,
          source: 'tagsmith',
          message: formatMessage(rules.tokenCount.message, {
            section: name,
            chunks: tokens.chunks.length,
            count: tokens.tokenCount,
            capacity: Math.ceil(tokens.tokenCount / CHUNK_LENGTH) * CHUNK_LENGTH,
            estimate,
          }),
        });
      }
    }
  }
  return sortByPosition(diagnostics);
}

function sortByPosition(diagnostics: Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic): number => d.range.start.line * 1e6 + d.range.start.character;
  return diagnostics.sort((a, b) => key(a) - key(b));
}
