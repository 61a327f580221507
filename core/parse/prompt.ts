// Parses one prompt or negative-prompt section into tags, bracket groups, weights, BREAKs and extra
// networks. Tokens follow A1111's re_attention; effective weights come from core/attention itself, so the
// tree and A1111 can never disagree.

import { attentionPieces, isBreakWordAt } from '../attention';
import { PY_DIGIT, PY_SPACE, PY_WORD, isPySpaceCode, pyFloat } from '../pyre';
import { addAtom, findAtom, MAX_ATOM_LENGTH, type TextAtom } from '../text/intern';
import { templateMarks, type TemplateMark } from './template';
import { IS_BRANCH, IS_TEMPLATE, KIND, NodeTable } from './table';
import type { Branch, ExtraNetwork, Leaf, LeafKind, ParseProblem, PromptSection, Range, Section, Tag, TemplateChoice, TemplateVariant } from './tree';

const WEIGHT = new RegExp(`:[${PY_SPACE}]*([+-]?[.${PY_DIGIT}]+)[${PY_SPACE}]*\\)`, 'uy');
// A1111's extra networks: <(\w+):([^>]+)>, removed from the prompt before anything else reads it.
const EXTRA_NETWORK_START = new RegExp(`<[${PY_WORD}]+:`, 'uy');
// lark's SIGNED_NUMBER, the step of prompt editing: [from:to:when]
const EDIT_WHEN = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPACE_RUN = new RegExp(`[${PY_SPACE}]+`, 'gu');
/** Whether text[from, to) holds whitespace other than single spaces: only then does a tag's text need collapsing. */
function hasOddSpace(text: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x20 ? text.charCodeAt(k + 1) === 0x20 : isPySpaceCode(c)) return true;
  }
  return false;
}

/** Characters that end a run of plain tag text: \\ ( ) [ ] : | , < and line ends (1 in this table, by code). */
const SPECIAL = new Uint8Array(128);
for (const c of '\\()[]:|,<\n\r') SPECIAL[c.charCodeAt(0)] = 1;

interface Frame {
  /** Its branch in the node table. */
  node: number;
  round: boolean;
  colons: number;
  /** The last ':' leaf, -1 for none. */
  lastColon: number;
  pipes: number;
  /** Closed by a weight, `(a:1.2)`. */
  weighted: boolean;
  /** Its last direct child that is not whitespace (the opening bracket at first). */
  lastNonSpace: number;
  /**
   * Its last ':' is followed by a template (`(a:{1.2|1.3})`, `[a:b:{5|10}]`): a weight or an edit's step in
   * each expansion, so no malformed weight, and a square group with two colons is prompt editing.
   */
  templatedWeight?: boolean;
}

/** A Dynamic Prompts variant being read: A1111 sees one option at a time, so brackets pair within an option. */
interface Barrier {
  variant: number;
  /** Bracket frames below this depth belong outside the variant. */
  depth: number;
  /** `open` and `ghosts` outside the variant, restored at its `}`. */
  open: { round: number; square: number };
  ghosts: { round: number; square: number };
  /** The choice outside the variant. */
  outer: TemplateChoice | null;
}

const ROUND = 1.1;
const SQUARE = 1 / 1.1;

const WS = KIND.whitespace;
const TAG = KIND.tag;

// The table being built (one section at a time; parsing never re-enters) and the leaves of the tag being
// read, in scratch buffers reused by every section: a section keeps a compact copy of its table (keepTable).
const SCRATCH_NODES = 1 << 16;
let table = new Int32Array(4 * 4096);
let count = 0;
let material = new Int32Array(3 * 256);
let materialCount = 0;

function add(kind: number, start: number, end: number): number {
  if (4 * count + 4 > table.length) {
    const grown = new Int32Array(table.length * 2);
    grown.set(table);
    table = grown;
  }
  const o = 4 * count;
  table[o] = kind;
  table[o + 1] = start;
  table[o + 2] = end;
  table[o + 3] = 1;
  return count++;
}

// Sections keep their tables as views of shared arenas: an exact-size Int32Array per section (two per block) cost
// an ArrayBuffer each, 1.5 µs and external memory that made the scavenger run more often. An arena lives while any
// section in it does: at most ARENA_INTS x 4 bytes held by one live section.
const ARENA_INTS = 1 << 14;
let arena = new Int32Array(ARENA_INTS);
let arenaUsed = 0;

/**
 * The first `n` nodes of the scratch table in the kept form (table.ts: kind, start, size; the parser also needs each
 * node's end while it builds), as a view of an arena.
 */
function keepTable(n: number): Int32Array {
  const ints = 3 * n;
  let kept: Int32Array;
  if (ints > ARENA_INTS / 4) {
    kept = new Int32Array(ints);
  } else {
    if (arenaUsed + ints > arena.length) {
      arena = new Int32Array(ARENA_INTS);
      arenaUsed = 0;
    }
    kept = arena.subarray(arenaUsed, arenaUsed + ints);
    arenaUsed += ints;
  }
  for (let i = 0; i < n; i++) {
    kept[3 * i] = table[4 * i]!;
    kept[3 * i + 1] = table[4 * i + 1]!;
    kept[3 * i + 2] = table[4 * i + 3]!;
  }
  return kept;
}

