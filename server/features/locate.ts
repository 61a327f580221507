// Where an offset lies in a parsed document: which block, which section, which tag. Shared by the features.
import type { SdDocument } from '../../core/parse';
import type { Block, PromptSection, SettingsLine, Tag } from '../../core/parse/tree';
import type { Range as LspRange } from 'vscode-languageserver';

export interface Place {
  kind: 'prompt' | 'negative' | 'settings' | 'none';
  block?: Block;
  section?: PromptSection;
  settings?: SettingsLine;
}

export function placeAt(doc: SdDocument, offset: number): Place {
  const block = doc.blocks.find((b) => b.node.start <= offset && offset <= b.node.end);
  if (!block) {
    // Outside every block: on a `---` line, a comment, or an empty document. A new prompt can start on a
    // blank line after a separator.
    const line = doc.lines.lineAt(offset);
    const text = doc.text.slice(doc.lines.lineStarts[line]!, doc.lines.lineContentEnd(line));
    return /^\s*(#|---)/.test(text) ? { kind: 'none' } : { kind: 'prompt' };
  }
  const within = (start: number, end: number): boolean => start <= offset && offset <= end;
  if (block.settings && within(block.settings.node.start, block.settings.node.end)) return { kind: 'settings', block, settings: block.settings };
  if (block.negative && within(block.negative.contentStart, block.negative.contentEnd)) return { kind: 'negative', block, section: block.negative };
  if (block.prompt && within(block.prompt.contentStart, block.prompt.contentEnd)) return { kind: 'prompt', block, section: block.prompt };
  return { kind: 'none', block };
}

/** The tag whose text holds the offset (its end included, so a cursor just after a tag finds it). */
export function tagAt(section: PromptSection | undefined, offset: number): Tag | undefined {
  return section?.tags.find((t) => t.node.start <= offset && offset <= t.node.end);
}

export function lspRange(doc: SdDocument, start: number, end: number): LspRange {
  return { start: doc.lines.positionAt(start), end: doc.lines.positionAt(end) };
}

/** True when `offset` is on a comment line. */
export function onCommentLine(doc: SdDocument, offset: number): boolean {
  const line = doc.lines.lineAt(offset);
  return /^\s*#/.test(doc.text.slice(doc.lines.lineStarts[line]!, doc.lines.lineContentEnd(line)));
}
