// The lossless syntax tree of a `.sdprompt` document. Every node has a source range (UTF-16 offsets,
// end exclusive); leaves tile the whole input, so concatenating their text gives the input back.

import type { TemplateNode } from '../template/parse';
import type { TextAtom } from '../text/intern';

export type LeafKind =
  | 'text' // a run of tag text
  | 'escape' // \( \) \[ \] \\ or a lone backslash (which A1111 drops)
  | 'whitespace'
  | 'newline' // \n or \r\n
  | 'comment' // a line starting with #, without its line ending
  | 'separator' // a --- line, without its line ending
  | 'negative-label' // "Negative prompt:"
  | 'open-paren'
  | 'close-paren'
  | 'open-square'
  | 'close-square'
  | 'stray-close' // a ) or ] with nothing to close
  | 'weight' // ":1.2" (with the spaces A1111 allows around the number), before the closing paren
  | 'colon' // ':' inside brackets that is not a weight: prompt-editing separator, or a misspelt weight
  | 'when' // the step number of prompt editing, [a:b:0.5]
  | 'pipe' // '|' of alternation
  | 'comma'
  | 'break' // BREAK
  | 'extra-network' // <lora:name:0.8>
  // The sd-dynamic-prompts template layer (core/parse/template.ts), in a section whose template parses:
  | 'template-open' // '{' of a variant, '%{' of a wrap
  | 'template-close' // '}'
  | 'template-separator' // '|' between options, the '$$' of a wrap
  | 'template-quantifier' // '2$$', '1-3$$', '-2$$', '2-$$', '2$$ and $$'
  | 'template-weight' // '0.5::' before an option
  | 'template-sampler' // '~', '@' or '!' after '{'
  | 'template-wrapper' // the wrapper of a wrap, '%{' and '$$' excluded
  | 'wildcard' // __name__, __dir/name__, __a*__ (the whole of it)
  | 'template-variable' // ${x=…}, ${x=!…}, ${x}, ${x:default} (the whole of it)
  | 'template-comment' // what the template parser skips as a comment (#…, //…, /*…*/), one line of it
  | 'setting-key'
  | 'setting-colon'
  | 'setting-value'
  | 'setting-comma';

export type BranchKind =
  | 'document'
  | 'block'
  | 'prompt' // the prompt section of a block
  | 'negative' // the negative prompt section, from "Negative prompt:" on
  | 'settings' // the settings line
  | 'setting' // one Key: value entry
  | 'tag'
  | 'emphasis' // ( ... ) or ( ... :w)
  | 'deemphasis' // [ ... ]
  | 'editing' // [from:to:when]
  | 'alternation'; // [a|b]

export interface Leaf {
  kind: LeafKind;
  start: number;
  end: number;
}

export interface Branch {
  kind: BranchKind;
  start: number;
  end: number;
  children: SyntaxNode[];
}

export type SyntaxNode = Leaf | Branch;

export function isBranch(node: SyntaxNode): node is Branch {
  return (node as Branch).children !== undefined;
}

/** Leaves in source order. Iterative: prompts may nest brackets deeper than the call stack. */
export function* leaves(node: SyntaxNode): Generator<Leaf> {
  const stack: SyntaxNode[] = [node];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (!isBranch(next)) {
      yield next;
      continue;
    }
    for (let k = next.children.length - 1; k >= 0; k--) stack.push(next.children[k]!);
  }
}

/** Visits every node depth-first, parents before children, with the chain of parents (outermost first). */
export function walk(node: SyntaxNode, visit: (node: SyntaxNode, parents: readonly Branch[]) => void): void {
  const parents: Branch[] = [];
  // Each entry is a node, or `null` to mark the end of the latest parent's children.
  const stack: Array<SyntaxNode | null> = [node];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (next === null) {
      parents.pop();
      continue;
    }
    visit(next, parents);
    if (!isBranch(next)) continue;
    parents.push(next);
    stack.push(null);
    for (let k = next.children.length - 1; k >= 0; k--) stack.push(next.children[k]!);
  }
}

export interface Range {
  start: number;
  end: number;
}

export type Section = 'prompt' | 'negative';

