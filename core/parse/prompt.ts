// Parses one prompt or negative-prompt section into tags, bracket groups, weights, BREAKs and extra
// networks. Tokens follow A1111's re_attention; effective weights come from core/attention itself, so the
// tree and A1111 can never disagree.

import { attentionPieces, isBreakWordAt } from '../attention';
import { PY_DIGIT, PY_SPACE, PY_WORD, isPySpaceCode, pyFloat } from '../pyre';
import { isBranch, type Branch, type ExtraNetwork, type Leaf, type LeafKind, type ParseProblem, type PromptSection, type Range, type Section, type SyntaxNode, type Tag } from './tree';

const WEIGHT = new RegExp(`:[${PY_SPACE}]*([+-]?[.${PY_DIGIT}]+)[${PY_SPACE}]*\\)`, 'uy');
// A1111's extra networks: <(\w+):([^>]+)>, removed from the prompt before anything else reads it.
const EXTRA_NETWORK_START = new RegExp(`<[${PY_WORD}]+:`, 'uy');
// lark's SIGNED_NUMBER, the step of prompt editing: [from:to:when]
const EDIT_WHEN = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPACE_RUN = new RegExp(`[${PY_SPACE}]+`, 'gu');
// Whitespace other than single spaces: only then does a tag's text need collapsing.
const ODD_SPACE = new RegExp(`[${PY_SPACE.replace(' ', '')}]| {2}`, 'u');

/** Characters that end a run of plain tag text: \\ ( ) [ ] : | , < and line ends. */
function isSpecial(c: number): boolean {
  return c === 0x5c || c === 0x28 || c === 0x29 || c === 0x5b || c === 0x5d || c === 0x3a || c === 0x7c || c === 0x2c || c === 0x3c || c === 0x0a || c === 0x0d;
}

interface Frame {
  node: Branch;
  round: boolean;
  colons: Leaf[];
  pipes: Leaf[];
  weight?: Leaf;
}

