// A deterministic, linear-time reading of the lark grammar in A1111's modules/prompt_parser.py:
//
//   !start: (prompt | /[][():]/+)*
//   prompt: (emphasized | scheduled | alternate | plain | WHITESPACE)*
//   !emphasized: "(" prompt ")" | "(" prompt ":" prompt ")" | "[" prompt "]"
//   scheduled: "[" [prompt ":"] prompt ":" [WHITESPACE] NUMBER [WHITESPACE] "]"
//   alternate: "[" prompt ("|" [prompt])+ "]"
//   WHITESPACE: /\s+/
//   plain: /([^\\\[\]():|]|\\.)+/
//   %import common.SIGNED_NUMBER -> NUMBER
//
// Why a bracket scan gives lark's answer: inside `prompt` every bracket must belong to an emphasized,
// scheduled or alternate group, so from a given `[` or `(` the only span that can be a group is the one a
// bracket stack closes (a mismatched closer means none can). Such candidate spans nest and never cross.
// Only `start` takes stray `[ ] ( ) :`, so the text parses unless some `|` is not a separator of a valid
// alternation, or a `\` has no character after it (`.` takes anything but a newline). Among the parses,
// every valid candidate group is read as a group (the maximal reading) — what lark's Earley parser picks,
// except where its tie-break follows hash order (an edit whose `]` is directly followed by a stray
// `] ( ) :`); there we read the group too. Emphasis groups print exactly as written, so only their
// contents matter.
//
// No recursion: the scan keeps an explicit stack, and consumers walk the result with explicit stacks.

import { isPySpaceCode } from '../pyre';

/** lark's `common.SIGNED_NUMBER`, compiled as lark compiles it (alternatives in lark's order). */
const NUMBER = /[+-]?(?:[0-9]+[eE][+-]?[0-9]+|(?:[0-9]+\.(?:[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[0-9]+)/y;

export type GroupKind = 'emphasis' | 'edit' | 'alternate';

/** A bracket group the grammar reads as `emphasized`, `scheduled` or `alternate`. Offsets are UTF-16. */
export interface Group {
  kind: GroupKind;
  /** Offset of the opening bracket. */
  start: number;
  /** Offset just past the closing bracket. */
  end: number;
  /**
   * The spans the group can print. emphasis: one span, the whole group (brackets included, as A1111 prints
   * them). edit: [before, after]; `before` is empty ([start+1, start+1]) for `[to:when]`. alternate: one
   * span per option, in order.
   */
  segments: Array<[number, number]>;
  /** For each segment, the groups directly inside it, in order. */
  children: Group[][];
  /** edit only: the NUMBER token as written (`0.5`, `5`, `1e3`). */
  when?: string;
}

export interface ScheduleTree {
  text: string;
  /** Outermost groups, in order. */
  groups: Group[];
  /** Every edit group, however deep (A1111's CollectSteps visits them all). */
  edits: Group[];
  /** Whether any alternation was read. */
  hasAlternate: boolean;
}

interface Opener {
  pos: number;
  round: boolean;
  colons: number[];
  pipes: number[];
  kids: Group[];
  ok: boolean;
}

/** Matches `[WHITESPACE] NUMBER [WHITESPACE]` over all of text[from, to); returns the NUMBER or undefined. */
function whenNumber(text: string, from: number, to: number): string | undefined {
  let a = from;
  while (a < to && isPySpaceCode(text.charCodeAt(a))) a++;
  NUMBER.lastIndex = a;
  const m = NUMBER.exec(text);
  if (m === null || m.index !== a) return undefined;
  let b = a + m[0].length;
  if (b > to) return undefined;
  while (b < to && isPySpaceCode(text.charCodeAt(b))) b++;
  return b === to ? m[0] : undefined;
}

function partition(kids: Group[], segments: Array<[number, number]>): Group[][] {
  const out: Group[][] = segments.map(() => []);
  let s = 0;
  for (const kid of kids) {
    while (s < segments.length && kid.start >= segments[s]![1]) s++;
    if (s < segments.length && kid.start >= segments[s]![0]) out[s]!.push(kid);
  }
  return out;
}

/**
 * Parses `text` as A1111's schedule grammar. Returns `undefined` where lark raises (a `|` outside any
 * alternation, a `\` at the end or before a newline): A1111 then uses the prompt as written for every step.
 */
export function parseSchedule(text: string): ScheduleTree | undefined {
  const stack: Opener[] = [];
  const loose: Group[] = []; // valid groups with no valid enclosing group
  const edits: Group[] = [];
  let hasAlternate = false;
  // An opener that can never close into a group: its valid children become outermost; a `|` in it is fatal.
  const drop = (o: Opener): boolean => {
    for (const k of o.kids) loose.push(k);
    return o.pipes.length === 0;
  };
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      if (i + 1 >= n || text.charCodeAt(i + 1) === 0x0a) return undefined;
      i++;
    } else if (c === 0x28 /* ( */ || c === 0x5b /* [ */) {
      stack.push({ pos: i, round: c === 0x28, colons: [], pipes: [], kids: [], ok: true });
    } else if (c === 0x29 /* ) */ || c === 0x5d /* ] */) {
      const round = c === 0x29;
      const top = stack[stack.length - 1];
      if (top === undefined) continue; // stray closer at the top level
      if (top.round !== round) {
        // No span from any open bracket can contain this closer: all of them are dead.
        for (const o of stack) if (!drop(o)) return undefined;
        stack.length = 0;
        continue;
      }
      stack.pop();
      const group = classify(text, top, i);
      const parent = stack[stack.length - 1];
      if (group === undefined) {
        if (!drop(top)) return undefined;
        if (parent) parent.ok = false;
        continue;
      }
      if (group.kind === 'edit') edits.push(group);
      else if (group.kind === 'alternate') hasAlternate = true;
      if (parent) parent.kids.push(group);
      else loose.push(group);
    } else if (c === 0x3a /* : */) {
      stack[stack.length - 1]?.colons.push(i);
    } else if (c === 0x7c /* | */) {
      const top = stack[stack.length - 1];
      if (top === undefined) return undefined;
      top.pipes.push(i);
    }
  }
  for (const o of stack) if (!drop(o)) return undefined;
  loose.sort((a, b) => a.start - b.start);
  return { text, groups: loose, edits, hasAlternate };
}

function classify(text: string, o: Opener, close: number): Group | undefined {
  if (!o.ok) return undefined;
  const start = o.pos;
  const end = close + 1;
  const { colons, pipes } = o;
  if (o.round) {
    if (pipes.length > 0 || colons.length > 1) return undefined;
    return { kind: 'emphasis', start, end, segments: [[start, end]], children: [o.kids] };
  }
  if (pipes.length > 0) {
    if (colons.length > 0) return undefined;
    const segments: Array<[number, number]> = [];
    let from = start + 1;
    for (const p of pipes) {
      segments.push([from, p]);
      from = p + 1;
    }
    segments.push([from, close]);
    return { kind: 'alternate', start, end, segments, children: partition(o.kids, segments) };
  }
  if (colons.length === 0) return { kind: 'emphasis', start, end, segments: [[start, end]], children: [o.kids] };
  if (colons.length > 2) return undefined;
  const last = colons[colons.length - 1]!;
  const when = whenNumber(text, last + 1, close);
  if (when === undefined) return undefined;
  const segments: Array<[number, number]> =
    colons.length === 2
      ? [
          [start + 1, colons[0]!],
          [colons[0]! + 1, last],
        ]
      : [
          [start + 1, start + 1],
          [start + 1, last],
        ];
  return { kind: 'edit', start, end, segments, children: partition(o.kids, segments), when };
}
