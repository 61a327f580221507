// Completion over LSP: the service's items (core/service/completion.ts) with LSP ranges, kinds, snippet
// formats and markdown documentation; resolve fills in the documentation of the item the editor shows.

import { CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem, type CompletionList, type Position } from 'vscode-languageserver';
import type { Analysis, CompletionKind, PromptCompletionItem, PromptService, ResolvableCompletion } from '../../core';
import { lspRange } from './locate';

const KIND: Record<CompletionKind, CompletionItemKind> = {
  cardTag: CompletionItemKind.Keyword,
  tag: CompletionItemKind.Value,
  workspaceTag: CompletionItemKind.Text,
  snippet: CompletionItemKind.Snippet,
  embedding: CompletionItemKind.Reference,
  setting: CompletionItemKind.Property,
  choice: CompletionItemKind.EnumMember,
  value: CompletionItemKind.Value,
  style: CompletionItemKind.EnumMember,
  networkType: CompletionItemKind.Module,
  network: CompletionItemKind.File,
  wildcard: CompletionItemKind.Folder,
};

const markdown = (value: string): { kind: typeof MarkupKind.Markdown; value: string } => ({ kind: MarkupKind.Markdown, value });

function toLsp(analysis: Analysis, item: PromptCompletionItem): CompletionItem {
  const { doc } = analysis;
  return {
    label: item.label,
    kind: KIND[item.kind],
    ...(item.detail !== undefined ? { detail: item.detail } : {}),
    ...(item.documentation !== undefined ? { documentation: markdown(item.documentation) } : {}),
    ...(item.sortText !== undefined ? { sortText: item.sortText } : {}),
    ...(item.filterText !== undefined ? { filterText: item.filterText } : {}),
    textEdit: { range: lspRange(doc, item.edit.start, item.edit.end), newText: item.edit.newText },
    ...(item.snippet !== undefined ? { insertTextFormat: item.snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText } : {}),
    ...(item.additionalEdits ? { additionalTextEdits: item.additionalEdits.map((e) => ({ range: lspRange(doc, e.start, e.end), newText: e.newText })) } : {}),
    ...(item.command ? { command: item.command } : {}),
    ...(item.data !== undefined ? { data: item.data } : {}),
  };
}

/** The completion list at an LSP position of the analysed document (or of the block around the cursor). */
export function complete(service: PromptService, analysis: Analysis, position: Position): CompletionList {
  const list = service.completion(analysis, analysis.doc.lines.offsetAt(position));
  return { isIncomplete: list.isIncomplete, items: list.items.map((item) => toLsp(analysis, item)) };
}

/** completionItem/resolve: the markdown documentation of a dictionary or LoRA item. */
export function resolveCompletion(service: PromptService, item: CompletionItem): CompletionItem {
  if (item.documentation) return item;
  const { documentation } = service.resolveCompletion<ResolvableCompletion>({ data: item.data as unknown });
  return documentation === undefined ? item : { ...item, documentation: markdown(documentation) };
}
