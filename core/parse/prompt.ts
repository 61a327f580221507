// Parses one prompt or negative-prompt section into tags, bracket groups, weights, BREAKs and extra
// networks. Tokens follow A1111's re_attention; effective weights come from core/attention itself, so the
// tree and A1111 can never disagree.

import { attentionPieces, isBreakWordAt } from '../attention';
import { PY_DIGIT, PY_SPACE, PY_WORD, isPySpaceCode, pyFloat } from '../pyre';
import { templateMarks, type TemplateMark } from './template';
import { isBranch, type Branch, type ExtraNetwork, type Leaf, type LeafKind, type ParseProblem, type PromptSection, type Range, type Section, type SyntaxNode, type Tag, type TemplateChoice, type TemplateVariant } from './tree';

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
      const tag: Branch = { kind: 'tag', start: parts[0]!.start, end: parts[parts.length - 1]!.end, children: parts };
      emit(tag);
      if (choice) choiceOf!.set(tag, choice);
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
      // `(a:{1.2|1.3})`: a weight written as a template is A1111's weight in each expansion.
      if (!frame.weight && colon && closer && !frame.templatedWeight) {
        problems.push({ kind: 'malformed-weight', start: colon.start, end: closer.start, text: src.slice(colon.start, closer.start) });
      }
      return;
    }
    if (!closer) return;
    if (frame.pipes.length > 0) {
      node.kind = 'alternation';
      return;
    }
    if (frame.colons.length === 2 && frame.templatedWeight) {
      node.kind = 'editing';
    } else if (frame.colons.length >= 1 && frame.colons.length <= 2) {
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

  // The template layer: its marks become leaves; tags end at them as at commas; each variant is a barrier
  // for brackets (see Barrier). Only sections that use template syntax pay for any of it.
  const contentStart = labelEnd ?? start;
  const template = templateMarks(src.slice(contentStart, end), contentStart);
  const marks: TemplateMark[] = template?.marks ?? [];
  const variants: TemplateVariant[] = template?.variants ?? [];
  const choiceOf = template ? new Map<Branch, TemplateChoice>() : undefined;
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
      problems.push({ kind: 'unclosed-bracket', start: frame.node.start, end: frame.node.start + 1, text: frame.round ? '(' : '[', inOption: true });
      closeFrame(frame, undefined, true);
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
    const siblings = container();
    let k = siblings.length - 1;
    while (k >= 0 && siblings[k]!.kind === 'whitespace') k--;
    const top = stack[stack.length - 1];
    if (top && k >= 0 && siblings[k]!.kind === 'colon' && siblings[k] === top.colons[top.colons.length - 1]) top.templatedWeight = true;
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
    emit(leaf(m.kind, m.start, m.end));
    if (id !== undefined && m.role === 'open') {
      barriers.push({ variant: id, depth: stack.length, open: { ...open }, ghosts: { ...ghosts }, outer: choice });
      activeVariants.add(id);
      open.round = open.square = ghosts.round = ghosts.square = 0;
      choice = { variant: variants[id]!, option: 0, start: m.end, parent: choice, depth: (choice?.depth ?? 0) + 1 };
    }
  };

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
        problems.push(barriers.length > 0 ? { kind: 'stray-bracket', start: i, end: i + 1, text: ch, inOption: true } : { kind: 'stray-bracket', start: i, end: i + 1, text: ch });
      }
      i++;
    } else if (ch === ':') {
      WEIGHT.lastIndex = i;
      const m = open.round > 0 || ghosts.round > 0 ? WEIGHT.exec(src) : null;
      if (m && m.index + m[0].length <= end && m.index + m[0].length <= nextMark) {
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
      const stop = end < nextMark ? end : nextMark;
      while (j < stop && !isSpecial(src.charCodeAt(j))) j++;
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
  if (template) section.template = { node: template.node, choices: [] };
  buildText(src, section, commentLines);
  collect(src, section, choiceOf, closers);
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
function collect(src: string, section: PromptSection, choiceOf?: Map<Branch, TemplateChoice>, closers: ReadonlyArray<{ at: number; text: string }> = []): void {
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
      // The template's own characters are never A1111's; a stray closer in an option is blanked so that
      // the weights follow the tree, where brackets pair within an option.
      else if (choiceOf && (node.kind.startsWith('template-') || node.kind === 'wildcard' || node.kind === 'stray-close')) blank(node.start, node.end);
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
  const pieces = attentionPieces(masked, undefined, section.contentStart).filter((p) => p.end > p.start);
  let p = 0;
  let shift = 0;
  let c = 0;
  const choices = section.template?.choices;
  for (const { node, multipliers } of tagNodes) {
    while (c < closers.length && closers[c]!.at <= node.start) shift += closers[c++]!.text.length;
    const start = node.start + shift;
    while (p < pieces.length && pieces[p]!.end <= start) p++;
    const piece = pieces[p];
    section.tags.push(new SectionTag(node, tagValue(src, node), section.kind, piece && piece.start <= start ? piece.weight : 1, multipliers));
    if (choices) choices.push(choiceOf?.get(node) ?? null);
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