/** A tag: what a user reads as one item of a prompt, between commas, brackets and BREAKs. */
export interface Tag {
  /** Its range (the same as its node's, which is built only when read). */
  start: number;
  end: number;
  node: Branch;
  /** The tag as A1111 reads it: escapes resolved, whitespace runs collapsed to one space. */
  value: string;
  section: Section;
  /** The effective weight A1111 gives this text (from core/attention, to the bit). */
  weight: number;
  /** The multipliers of the enclosing brackets, innermost first (`((x))` → [1.1, 1.1]). */
  multipliers: number[];
  /** The atom of the tag's source characters, holding `value` (tags up to 256 characters), where caches keep what they know of it. */
  atom?: TextAtom;
}

export interface ExtraNetwork {
  node: Leaf;
  /** `lora`, `hypernet`, ... */
  type: string;
  name: string;
  /** The remaining `:`-separated arguments, e.g. ['0.8']. */
  args: string[];
  section: Section;
}

/** A syntax problem found while parsing: the checks turn these into diagnostics. */
export interface ParseProblem {
  kind: 'unclosed-bracket' | 'crossed-bracket' | 'stray-bracket' | 'malformed-weight' | 'unclosed-extra-network';
  start: number;
  end: number;
  /** The offending text, e.g. `(`, `:abc`. */
  text: string;
  /** An unclosed or stray bracket within one option of a Dynamic Prompts variant (A1111 reads each expansion). */
  inOption?: boolean;
}

/** A Dynamic Prompts variant of a section, as the checks need it (offsets in the document). */
export interface TemplateVariant {
  start: number;
  end: number;
  /** At most one option is picked (no `N$$` above 1): its options never meet in one expansion. */
  exclusive: boolean;
}

/** Which option of which variant a tag is in: shared by the tags of one option, linked to the enclosing one. */
export interface TemplateChoice {
  variant: TemplateVariant;
  /** Index of the option, from 0. */
  option: number;
  /** Where the option starts (just after its `{` or `|`). */
  start: number;
  parent: TemplateChoice | null;
  depth: number;
}

/** The template layer of a section that uses Dynamic Prompts syntax and parses (see core/parse/template.ts). */
export interface SectionTemplate {
  /** The template's tree, from core/template/parse.ts (offsets relative to contentStart). */
  node: TemplateNode;
  /** The choice each tag is in, by tag index (null: in no variant). */
  choices: Array<TemplateChoice | null>;
}

export interface PromptSection {
  kind: Section;
  node: Branch;
  /** Its node's range (the tree is built only when `node` is read). */
  start: number;
  end: number;
  /** Range of the prompt text itself (after "Negative prompt:"), comments included. */
  contentStart: number;
  contentEnd: number;
  /** The prompt as A1111 receives it: comment lines dropped, lines joined by '\n', trimmed. */
  text: string;
  /** Maps offsets in `text` to source offsets: sorted runs of verbatim copies. */
  segments: Array<{ textStart: number; sourceStart: number; length: number }>;
  /** Its tags (made on first read: the checks and token counts read them by index, below, without making any). */
  readonly tags: Tag[];
  readonly tagCount: number;
  /** Of the k-th tag: what tags[k] holds. */
  tagStart(k: number): number;
  tagEnd(k: number): number;
  tagWeight(k: number): number;
  tagValue(k: number): string;
  tagAtom(k: number): TextAtom | undefined;
  /** The k-th tag, the same object as tags[k] (made alone if tags was not read). */
  tagAt(k: number): Tag;
  extraNetworks: ExtraNetwork[];
  breaks: Leaf[];
  /** The comment lines in it (leaves of the tree, at any depth). */
  comments: Leaf[];
  problems: ParseProblem[];
  /** Set where the section uses sd-dynamic-prompts syntax and its template parses. */
  template?: SectionTemplate;
  /** Visits its leaves in source order, as `leaves(node)` gives them, without building the tree. */
  eachLeaf(visit: (kind: LeafKind, start: number, end: number) => void): void;
}

export interface SettingEntry {
  node: Branch;
  key: string;
  /** The value with A1111's quoting removed. */
  value: string;
  keyRange: Range;
  valueRange: Range;
}

export interface SettingsLine {
  node: Branch;
  /** Its node's range (the tree is built only when `node` is read). */
  start: number;
  end: number;
  entries: SettingEntry[];
}

export interface Block {
  index: number;
  node: Branch;
  prompt?: PromptSection;
  negative?: PromptSection;
  settings?: SettingsLine;
}