const ROUND = 1.1;
const SQUARE = 1 / 1.1;

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
  const root: Branch = { kind, start, end, children: [] };
  const problems: ParseProblem[] = [];
  const stack: Frame[] = [];
  let material: Leaf[] = [];
  const container = (): SyntaxNode[] => (stack.length > 0 ? stack[stack.length - 1]!.node.children : root.children);
  const leaf = (k: LeafKind, s: number, e: number): Leaf => ({ kind: k, start: s, end: e });
  const emit = (node: SyntaxNode): void => {
    container().push(node);
  };

  const flush = (): void => {
    if (material.length === 0) return;
    let first = 0;
    let last = material.length - 1;
    while (first <= last && material[first]!.kind === 'whitespace') emit(material[first++]!);
    const trailing: Leaf[] = [];
    while (last >= first && material[last]!.kind === 'whitespace') trailing.unshift(material[last--]!);
    if (first <= last) {
      const parts = material.slice(first, last + 1);
      emit({ kind: 'tag', start: parts[0]!.start, end: parts[parts.length - 1]!.end, children: parts });
    }
    for (const t of trailing) emit(t);
    material = [];
  };

  const closeFrame = (frame: Frame, closer: Leaf | undefined, crossed = false): void => {
    const node = frame.node;
    if (closer) node.children.push(closer);
    node.end = closer ? closer.end : lastEnd(node);
    if (!closer && !crossed) {
      problems.push({ kind: 'unclosed-bracket', start: node.start, end: node.start + 1, text: frame.round ? '(' : '[' });
    }
    if (frame.round) {
      const colon = frame.colons[frame.colons.length - 1];
      if (!frame.weight && colon && closer) {
        problems.push({ kind: 'malformed-weight', start: colon.start, end: closer.start, text: src.slice(colon.start, closer.start) });
      }
      return;
    }
    if (!closer) return;
    if (frame.pipes.length > 0) {
      node.kind = 'alternation';
      return;
    }
    if (frame.colons.length >= 1 && frame.colons.length <= 2) {
      const lastColon = frame.colons[frame.colons.length - 1]!;
      const after = node.children.slice(node.children.indexOf(lastColon) + 1, -1);
      const tags = after.filter((n) => n.kind !== 'whitespace');
      const whenTag = tags[0];
      const trailingSpace = after[after.length - 1]?.kind === 'whitespace';
      if (tags.length === 1 && whenTag && isBranch(whenTag) && whenTag.kind === 'tag' && !trailingSpace && EDIT_WHEN.test(src.slice(whenTag.start, whenTag.end))) {
        node.kind = 'editing';
        node.children[node.children.indexOf(whenTag)] = leaf('when', whenTag.start, whenTag.end);
      }
    }
  };

  // A1111 pairs round and square brackets on two separate stacks, so `[(])` is balanced to it. A tree
  // cannot cross, so a bracket closed across another ends the inner group early; A1111 still counts the
  // inner one as open, and the next closer of its shape closes it ("ghosts").
  const ghosts = { round: 0, square: 0 };
  // How many frames of each shape are on the stack, so closers need not search it.
  const open = { round: 0, square: 0 };

  /** Closes frames down to the innermost one of the wanted shape; those above it are crossed. */
  const closeTo = (round: boolean, closer: (frame: Frame) => Leaf): boolean => {
    if (open[round ? 'round' : 'square'] === 0) return false;
    let index = stack.length - 1;
    while (index >= 0 && stack[index]!.round !== round) index--;
    if (index < 0) return false;
    flush();
    while (stack.length - 1 > index) {
      const inner = stack.pop()!;
      open[inner.round ? 'round' : 'square']--;
      const at = inner.node.children[0]!;
      problems.push({ kind: 'crossed-bracket', start: at.start, end: at.end, text: inner.round ? '(' : '[' });
      if (inner.round) ghosts.round++;
      else ghosts.square++;
      closeFrame(inner, undefined, true);
    }
    const frame = stack.pop()!;
    open[round ? 'round' : 'square']--;
    closeFrame(frame, closer(frame));
    return true;
  };

  const pushText = (from: number, to: number): void => {
    let a = from;
    while (a < to && isPySpaceCode(src.charCodeAt(a))) a++;
    let b = to;
    while (b > a && isPySpaceCode(src.charCodeAt(b - 1))) b--;
    if (a > from) material.push(leaf('whitespace', from, a));
    if (b > a) material.push(leaf('text', a, b));
    if (to > b) material.push(leaf('whitespace', b, to));
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
      emit(leaf('break', at, at + 5));
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

  let commentIndex = 0;
  let i = labelEnd ?? start;
  if (labelEnd !== undefined) root.children.push(leaf('negative-label', start, labelEnd));
  while (i < end) {
    while (commentIndex < commentLines.length && commentLines[commentIndex]!.end <= i) commentIndex++;
    const comment = commentLines[commentIndex];
    if (comment && comment.start === i) {
      flush();
      emit(leaf('comment', comment.start, comment.end));
      i = comment.end;
      continue;
    }
    const ch = src[i]!;
    if (ch === '\n' || (ch === '\r' && src[i + 1] === '\n')) {
      flush();
      const len = ch === '\r' ? 2 : 1;
      emit(leaf('newline', i, i + len));
      i += len;
    } else if (ch === '\\') {
      const next = src[i + 1];
      const len = i + 1 < end && next !== undefined && '()[]\\'.includes(next) ? 2 : 1;
      material.push(leaf('escape', i, i + len));
      i += len;
    } else if (ch === '(' || ch === '[') {
      flush();
      const node: Branch = { kind: ch === '(' ? 'emphasis' : 'deemphasis', start: i, end: i + 1, children: [leaf(ch === '(' ? 'open-paren' : 'open-square', i, i + 1)] };
      emit(node);
      stack.push({ node, round: ch === '(', colons: [], pipes: [] });
      open[ch === '(' ? 'round' : 'square']++;
      i++;
    } else if (ch === ')' || ch === ']') {
      const round = ch === ')';
      const kind = round ? 'close-paren' : 'close-square';
      const closed = closeTo(round, () => leaf(kind, i, i + 1));
      if (!closed && ghosts[round ? 'round' : 'square'] > 0) {
        flush();
        ghosts[round ? 'round' : 'square']--;
        emit(leaf(kind, i, i + 1));
      } else if (!closed) {
        flush();
        emit(leaf('stray-close', i, i + 1));
        problems.push({ kind: 'stray-bracket', start: i, end: i + 1, text: ch });
      }
      i++;
    } else if (ch === ':') {
      WEIGHT.lastIndex = i;
      const m = open.round > 0 || ghosts.round > 0 ? WEIGHT.exec(src) : null;
      if (m && m.index + m[0].length <= end) {
        const closeAt = i + m[0].length - 1;
        const weightLeaf = leaf('weight', i, closeAt);
        if (pyFloat(m[1]!) === undefined) {
          problems.push({ kind: 'malformed-weight', start: i, end: closeAt, text: src.slice(i, closeAt) });
        }
        const closed = closeTo(true, (frame) => {
          frame.node.children.push(weightLeaf);
          frame.weight = weightLeaf;
          return leaf('close-paren', closeAt, closeAt + 1);
        });
        if (!closed) {
          // Closes a round bracket that a square one crossed (see ghosts).
          flush();
          ghosts.round--;
          emit(weightLeaf);
          emit(leaf('close-paren', closeAt, closeAt + 1));
        }
        i = closeAt + 1;
      } else if (stack.length > 0) {
        flush();
        const colon = leaf('colon', i, i + 1);
        emit(colon);
        stack[stack.length - 1]!.colons.push(colon);
        i++;
      } else {
        material.push(leaf('text', i, i + 1));
        i++;
      }
    } else if (ch === '|' && stack.length > 0 && !stack[stack.length - 1]!.round) {
      flush();
      const pipe = leaf('pipe', i, i + 1);
      emit(pipe);
      stack[stack.length - 1]!.pipes.push(pipe);
      i++;
    } else if (ch === ',') {
      flush();
      emit(leaf('comma', i, i + 1));
      i++;
    } else if (ch === '<' && (networkEnd = extraNetworkEnd(i)) > 0) {
      flush();
      emit(leaf('extra-network', i, networkEnd));
      i = networkEnd;
    } else {
      if (ch === '<' && networkEnd === 0) {
        problems.push({ kind: 'unclosed-extra-network', start: i, end: i + 1, text: '<' });
      }
      // A run of plain text, spaces included; leading and trailing spaces become whitespace leaves.
      // BREAK inside it is a keyword where it stands as a word of its own.
      let j = i + 1;
      while (j < end && !isSpecial(src.charCodeAt(j))) j++;
      pushRun(i, j);
      i = j;
    }
  }
  flush();
  while (stack.length > 0) closeFrame(stack.pop()!, undefined);
  root.end = end;

  const section: PromptSection = {
    kind,
    node: root,
    contentStart: labelEnd ?? start,
    contentEnd: end,
    text: '',
    segments: [],
    tags: [],
    extraNetworks: [],
    breaks: [],
    problems,
  };
  buildText(src, section, commentLines);
  collect(src, section);
  return section;
}

