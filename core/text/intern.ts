// Strings for ranges of a source text, one object per distinct content: a prompt repeats its tags (and a document its
// quality suffix and negative preset hundreds of times), and a fresh slice per tag cost an allocation plus, in every
// map the checks key by it, hashing it again. Looked up by a hash of the range's characters, so a repeated tag
// allocates nothing. Bounded: emptied when half full, so any input keeps it at its size.

/** An interned text, with one slot a caller may keep what it worked out of the text in (see TextAtom.memo). */
export interface TextAtom {
  readonly text: string;
  /**
   * What a cache of the caller's holds for this text, valid while `memoOwner` is that cache (the checks: a tag's facts
   * for a profile), so the caller needs no lookup of its own.
   */
  memo: unknown;
  memoOwner: unknown;
}

const SLOTS = 1 << 16;
const MAX_LENGTH = 256;
let slots: Array<TextAtom | undefined> = new Array<TextAtom | undefined>(SLOTS).fill(undefined);
let used = 0;

/** The atom of src[start, end), the same object as every earlier call's for the same characters; undefined for an empty
 * or a long range (over 256 characters). */
export function internAtom(src: string, start: number, end: number): TextAtom | undefined {
  const length = end - start;
  if (length > MAX_LENGTH || length <= 0) return undefined;
  let h = 0x811c9dc5;
  for (let k = start; k < end; k++) h = Math.imul(h ^ src.charCodeAt(k), 0x01000193);
  const mask = SLOTS - 1;
  for (let at = h & mask; ; at = (at + 1) & mask) {
    const found = slots[at];
    if (found === undefined) {
      if (used >= SLOTS >> 1) {
        slots = new Array<TextAtom | undefined>(SLOTS).fill(undefined);
        used = 0;
        return internAtom(src, start, end);
      }
      const atom: TextAtom = { text: flatCopy(src, start, end), memo: undefined, memoOwner: undefined };
      slots[at] = atom;
      used++;
      return atom;
    }
    if (found.text.length === length && sameChars(found.text, src, start)) return found;
  }
}

const codes = new Uint16Array(MAX_LENGTH);

/** The characters of src[start, end) as a string of their own: a slice may be a view that keeps all of `src` alive. */
function flatCopy(src: string, start: number, end: number): string {
  for (let k = start; k < end; k++) codes[k - start] = src.charCodeAt(k);
  return String.fromCharCode.apply(null, codes.subarray(0, end - start) as unknown as number[]);
}

function sameChars(a: string, src: string, start: number): boolean {
  for (let k = 0; k < a.length; k++) if (a.charCodeAt(k) !== src.charCodeAt(start + k)) return false;
  return true;
}
