// Strings for ranges of a source text, one object per distinct content: a prompt repeats its tags (and a document its
// quality suffix and negative preset hundreds of times), and a fresh slice per tag cost an allocation plus, in every
// map the checks key by it, hashing it again. Looked up by a hash of the range's characters, so a repeated tag
// allocates nothing. Bounded: emptied when half full, so any input keeps it at its size.

const SLOTS = 1 << 16;
const MAX_LENGTH = 256;
let slots: Array<string | undefined> = new Array<string | undefined>(SLOTS).fill(undefined);
let used = 0;

/** src.slice(start, end), the same string object as every earlier call for the same characters (short ranges). */
export function internSlice(src: string, start: number, end: number): string {
  const length = end - start;
  if (length > MAX_LENGTH || length <= 0) return src.slice(start, end);
  let h = 0x811c9dc5;
  for (let k = start; k < end; k++) h = Math.imul(h ^ src.charCodeAt(k), 0x01000193);
  const mask = SLOTS - 1;
  for (let at = h & mask; ; at = (at + 1) & mask) {
    const found = slots[at];
    if (found === undefined) {
      if (used >= SLOTS >> 1) {
        slots = new Array<string | undefined>(SLOTS).fill(undefined);
        used = 0;
        return internSlice(src, start, end);
      }
      const text = flatCopy(src, start, end);
      slots[at] = text;
      used++;
      return text;
    }
    if (found.length === length && sameChars(found, src, start)) return found;
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
