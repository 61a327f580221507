// Diagnostics over LSP: the service's diagnostics (core/service/diagnostics.ts) with LSP ranges.

import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { Analysis, CheckDiagnostic, PromptService, Severity } from '../../core';
import { lspRange } from './locate';

const LSP_SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toLspDiagnostic(analysis: Analysis, d: CheckDiagnostic, uri: string): Diagnostic {
  const { doc } = analysis;
  return {
    range: lspRange(doc, d.start, d.end),
    severity: LSP_SEVERITY[d.severity],
    code: d.code,
    source: 'tagsmith',
    message: d.message,
    ...(d.related ? { relatedInformation: d.related.map((r) => ({ location: { uri, range: lspRange(doc, r.start, r.end) }, message: r.message })) } : {}),
    ...(d.data ? { data: d.data } : {}),
  };
}

/** The diagnostics of a prompt document (or of one block's text), with LSP ranges. */
export function diagnose(service: PromptService, analysis: Analysis, uri: string): Diagnostic[] {
  return service.diagnostics(analysis).map((d) => toLspDiagnostic(analysis, d, uri));
}

/** A wildcard .txt file (under a wildcards folder): named by its path under the folder. */
export function diagnoseWildcardFile(service: PromptService, analysis: Analysis, uri: string): Diagnostic[] {
  const name = decodeURIComponent(uri.replace(/^.*\/wildcards\//, '')).replace(/\.txt$/i, '');
  return service.wildcardFileDiagnostics(analysis, name).map((d) => toLspDiagnostic(analysis, d, uri));
}
