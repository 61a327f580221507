// Atoms for ranges of a source text, one object per distinct content: a prompt repeats its tags (and a document its
// quality suffix and negative preset hundreds of times), and a fresh string per tag cost an allocation plus, in every
// map the checks key by it, hashing it again. Looked up by a hash of the range's characters, so a repeated tag
// allocates nothing. Bounded: emptied when half full, so any input keeps it at its size.

/** An interned text, with one slot a caller may keep what it worked out of the text in (see TextAtom.memo). */
export interface TextAtom {
  /** The characters it is found by. */
  readonly key: string;
  /** What they stand for: `key` itself, or the text it was added with (see addAtom). */
  readonly text: string;
  /**
   * What a cache of the caller's holds for this text, valid while `memoOwner` is that cache (the checks: a tag's facts
   * for a profile), so the caller needs no lookup of its own.
   */
  memo: unknown;
  memoOwner: unknown;
}

const SLOTS = 1 << 16;
/** Ranges longer than this have no atom. */
export const MAX_ATOM_LENGTH = 256;
let slots: Array<TextAtom | undefined> = new Array<TextAtom | undefined>(SLOTS).fill(undefined);
let used = 0;

function hashOf(src: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let k = start; k < end; k++) h = Math.imul(h ^ src.charCodeAt(k), 0x01000193);
  return h;
}

const eligible = (start: number, end: number): boolean => end > start && end - start <= MAX_ATOM_LENGTH;

/** The atom of src[start, end) if there is one: the same object for the same characters wherever they stand. */
export function findAtom(src: string, start: number, end: number): TextAtom | undefined {
  if (!eligible(start, end)) return undefined;
  const length = end - start;
  const mask = SLOTS - 1;
  for (let at = hashOf(src, start, end) & mask; ; at = (at + 1) & mask) {
    const found = slots[at];
    if (found === undefined) return undefined;
    if (found.key.length === length && sameChars(found.key, src, start)) return found;
  }
}

/**
 * A new atom for src[start, end), which findAtom did not find, standing for `text` (default: the characters
 * themselves; another text must depend on those characters alone). Undefined for an empty or a long range.
 */
export function addAtom(src: string, start: number, end: number, text?: string): TextAtom | undefined {
  if (!eligible(start, end)) return undefined;
  if (used >= SLOTS >> 1) {
    slots = new Array<TextAtom | undefined>(SLOTS).fill(undefined);
    used = 0;
  }
  const mask = SLOTS - 1;
  let at = hashOf(src, start, end) & mask;
  while (slots[at] !== undefined) at = (at + 1) & mask;
  const key = flatCopy(src, start, end);
  const atom: TextAtom = { key, text: text ?? key, memo: undefined, memoOwner: undefined };
  slots[at] = atom;
  used++;
  return atom;
}

const codes = new Uint16Array(MAX_ATOM_LENGTH);

/** The characters of src[start, end) as a string of their own: a slice may be a view that keeps all of `src` alive. */
function flatCopy(src: string, start: number, end: number): string {
  for (let k = start; k < end; k++) codes[k - start] = src.charCodeAt(k);
  return String.fromCharCode.apply(null, codes.subarray(0, end - start) as unknown as number[]);
}

function sameChars(a: string, src: string, start: number): boolean {
  for (let k = 0; k < a.length; k++) if (a.charCodeAt(k) !== src.charCodeAt(start + k)) return false;
  return true;
}