function addMaterial(kind: number, start: number, end: number): void {
  if (3 * materialCount + 3 > material.length) {
    const grown = new Int32Array(material.length * 2);
    grown.set(material);
    material = grown;
  }
  const o = 3 * materialCount++;
  material[o] = kind;
  material[o + 1] = start;
  material[o + 2] = end;
}

/**
 * Parses the section of `src` in [start, end). `labelEnd` is set for a negative prompt: the text before it
 * is the "Negative prompt:" label. `commentLines` are the [start, end) ranges of comment lines inside.
 */
export function parsePromptSection(
  src: string,
  kind: Section,
  start: number,
  end: number,
  commentLines: Range[],
  labelEnd?: number,
): PromptSection {
  count = 0;
  materialCount = 0;
  add(KIND[kind], start, end);
  const problems: ParseProblem[] = [];
  const stack: Frame[] = [];
  /** The multiplier of each round group with a weight, by its node. */
  const weights = new Map<number, number>();

  const emit = (k: number, s: number, e: number): number => {
    const index = add(k, s, e);
    if (k !== WS && stack.length > 0) stack[stack.length - 1]!.lastNonSpace = index;
    return index;
  };

  const flush = (): void => {
    if (materialCount === 0) return;
    let first = 0;
    let last = materialCount - 1;
    while (first <= last && material[3 * first] === WS) emit(WS, material[3 * first + 1]!, material[3 * first + 2]!), first++;
    while (last >= first && material[3 * last] === WS) last--;
    if (first <= last) {
      const tag = emit(TAG, material[3 * first + 1]!, material[3 * last + 2]!);
      for (let m = first; m <= last; m++) add(material[3 * m]!, material[3 * m + 1]!, material[3 * m + 2]!);
      table[4 * tag + 3] = last - first + 2;
      if (choice) choiceOf!.set(tag, choice);
    }
    for (let m = last + 1; m < materialCount; m++) emit(WS, material[3 * m + 1]!, material[3 * m + 2]!);
    materialCount = 0;
  };

  /** Closes a frame's branch, with its closer leaf (kind -1: none). */
  const closeFrame = (frame: Frame, closerKind: number, closerStart: number, closerEnd: number, crossed = false): void => {
    const node = frame.node;
    const closer = closerKind >= 0 ? add(closerKind, closerStart, closerEnd) : -1;
    // The last node of a subtree in pre-order is a leaf, and its end is the subtree's.
    table[4 * node + 2] = count - 1 > node ? table[4 * (count - 1) + 2]! : table[4 * node + 1]!;
    table[4 * node + 3] = count - node;
    if (closer < 0 && !crossed) {
      problems.push({ kind: 'unclosed-bracket', start: table[4 * node + 1]!, end: table[4 * node + 1]! + 1, text: frame.round ? '(' : '[' });
    }
    if (frame.round) {
      // `(a:{1.2|1.3})`: a weight written as a template is A1111's weight in each expansion.
      if (!frame.weighted && frame.lastColon >= 0 && closer >= 0 && !frame.templatedWeight) {
        const colonStart = table[4 * frame.lastColon + 1]!;
        problems.push({ kind: 'malformed-weight', start: colonStart, end: closerStart, text: src.slice(colonStart, closerStart) });
      }
      return;
    }
    if (closer < 0) return;
    if (frame.pipes > 0) {
      table[4 * node] = KIND.alternation;
      return;
    }
    if (frame.colons === 2 && frame.templatedWeight) {
      table[4 * node] = KIND.editing;
    } else if (frame.colons >= 1 && frame.colons <= 2) {
      // The direct children between the last colon and the closer: one tag that is a number makes an edit's step.
      let nonSpace = 0;
      let when = -1;
      let lastKind = -1;
      for (let j = frame.lastColon + 1; j < closer; j += table[4 * j + 3]!) {
        lastKind = table[4 * j]!;
        if (lastKind !== WS && nonSpace++ === 0) when = j;
      }
      if (nonSpace === 1 && table[4 * when] === TAG && lastKind !== WS && EDIT_WHEN.test(src.slice(table[4 * when + 1]!, table[4 * when + 2]!))) {
        table[4 * node] = KIND.editing;
        // A leaf now; its old parts stay in its subtree, skipped by every reader.
        table[4 * when] = KIND.when;
      }
    }
  };

  // A1111 pairs round and square brackets on two separate stacks, so `[(])` is balanced to it. A tree
  // cannot cross, so a bracket closed across another ends the inner group early; A1111 still counts the
  // inner one as open, and the next closer of its shape closes it ("ghosts").
  const ghosts = { round: 0, square: 0 };
  // How many frames of each shape are on the stack, so closers need not search it.
  const open = { round: 0, square: 0 };

  /**
   * Closes frames down to the innermost one of the wanted shape (those above it are crossed), with the closer
   * leaf at `at` and, for `(a:1.2)`, the weight leaf [weightStart, at) before it, whose number is `weight`
   * (undefined where Python's float() would fail: the group then counts as `(a)`).
   */
  const closeTo = (round: boolean, at: number, weightStart = -1, weight?: number): boolean => {
    if (open[round ? 'round' : 'square'] === 0) return false;
    let index = stack.length - 1;
    while (index >= 0 && stack[index]!.round !== round) index--;
    if (index < 0) return false;
    flush();
    while (stack.length - 1 > index) {
      const inner = stack.pop()!;
      open[inner.round ? 'round' : 'square']--;
      const at = inner.node + 1; // its opening bracket
      problems.push({ kind: 'crossed-bracket', start: table[4 * at + 1]!, end: table[4 * at + 2]!, text: inner.round ? '(' : '[' });
      if (inner.round) ghosts.round++;
      else ghosts.square++;
      closeFrame(inner, -1, 0, 0, true);
    }
    const frame = stack.pop()!;
    open[round ? 'round' : 'square']--;
    if (weightStart >= 0) {
      add(KIND.weight, weightStart, at);
      frame.weighted = true;
      if (weight !== undefined && weight !== ROUND) weights.set(frame.node, weight);
    }
    closeFrame(frame, round ? KIND['close-paren'] : KIND['close-square'], at, at + 1);
    return true;
  };

  const pushText = (from: number, to: number): void => {
    let a = from;
    while (a < to && isPySpaceCode(src.charCodeAt(a))) a++;
    let b = to;
    while (b > a && isPySpaceCode(src.charCodeAt(b - 1))) b--;
    if (a > from) addMaterial(WS, from, a);
    if (b > a) addMaterial(KIND.text, a, b);
    if (to > b) addMaterial(WS, b, to);
  };
  // Searches stop at the section's end: `src` is the whole document, and a search from every section to the
  // next 'BREAK' or '>' anywhere after it would cost sections x document.
  let body: string | undefined;
  const indexInSection = (needle: string, at: number): number => {
    body ??= src.slice(start, end);
    const found = body.indexOf(needle, at - start);
    return found < 0 ? Infinity : found + start;
  };
  // The next 'BREAK' at or after some offset, remembered: runs are read left to right, so one search
  // serves every run up to it (a search per run could scan to the end of the section each time).
  let nextBreak = -1;
  const breakFrom = (at: number): number => {
    if (nextBreak !== Infinity && nextBreak < at) nextBreak = indexInSection('BREAK', at);
    return nextBreak;
  };
  const pushRun = (from: number, to: number): void => {
    let cursor = from;
    for (let at = breakFrom(from); at + 5 <= to; at = breakFrom(at + 1)) {
      if (!isBreakWordAt(src, at)) continue;
      pushText(cursor, at);
      flush();
      emit(KIND.break, at, at + 5);
      cursor = at + 5;
    }
    pushText(cursor, to);
  };

  // A1111's <(\w+):([^>]+)>: the name and its colon, then anything up to the first '>' after them. The
  // next '>' is remembered, so a run of `<lora:` without one costs one search, not one per '<'.
  let nextGt = -1;
  /** End of the extra network starting at `at`; 0 where only its start `<name:` is there; -1 for neither. */
  const extraNetworkEnd = (at: number): number => {
    EXTRA_NETWORK_START.lastIndex = at;
    const m = EXTRA_NETWORK_START.exec(src);
    if (m === null || at + m[0].length > end) return -1;
    const from = at + m[0].length;
    if (nextGt !== Infinity && nextGt < from) nextGt = indexInSection('>', from);
    return nextGt > from && nextGt < end ? nextGt + 1 : 0;
  };
  let networkEnd = -1;

  // The template layer: its marks become leaves; tags end at them as at commas; each variant is a barrier
  // for brackets (see Barrier). Only sections that use template syntax pay for any of it.
  const contentStart = labelEnd ?? start;
  const template = templateMarks(src.slice(contentStart, end), contentStart);
  const marks: TemplateMark[] = template?.marks ?? [];
  const variants: TemplateVariant[] = template?.variants ?? [];
  const choiceOf = template ? new Map<number, TemplateChoice>() : undefined;
  let choice: TemplateChoice | null = null;
  const barriers: Barrier[] = [];
  const activeVariants = new Set<number>();
  /** Closers A1111 would need where an option ends with brackets open (for the weights: see collect). */
  const closers: Array<{ at: number; text: string }> = [];
  let markIndex = 0;
  let nextMark = marks.length > 0 ? marks[0]!.start : Infinity;
  const skipMarksBefore = (at: number): void => {
    while (markIndex < marks.length && marks[markIndex]!.start < at) markIndex++;
    nextMark = markIndex < marks.length ? marks[markIndex]!.start : Infinity;
  };
  /** Ends the current option of the innermost variant: brackets opened in it and still open are unclosed. */
  const endOption = (at: number): void => {
    const barrier = barriers[barriers.length - 1]!;
    flush();
    while (stack.length > barrier.depth) {
      const frame = stack.pop()!;
      open[frame.round ? 'round' : 'square']--;
      const bracketStart = table[4 * frame.node + 1]!;
      problems.push({ kind: 'unclosed-bracket', start: bracketStart, end: bracketStart + 1, text: frame.round ? '(' : '[', inOption: true });
      closeFrame(frame, -1, 0, 0, true);
      closers.push({ at, text: frame.round ? ')' : ']' });
    }
    for (; ghosts.round > 0; ghosts.round--) closers.push({ at, text: ')' });
    for (; ghosts.square > 0; ghosts.square--) closers.push({ at, text: ']' });
  };
  const popBarrier = (): void => {
    const barrier = barriers.pop()!;
    activeVariants.delete(barrier.variant);
    open.round = barrier.open.round;
    open.square = barrier.open.square;
    ghosts.round = barrier.ghosts.round;
    ghosts.square = barrier.ghosts.square;
    choice = barrier.outer;
  };
  const takeMark = (m: TemplateMark): void => {
    flush();
    // Right after a round bracket's ':' (spaces between): a weight written as a template, `(a:{1.2|1.3})`.
    const top = stack[stack.length - 1];
    if (top && top.lastColon >= 0 && top.lastNonSpace === top.lastColon) top.templatedWeight = true;
    const id = m.variant;
    if (id !== undefined && m.role !== 'open' && activeVariants.has(id)) {
      // A variant whose '}' an extra network swallowed is ended here too.
      while (barriers[barriers.length - 1]!.variant !== id) {
        endOption(m.start);
        popBarrier();
      }
      endOption(m.start);
      if (m.role === 'close') popBarrier();
      else {
        const top = barriers[barriers.length - 1]!;
        choice = { variant: variants[id]!, option: choice && choice.variant === variants[id] ? choice.option + 1 : 0, start: m.end, parent: top.outer, depth: (top.outer?.depth ?? 0) + 1 };
      }
    }
    emit(KIND[m.kind], m.start, m.end);
    if (id !== undefined && m.role === 'open') {
      barriers.push({ variant: id, depth: stack.length, open: { ...open }, ghosts: { ...ghosts }, outer: choice });
      activeVariants.add(id);
      open.round = open.square = ghosts.round = ghosts.square = 0;
      choice = { variant: variants[id]!, option: 0, start: m.end, parent: choice, depth: (choice?.depth ?? 0) + 1 };
    }
  };

  let commentIndex = 0;
  let i = labelEnd ?? start;
  if (labelEnd !== undefined) add(KIND['negative-label'], start, labelEnd);
  while (i < end) {
    while (commentIndex < commentLines.length && commentLines[commentIndex]!.end <= i) commentIndex++;
    const comment = commentLines[commentIndex];
    if (comment && comment.start === i) {
      flush();
      emit(KIND.comment, comment.start, comment.end);
      i = comment.end;
      continue;
    }
    if (i >= nextMark) {
      if (nextMark < i) skipMarksBefore(i);
      if (nextMark === i) {
        const m = marks[markIndex]!;
        takeMark(m);
        i = m.end;
        skipMarksBefore(i);
        continue;
      }
    }
    const c = src.charCodeAt(i);
    if (c === 0x0a || (c === 0x0d && src.charCodeAt(i + 1) === 0x0a)) {
      flush();
      const len = c === 0x0d ? 2 : 1;
      emit(KIND.newline, i, i + len);
      i += len;
    } else if (c === 0x5c) {
      const next = src.charCodeAt(i + 1);
      // \( \) \[ \] \\
      const len = i + 1 < end && (next === 0x28 || next === 0x29 || next === 0x5b || next === 0x5d || next === 0x5c) ? 2 : 1;
      addMaterial(KIND.escape, i, i + len);
      i += len;
    } else if (c === 0x28 || c === 0x5b) {
      flush();
      const round = c === 0x28;
      const node = emit(round ? KIND.emphasis : KIND.deemphasis, i, i + 1);
      const opener = add(round ? KIND['open-paren'] : KIND['open-square'], i, i + 1);
      stack.push({ node, round, colons: 0, lastColon: -1, pipes: 0, weighted: false, lastNonSpace: opener });
      open[round ? 'round' : 'square']++;
      i++;
    } else if (c === 0x29 || c === 0x5d) {
      const round = c === 0x29;
      const closed = closeTo(round, i);
      if (!closed && ghosts[round ? 'round' : 'square'] > 0) {
        flush();
        ghosts[round ? 'round' : 'square']--;
        emit(round ? KIND['close-paren'] : KIND['close-square'], i, i + 1);
      } else if (!closed) {
        flush();
        emit(KIND['stray-close'], i, i + 1);
        const ch = round ? ')' : ']';
        problems.push(barriers.length > 0 ? { kind: 'stray-bracket', start: i, end: i + 1, text: ch, inOption: true } : { kind: 'stray-bracket', start: i, end: i + 1, text: ch });
      }
      i++;
    } else if (c === 0x3a) {
      WEIGHT.lastIndex = i;
      const m = open.round > 0 || ghosts.round > 0 ? WEIGHT.exec(src) : null;
      if (m && m.index + m[0].length <= end && m.index + m[0].length <= nextMark) {
        const closeAt = i + m[0].length - 1;
        const weight = pyFloat(m[1]!);
        if (weight === undefined) {
          problems.push({ kind: 'malformed-weight', start: i, end: closeAt, text: src.slice(i, closeAt) });
        }
        if (!closeTo(true, closeAt, i, weight)) {
          // Closes a round bracket that a square one crossed (see ghosts).
          flush();
          ghosts.round--;
          emit(KIND.weight, i, closeAt);
          emit(KIND['close-paren'], closeAt, closeAt + 1);
        }
        i = closeAt + 1;
      } else if (stack.length > 0) {
        flush();
        const colon = emit(KIND.colon, i, i + 1);
        const top = stack[stack.length - 1]!;
        top.colons++;
        top.lastColon = colon;
        i++;
      } else {
        addMaterial(KIND.text, i, i + 1);
        i++;
      }
    } else if (c === 0x7c && stack.length > 0 && !stack[stack.length - 1]!.round) {
      flush();
      emit(KIND.pipe, i, i + 1);
      stack[stack.length - 1]!.pipes++;
      i++;
    } else if (c === 0x2c) {
      flush();
      emit(KIND.comma, i, i + 1);
      i++;
    } else if (c === 0x3c && (networkEnd = extraNetworkEnd(i)) > 0) {
      flush();
      emit(KIND['extra-network'], i, networkEnd);
      i = networkEnd;
    } else {
      if (c === 0x3c && networkEnd === 0) {
        problems.push({ kind: 'unclosed-extra-network', start: i, end: i + 1, text: '<' });
      }
      // A run of plain text, spaces included; leading and trailing spaces become whitespace leaves.
      // BREAK inside it is a keyword where it stands as a word of its own.
      let j = i + 1;
      const stop = end < nextMark ? end : nextMark;
      while (j < stop) {
        const code = src.charCodeAt(j);
        if (code < 128 && SPECIAL[code] === 1) break;
        j++;
      }
      pushRun(i, j);
      i = j;
    }
  }
  flush();
  while (stack.length > 0) closeFrame(stack.pop()!, -1, 0, 0);
  table[2] = end;
  table[3] = count;

  const section = new ParsedSection(src, kind, new NodeTable(keepTable(count), end), labelEnd ?? start, end, problems);
  if (template) section.template = { node: template.node, choices: [] };
  buildText(src, section, commentLines);
  collect(src, section, weights, choiceOf, closers);
  // A huge section leaves the scratch buffers huge: give them back rather than keep the largest ever parsed.
  if (table.length > 4 * SCRATCH_NODES) table = new Int32Array(4 * SCRATCH_NODES);
  if (material.length > 3 * SCRATCH_NODES) material = new Int32Array(3 * 256);
  return section;
}