function lastEnd(node: Branch): number {
  const last = node.children[node.children.length - 1];
  return last ? last.end : node.start;
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

/** Tags with their weights, extra networks, BREAKs. */
function collect(src: string, section: PromptSection): void {
  // Weights: run A1111's own algorithm over the section, with what A1111 removes before it
  // (comments, extra networks, prompt-editing and alternation syntax) blanked out, offsets kept.
  const blanks: Array<[number, number]> = [];
  const blank = (s: number, e: number): void => {
    blanks.push([s - section.contentStart, e - section.contentStart]);
  };
  const tagNodes: Array<{ node: Branch; multipliers: Chain }> = [];
  // Multipliers as a linked list from the innermost bracket out, shared by everything inside it; a tag
  // turns its list into an array only when asked (copying it for every tag costs depth x tags).
  // Depth-first without recursion (brackets may nest deeper than the call stack), two parallel stacks.
  const nodes: SyntaxNode[] = [section.node];
  const chains: Chain[] = [null];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const multipliers = chains.pop()!;
    if (!isBranch(node)) {
      if (node.kind === 'comment' || node.kind === 'extra-network') blank(node.start, node.end);
      if (node.kind === 'extra-network') section.extraNetworks.push(parseExtraNetwork(src, node, section.kind));
      if (node.kind === 'break') section.breaks.push(node);
      continue;
    }
    if (node.kind === 'tag') {
      tagNodes.push({ node, multipliers });
      continue;
    }
    let inner = multipliers;
    if (node.kind === 'emphasis') {
      const weight = node.children.find((c) => c.kind === 'weight');
      const value = weight ? weightValue(src, weight) : undefined;
      inner = { value: value ?? ROUND, outer: multipliers };
    } else if (node.kind === 'deemphasis') {
      inner = { value: SQUARE, outer: multipliers };
    } else if (node.kind === 'editing' || node.kind === 'alternation') {
      for (const c of node.children) {
        if (!isBranch(c) && c.kind !== 'whitespace' && c.kind !== 'newline' && c.kind !== 'comment') blank(c.start, c.end);
      }
    }
    for (let k = node.children.length - 1; k >= 0; k--) {
      nodes.push(node.children[k]!);
      chains.push(inner);
    }
  }

  let masked = src.slice(section.contentStart, section.contentEnd);
  if (blanks.length > 0) {
    // Blanks come in tree order: sorted and not overlapping, except a comment inside an editing group.
    blanks.sort((a, b) => a[0] - b[0]);
    const parts: string[] = [];
    let at = 0;
    for (const [s, e] of blanks) {
      if (e <= at) continue;
      const from = Math.max(s, at);
      parts.push(masked.slice(at, from), ' '.repeat(e - from));
      at = e;
    }
    parts.push(masked.slice(at));
    masked = parts.join('');
  }
  const pieces = attentionPieces(masked, undefined, section.contentStart).filter((p) => p.end > p.start);
  let p = 0;
  for (const { node, multipliers } of tagNodes) {
    while (p < pieces.length && pieces[p]!.end <= node.start) p++;
    const piece = pieces[p];
    section.tags.push(new SectionTag(node, tagValue(src, node), section.kind, piece && piece.start <= node.start ? piece.weight : 1, multipliers));
  }
}

