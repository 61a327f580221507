// Increase / Decrease Emphasis, with the behaviour of A1111's Ctrl+Up / Ctrl+Down
// (javascript/edit-attention.js): with nothing selected, pick the `<…>` or `(…)` block around the cursor, or
// else the word under it; wrap it as `(word:1.0)` when it has no weight yet; then step the weight, writing
// it as A1111 does (`1.0`, `1.1`, twelve significant digits) and dropping the brackets when it returns to 1.
// Pure: text and selection in, text and selection out. No `vscode` here, so it is unit-tested directly.

export interface TextSelection {
  /** Offsets into the text; `start === end` is a cursor. */
  start: number;
  end: number;
}

export interface EmphasisEdit {
  text: string;
  selection: TextSelection;
}

export interface EmphasisOptions {
  /** +1 to increase, -1 to decrease. */
  direction: 1 | -1;
  /** Step for `(text:weight)`; A1111's "precision for (attention:1.1)", default 0.1. */
  step?: number;
  /** Step for `<lora:name:weight>`; A1111's "precision for <extra networks:0.9>", default 0.05. */
  extraNetworkStep?: number;
  /**
   * Characters that end the word under the cursor. A1111 uses `.,\/!?%^*;:{}=`~()` plus space, tab and line
   * breaks, so it picks one word. The default here leaves out the space so the whole tag under the cursor
   * (`looking at viewer`) is picked, as a user of a tag-based prompt expects.
   */
  delimiters?: string;
}

/** A1111's default `keyedit_delimiters` with the whitespace its script adds. */
export const A1111_WORD_DELIMITERS = '.,\\/!?%^*;:{}=`~() \r\n\t';
/** The same without the space: a tag of several words is one unit. */
export const TAG_DELIMITERS = '.,\\/!?%^*;:{}=`~()\r\n\t';

/**
 * Changes the emphasis of the selection, or of the bracket block or tag under the cursor.
 * Returns undefined when there is nothing to change (as A1111 leaves the text alone).
 */
export function changeEmphasis(text: string, selection: TextSelection, options: EmphasisOptions): EmphasisEdit | undefined {
  const delimiters = options.delimiters ?? TAG_DELIMITERS;
  let { start, end } = selection;

  if (start === end) {
    const block = enclosingBlockContent(text, start, '<', '>') ?? enclosingBlockContent(text, start, '(', ')');
    if (block) {
      ({ start, end } = block);
    } else {
      ({ start, end } = wordAt(text, start, delimiters));
      if (delimiters !== A1111_WORD_DELIMITERS) ({ start, end } = trimSpaces(text, start, end));
    }
  }

  let close = ')';
  let step = options.step ?? 0.1;
  if (start > 0 && text[start - 1] === '<') {
    close = '>';
    step = options.extraNetworkStep ?? 0.05;
  } else if (start === 0 || text[start - 1] !== '(') {
    // Not inside `(` yet: wrap the selection, without its trailing spaces, as `(selection:1.0)`.
    while (end > start && text[end - 1] === ' ') end--;
    if (start === end) return undefined;
    text = `${text.slice(0, start)}(${text.slice(start, end)}:1.0)${text.slice(end)}`;
    start++;
    end++;
  }

  // The weight sits between the character after the selection (the `:`) and the closing bracket.
  const weightEnd = text.indexOf(close, end + 1);
  const closeAt = weightEnd === -1 ? end : weightEnd;
  const parsed = parseFloatLikeJs(text.slice(end + 1, closeAt + 1));
  if (Number.isNaN(parsed)) return undefined;

  const weight = Number.parseFloat((parsed + options.direction * step).toPrecision(12));
  const written = String(weight).length === 1 ? `${weight}.0` : String(weight);

  if (close === ')' && weight === 1) {
    // Back to 1: drop `(` and `:1.0)`, keeping the text selected.
    const closeParen = text.indexOf(')', end);
    const rest = text.slice(closeParen === -1 ? end : closeParen + 1);
    return { text: text.slice(0, start - 1) + text.slice(start, end) + rest, selection: { start: start - 1, end: end - 1 } };
  }
  return { text: text.slice(0, end + 1) + written + text.slice(closeAt), selection: { start, end } };
}

/**
 * The text inside the `open`…`close` block around the cursor, up to its last `:` (the name without the
 * weight), or undefined when the cursor is not inside such a block. Nested blocks are skipped by pairing
 * brackets on each side of the cursor, as A1111 does.
 */
function enclosingBlockContent(text: string, cursor: number, open: string, close: string): TextSelection | undefined {
  const before = text.slice(0, cursor);
  let openAt = before.lastIndexOf(open);
  if (openAt === -1) return undefined;
  let closeBefore = before.lastIndexOf(close);
  while (closeBefore !== -1 && closeBefore > openAt) {
    openAt = before.lastIndexOf(open, openAt - 1);
    closeBefore = before.lastIndexOf(close, closeBefore - 1);
  }

  const after = text.slice(cursor);
  let closeAfter = after.indexOf(close);
  if (closeAfter === -1) return undefined;
  let openAfter = after.indexOf(open);
  while (openAfter !== -1 && closeAfter > openAfter) {
    closeAfter = after.indexOf(close, closeAfter + 1);
    openAfter = after.indexOf(open, openAfter + 1);
  }
  if (openAt === -1 || closeAfter === -1) return undefined;

  const content = text.slice(openAt + 1, cursor + closeAfter);
  // Without a `:` this end lands before the start, and no weight is found later: A1111 then changes nothing.
  return { start: openAt + 1, end: openAt + 1 + content.lastIndexOf(':') };
}

/** The run of non-delimiter characters around the cursor. */
function wordAt(text: string, cursor: number, delimiters: string): TextSelection {
  let start = cursor;
  let end = cursor;
  while (start > 0 && !delimiters.includes(text[start - 1]!)) start--;
  while (end < text.length && !delimiters.includes(text[end]!)) end++;
  return { start, end };
}

function trimSpaces(text: string, start: number, end: number): TextSelection {
  while (start < end && text[start] === ' ') start++;
  while (end > start && text[end - 1] === ' ') end--;
  return { start, end };
}

/** JavaScript's parseFloat, named for what it is: reads the longest number at the start, ignoring the rest. */
function parseFloatLikeJs(text: string): number {
  return Number.parseFloat(text);
}