/** A prompt section whose tree is kept as a node table and built as objects only when `node` is read. */
class ParsedSection implements PromptSection {
  text = '';
  segments: PromptSection['segments'] = [];
  /** Per tag: its node in the table, its weight, and its value (an atom where it has one). */
  readonly tagNodes: number[] = [];
  readonly tagWeights: number[] = [];
  readonly tagTexts: Array<string | TextAtom> = [];
  /** The Tag objects made so far (holes where none was asked for), and whether all were. */
  private readonly tagObjects: Tag[] = [];
  private allTags = false;
  extraNetworks: ExtraNetwork[] = [];
  breaks: Leaf[] = [];
  comments: Leaf[] = [];
  template?: PromptSection['template'];
  private built?: { root: Branch; tags: Branch[] };
  readonly start: number;
  readonly end: number;

  constructor(
    private readonly src: string,
    readonly kind: Section,
    readonly table: NodeTable,
    readonly contentStart: number,
    readonly contentEnd: number,
    readonly problems: ParseProblem[],
  ) {
    this.start = table.start(0);
    this.end = table.end(0);
  }

  get node(): Branch {
    return (this.built ??= this.table.build()).root;
  }

  get tags(): Tag[] {
    if (!this.allTags) {
      for (let k = 0; k < this.tagNodes.length; k++) this.tagAt(k);
      this.allTags = true;
    }
    return this.tagObjects;
  }

