// Where an offset lies in a parsed document: which block, which section, which tag. Shared by the features.
import type { SdDocument } from '../parse';
import type { Block, PromptSection, SettingsLine, Tag } from '../parse/tree';

export interface Place {
  kind: 'prompt' | 'negative' | 'settings' | 'none';
  block?: Block;
  section?: PromptSection;
  settings?: SettingsLine;
}

/** The block holding `offset` (its end included): blocks are in source order, so a binary search. */
function blockAt(blocks: readonly Block[], offset: number): Block | undefined {
  let lo = 0;
  let hi = blocks.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const block = blocks[mid]!;
    if (offset < block.node.start) hi = mid - 1;
    else if (offset > block.node.end) lo = mid + 1;
    else return block;
  }
  return undefined;
}

export function placeAt(doc: SdDocument, offset: number): Place {
  const block = blockAt(doc.blocks, offset);
  if (!block) {
    // Outside every block: on a `---` line, a comment, or an empty document. A new prompt can start on a
    // blank line after a separator.
    const line = doc.lines.lineAt(offset);
    const text = doc.text.slice(doc.lines.lineStarts[line]!, doc.lines.lineContentEnd(line));
    return /^\s*(#|---)/.test(text) ? { kind: 'none' } : { kind: 'prompt' };
  }
  const within = (start: number, end: number): boolean => start <= offset && offset <= end;
  if (block.settings && within(block.settings.start, block.settings.end)) return { kind: 'settings', block, settings: block.settings };
  if (block.negative && within(block.negative.contentStart, block.negative.contentEnd)) return { kind: 'negative', block, section: block.negative };
  if (block.prompt && within(block.prompt.contentStart, block.prompt.contentEnd)) return { kind: 'prompt', block, section: block.prompt };
  return { kind: 'none', block };
}

/** The tag whose text holds the offset (its end included, so a cursor just after a tag finds it). */
export function tagAt(section: PromptSection | undefined, offset: number): Tag | undefined {
  const tags = section?.tags ?? [];
  // Tags are in source order and do not overlap: the last one starting at or before the offset.
  let lo = 0;
  let hi = tags.length - 1;
  let found: Tag | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (tags[mid]!.start <= offset) {
      found = tags[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found && offset <= found.end ? found : undefined;
}

/** True when `offset` is on a comment line. */
export function onCommentLine(doc: SdDocument, offset: number): boolean {
  const line = doc.lines.lineAt(offset);
  return /^\s*#/.test(doc.text.slice(doc.lines.lineStarts[line]!, doc.lines.lineContentEnd(line)));
}