type Chain = { value: number; outer: Chain } | null;
const NO_MULTIPLIERS: readonly number[] = Object.freeze([]);

/** A Tag whose multipliers stay a shared list until read. */
class SectionTag implements Tag {
  constructor(
    readonly node: Branch,
    readonly value: string,
    readonly section: Section,
    readonly weight: number,
    private readonly chain: Chain,
  ) {}

  get multipliers(): number[] {
    if (!this.chain) return NO_MULTIPLIERS as number[];
    const out: number[] = [];
    for (let c: Chain = this.chain; c; c = c.outer) out.push(c.value);
    return out;
  }
}

const WEIGHT_VALUE = new RegExp(`^:[${PY_SPACE}]*([+-]?[.${PY_DIGIT}]+)`, 'u');

/** The number of a weight leaf (`: 1.2 `), as Python's float() reads it; undefined where it would fail. */
export function weightValue(src: string, weight: SyntaxNode): number | undefined {
  const m = WEIGHT_VALUE.exec(src.slice(weight.start, weight.end));
  return m ? pyFloat(m[1]!) : undefined;
}

/** A tag's text as A1111 reads it: escapes resolved, whitespace collapsed to single spaces. */
export function tagValue(src: string, tag: Branch): string {
  let value = '';
  for (const part of tag.children) {
    if (part.kind === 'whitespace') value += ' ';
    else if (part.kind === 'escape') value += src.slice(part.start + 1, part.end);
    else {
      const text = src.slice(part.start, part.end);
      value += ODD_SPACE.test(text) ? text.replace(SPACE_RUN, ' ') : text;
    }
  }
  return value;
}

function parseExtraNetwork(src: string, node: Leaf, section: Section): ExtraNetwork {
  const inner = src.slice(node.start + 1, node.end - 1);
  const [type = '', name = '', ...args] = inner.split(':');
  return { node, type, name, args, section };
}