  get tagCount(): number {
    return this.tagNodes.length;
  }

  tagStart(k: number): number {
    return this.table.start(this.tagNodes[k]!);
  }

  tagEnd(k: number): number {
    return this.table.end(this.tagNodes[k]!);
  }

  tagWeight(k: number): number {
    return this.tagWeights[k]!;
  }

  tagValue(k: number): string {
    const text = this.tagTexts[k]!;
    return typeof text === 'string' ? text : text.text;
  }

  tagAtom(k: number): TextAtom | undefined {
    const text = this.tagTexts[k]!;
    return typeof text === 'string' ? undefined : text;
  }

  tagAt(k: number): Tag {
    return (this.tagObjects[k] ??= new SectionTag(this, k, this.kind, this.tagStart(k), this.tagEnd(k), this.tagValue(k), this.tagWeights[k]!, this.tagAtom(k)));
  }

  eachLeaf(visit: (kind: LeafKind, start: number, end: number) => void): void {
    this.table.eachLeaf(visit);
  }

  /**
   * The multipliers of the brackets around the node at `node`, innermost first, found by walking the table from the
   * root (for one tag's hover; keeping them for every tag cost an object per bracket level, 20 bytes per input byte
   * for deep nesting).
   */
  multipliersOf(node: number): number[] {
    const t = this.table;
    const around: number[] = [];
    // Down from the root through the node's ancestors only: a subtree that ends before the node is skipped whole.
    for (let i = 1; i < node; ) {
      const k = t.kind(i), size = t.size(i);
      if (i + size <= node) {
        i += size;
        continue;
      }
      if (k === KIND.emphasis) around.push(this.groupWeight(i));
      else if (k === KIND.deemphasis) around.push(SQUARE);
      i++;
    }
    return around.reverse();
  }

