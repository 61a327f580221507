// Block-level edits for the editor commands, on core's parser: the block under the cursor as A1111
// infotext, and where a negative preset or add-on goes. Pure (no `vscode`): text and offsets in, text out.
import { parseDocument, type Block, type PromptSection, type SdDocument } from '../parse';

/** The block that holds `offset`; on a separator or after the last block, the block before it. */
export function blockAt(doc: SdDocument, offset: number): Block | undefined {
  let found: Block | undefined;
  for (const block of doc.blocks) {
    if (block.node.start > offset) break;
    found = block;
    if (offset <= block.node.end) break;
  }
  return found ?? doc.blocks[0];
}

/**
 * The block as A1111 writes infotext: the prompt, `Negative prompt: …` when there is one, then the settings
 * line as written. Comment lines are dropped. Undefined for a block with nothing in it.
 */
export function blockInfotext(doc: SdDocument, block: Block): string | undefined {
  const lines: string[] = [];
  lines.push(block.prompt?.text ?? '');
  if (block.negative && block.negative.text !== '') lines.push(`Negative prompt: ${block.negative.text}`);
  if (block.settings) lines.push(doc.text.slice(block.settings.start, block.settings.end).trim());
  const text = lines.join('\n').trim();
  return text === '' ? undefined : text;
}

export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

export type PresetResult = { edit: TextEdit } | { message: string };

export interface PresetChoice {
  /** The text to put in the negative prompt. */
  text: string;
  /**
   * `preset`: the whole negative prompt (replaces another preset, fills an empty one, else is appended);
   * `add-on`: appended to what is there.
   */
  kind: 'preset' | 'add-on';
}

/**
 * Where `choice` goes in the negative prompt of the block under `offset`. Creates the `Negative prompt:`
 * line after the prompt when the block has none. `otherPresets` are the texts a preset may replace.
 */
export function negativePresetEdit(text: string, offset: number, choice: PresetChoice, otherPresets: readonly string[]): PresetResult {
  const doc = parseDocument(text);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const block = blockAt(doc, offset);
  if (!block) return { edit: { start: text.length, end: text.length, text: `${text === '' || text.endsWith('\n') ? '' : eol}Negative prompt: ${choice.text}` } };

  const negative = block.negative;
  if (!negative) {
    // After the prompt's last line; before the settings line when the block has no prompt.
    const at = block.prompt ? block.prompt.contentEnd : block.node.start;
    const line = `Negative prompt: ${choice.text}`;
    return { edit: block.prompt ? { start: at, end: at, text: `${eol}${line}` } : { start: at, end: at, text: `${line}${eol}` } };
  }

  const current = negative.text;
  if (normalize(current).includes(normalize(choice.text))) {
    return { message: 'The negative prompt already has it.' };
  }
  const contentEnd = sourceEndOfText(negative);
  if (current === '') {
    return { edit: { start: negative.contentStart, end: negative.contentEnd, text: ` ${choice.text}` } };
  }
  if (choice.kind === 'preset' && otherPresets.some((p) => normalize(p) === normalize(current))) {
    return { edit: { start: negative.contentStart, end: contentEnd, text: ` ${choice.text}` } };
  }
  const separator = /,\s*$/.test(text.slice(negative.contentStart, contentEnd)) ? ' ' : ', ';
  return { edit: { start: contentEnd, end: contentEnd, text: `${separator}${choice.text}` } };
}

function normalize(prompt: string): string {
  return prompt.replace(/\s+/g, ' ').replace(/\s*,\s*/g, ', ').trim();
}

/** Where the section's text (comments and trailing blanks left out) ends in the source. */
function sourceEndOfText(section: PromptSection): number {
  const last = section.segments[section.segments.length - 1];
  return last ? last.sourceStart + Math.min(last.length, section.text.length - last.textStart) : section.contentStart;
}