  /** The multiplier of the round group at `node`: its weight leaf's number, else 1.1 (as collect's chains). */
  private groupWeight(node: number): number {
    const t = this.table;
    for (let j = node + 1; j < node + t.size(node); j += t.size(j)) {
      if (t.kind(j) === KIND.weight) return weightValue(this.src, { start: t.start(j), end: t.end(j) }) ?? ROUND;
    }
    return ROUND;
  }

  /** The branch of the k-th tag, from the built tree. */
  tagBranch(k: number): Branch {
    return (this.built ??= this.table.build()).tags[k]!;
  }
}

/** The prompt text A1111 would receive: non-comment lines joined by '\n', trimmed as Python's strip(). */
function buildText(src: string, section: PromptSection, commentLines: Range[]): void {
  const parts: Array<{ sourceStart: number; text: string }> = [];
  let lineStart = section.contentStart;
  let comment = 0;
  while (lineStart <= section.contentEnd) {
    let lineEnd = src.indexOf('\n', lineStart);
    if (lineEnd < 0 || lineEnd > section.contentEnd) lineEnd = section.contentEnd;
    // Comment lines are sorted: one pointer walks them beside the lines.
    while (comment < commentLines.length && commentLines[comment]!.start < lineStart) comment++;
    const isComment = comment < commentLines.length && commentLines[comment]!.start === lineStart;
    if (!isComment) {
      const contentEnd = lineEnd > lineStart && src[lineEnd - 1] === '\r' && lineEnd < src.length && src[lineEnd] === '\n' ? lineEnd - 1 : lineEnd;
      parts.push({ sourceStart: lineStart, text: src.slice(lineStart, contentEnd) });
    }
    if (lineEnd >= section.contentEnd) break;
    lineStart = lineEnd + 1;
  }
  let text = '';
  const segments: PromptSection['segments'] = [];
  parts.forEach((part, index) => {
    if (index > 0) text += '\n';
    segments.push({ textStart: text.length, sourceStart: part.sourceStart, length: part.text.length });
    text += part.text;
  });
  // Python's str.strip(): drop leading and trailing whitespace, keeping segments aligned.
  let from = 0;
  let to = text.length;
  while (from < to && isPySpaceCode(text.charCodeAt(from))) from++;
  while (to > from && isPySpaceCode(text.charCodeAt(to - 1))) to--;
  section.text = text.slice(from, to);
  section.segments = segments
    .map((s) => {
      const a = Math.max(s.textStart, from);
      const b = Math.min(s.textStart + s.length, to);
      return { textStart: a - from, sourceStart: s.sourceStart + (a - s.textStart), length: b - a };
    })
    .filter((s) => s.length > 0);
}

/** Tags with their weights, extra networks, BREAKs, comment lines. */
function collect(src: string, section: ParsedSection, weights: ReadonlyMap<number, number>, choiceOf?: Map<number, TemplateChoice>, closers: ReadonlyArray<{ at: number; text: string }> = []): void {
  // The scratch table, still this section's (with each node's end; see keepTable).
  const t = table;
  const n = count;
  // Weights: run A1111's own algorithm over the section, with what A1111 removes before it
  // (comments, extra networks, prompt-editing and alternation syntax) blanked out, offsets kept.
  const blanks: number[] = [];
  const blank = (s: number, e: number): void => {
    blanks.push(s - section.contentStart, e - section.contentStart);
  };
  const tagNodes = section.tagNodes;
  const tagChains: Chain[] = [];
  // Multipliers as a linked list from the innermost bracket out, shared by everything inside it (a copy per tag
  // costs depth x tags), for the weights below; not kept (a tag's multipliers are read from the table, multipliersOf).
  // One pass over the table in pre-order; `ends` and `outer` hold the open branches' subtree ends and chains.
  const ends: number[] = [];
  const outer: Chain[] = [];
  let chain: Chain = null;
  let depth = 0;
  for (let i = 1; i < n; ) {
    while (ends.length > 0 && ends[ends.length - 1]! <= i) {
      ends.pop();
      chain = outer.pop()!;
    }
    const k = t[4 * i]!, s = t[4 * i + 1]!, e = t[4 * i + 2]!, size = t[4 * i + 3]!;
    if (k === TAG) {
      tagNodes.push(i);
      tagChains.push(chain);
      i += size;
      continue;
    }
    if (!IS_BRANCH[k]) {
      if (k === KIND.comment || k === KIND['extra-network']) blank(s, e);
      // The template's own characters are never A1111's; a stray closer in an option is blanked so that
      // the weights follow the tree, where brackets pair within an option.
      else if (choiceOf && (IS_TEMPLATE[k] || k === KIND['stray-close'])) blank(s, e);
      if (k === KIND['extra-network']) section.extraNetworks.push(parseExtraNetwork(src, { kind: 'extra-network', start: s, end: e }, section.kind));
      else if (k === KIND.break) section.breaks.push({ kind: 'break', start: s, end: e });
      else if (k === KIND.comment) section.comments.push({ kind: 'comment', start: s, end: e });
      i += size;
      continue;
    }
    let inner: Chain = chain;
    if (k === KIND.emphasis) {
      inner = { value: weights.get(i) ?? ROUND, outer: chain };
    } else if (k === KIND.deemphasis) {
      inner = { value: SQUARE, outer: chain };
    } else if (k === KIND.editing || k === KIND.alternation) {
      for (let j = i + 1; j < i + size; j += t[4 * j + 3]!) {
        const c = t[4 * j]!;
        if (!IS_BRANCH[c] && c !== WS && c !== KIND.newline && c !== KIND.comment) blank(t[4 * j + 1]!, t[4 * j + 2]!);
      }
    }
    ends.push(i + size);
    outer.push(chain);
    chain = inner;
    if (ends.length > depth) depth = ends.length;
    i++;
  }

  // Where nothing can make A1111 pair brackets otherwise than the tree does (no unclosed, crossed or stray bracket,
  // no malformed weight, no template), a tag's weight is its multipliers' product from the innermost bracket out:
  // the order A1111's multiply_range applies them as the brackets close, so the same float to the last bit. Only
  // the other sections pay for running A1111's algorithm over the masked text. Only for shallow nesting: a product
  // per tag costs its depth, and tags thousands of brackets deep made that quadratic (the algorithm is not).
  const byChains = chainWeights && depth <= MAX_CHAIN_DEPTH && section.problems.length === 0 && !choiceOf && closers.length === 0;
  let pieces: ReturnType<typeof attentionPieces> = [];
  if (!byChains) {
    let masked = src.slice(section.contentStart, section.contentEnd);
    if (blanks.length > 0) masked = blankOut(masked, blanks);
    if (closers.length > 0) {
      // Where an option ends with brackets open, A1111 (reading that expansion) never sees them close the
      // next option's text: the closers it would need are put in, and tag offsets shifted past them.
      const parts: string[] = [];
      let at = 0;
      for (const c of closers) {
        const rel = c.at - section.contentStart;
        parts.push(masked.slice(at, rel), c.text);
        at = rel;
      }
      parts.push(masked.slice(at));
      masked = parts.join('');
    }
    pieces = attentionPieces(masked, undefined, section.contentStart, false);
  }
  let p = 0;
  let shift = 0;
  let c = 0;
  const choices = section.template?.choices;
  for (let k = 0; k < tagNodes.length; k++) {
    const node = tagNodes[k]!;
    const tagStart = t[4 * node + 1]!;
    let weight = 1;
    if (byChains) {
      for (let link = tagChains[k] ?? null; link; link = link.outer) weight *= link.value;
    } else {
      while (c < closers.length && closers[c]!.at <= tagStart) shift += closers[c++]!.text.length;
      const from = tagStart + shift;
      while (p < pieces.length && (pieces[p]!.end <= from || pieces[p]!.end <= pieces[p]!.start)) p++;
      const piece = pieces[p];
      if (piece && piece.start <= from) weight = piece.weight;
    }
    section.tagWeights.push(weight);
    section.tagTexts.push(tagAtom(src, t, node) ?? tableTagValue(src, t, node));
    if (choices) choices.push(choiceOf?.get(node) ?? null);
  }
}

/**
 * `text` with the ranges [blanks[2k], blanks[2k + 1]) turned to spaces. They come in tree order: sorted, except
 * where an editing group's own syntax after a nested group precedes it (and a comment inside an editing group
 * overlaps it); then the ranges are marked in a mask first (sorting thousands of them cost more than the parse).
 */
function blankOut(text: string, blanks: readonly number[]): string {
  let sorted = true;
  for (let k = 2; k < blanks.length && sorted; k += 2) sorted = blanks[k]! >= blanks[k - 1]!;
  const parts: string[] = [];
  let at = 0;
  if (sorted) {
    for (let k = 0; k < blanks.length; k += 2) {
      parts.push(text.slice(at, blanks[k]!), ' '.repeat(blanks[k + 1]! - blanks[k]!));
      at = blanks[k + 1]!;
    }
  } else {
    const mask = new Uint8Array(text.length);
    for (let k = 0; k < blanks.length; k += 2) mask.fill(1, blanks[k]!, blanks[k + 1]!);
    for (let p = 0; p < text.length; p++) {
      if (mask[p] === 0) continue;
      let q = p + 1;
      while (q < text.length && mask[q] === 1) q++;
      parts.push(text.slice(at, p), ' '.repeat(q - p));
      at = p = q;
    }
  }
  parts.push(text.slice(at));
  return parts.join('');
}

type Chain = { value: number; outer: Chain } | null;

let chainWeights = true;
/** Nesting deeper than this takes A1111's algorithm for the weights (see collect). */
const MAX_CHAIN_DEPTH = 32;
/** Whether collect may take weights from the multiplier chains where that equals A1111's algorithm (see collect);
 * off, every section runs the algorithm. For the property test that checks the two agree. */
export function useChainWeights(on: boolean): void {
  chainWeights = on;
}

/** A Tag whose multipliers and branch are found in its section's table only when asked for. */
class SectionTag implements Tag {
  constructor(
    private readonly owner: ParsedSection,
    private readonly ordinal: number,
    readonly section: Section,
    readonly start: number,
    readonly end: number,
    readonly value: string,
    readonly weight: number,
    readonly atom: TextAtom | undefined,
  ) {}

  get node(): Branch {
    return this.owner.tagBranch(this.ordinal);
  }

  get multipliers(): number[] {
    return this.owner.multipliersOf(this.owner.tagNodes[this.ordinal]!);
  }
}

const WEIGHT_VALUE = new RegExp(`^:[${PY_SPACE}]*([+-]?[.${PY_DIGIT}]+)`, 'u');

/** The number of a weight leaf (`: 1.2 `), as Python's float() reads it; undefined where it would fail. */
export function weightValue(src: string, weight: { start: number; end: number }): number | undefined {
  const m = WEIGHT_VALUE.exec(src.slice(weight.start, weight.end));
  return m ? pyFloat(m[1]!) : undefined;
}

/**
 * The atom of a tag's source characters, the same for every tag written alike; its text is the tag's value (a tag's
 * value depends on its characters alone: escapes and whitespace inside it read the same wherever it stands).
 * Undefined for a tag over MAX_ATOM_LENGTH characters.
 */
function tagAtom(src: string, t: Int32Array, node: number): TextAtom | undefined {
  const start = t[4 * node + 1]!, end = t[4 * node + 2]!;
  const found = findAtom(src, start, end);
  if (found || end - start > MAX_ATOM_LENGTH) return found;
  // Most tags are one text leaf with single spaces: the value is the characters themselves.
  const leaf = node + 1;
  const plain = t[4 * node + 3] === 2 && t[4 * leaf] === KIND.text && !hasOddSpace(src, start, end);
  return addAtom(src, start, end, plain ? undefined : tableTagValue(src, t, node));
}

/**
 * The text of the tag at `node` of a node table as A1111 reads it (its parts are the nodes after it in its
 * subtree): escapes resolved, whitespace collapsed to single spaces.
 */
function tableTagValue(src: string, t: Int32Array, node: number): string {
  const last = node + t[4 * node + 3]! - 1;
  let value = '';
  for (let j = node + 1; j <= last; j++) {
    const k = t[4 * j]!, s = t[4 * j + 1]!, e = t[4 * j + 2]!;
    if (k === KIND.whitespace) value += ' ';
    else if (k === KIND.escape) value += src.slice(s + 1, e);
    else {
      const text = src.slice(s, e);
      value += hasOddSpace(text, 0, text.length) ? text.replace(SPACE_RUN, ' ') : text;
    }
  }
  return value;
}

function parseExtraNetwork(src: string, node: Leaf, section: Section): ExtraNetwork {
  const inner = src.slice(node.start + 1, node.end - 1);
  const [type = '', name = '', ...args] = inner.split(':');
  return { node, type, name, args, section };
}
