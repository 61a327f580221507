// A prompt section's syntax tree as a node table: one Int32Array holding, for each node in pre-order, its kind
// code, start and subtree size (itself included). It costs 12 bytes a node where objects cost ~100 with their child
// arrays, and the checks read it without building any: the Branch/Leaf objects of tree.ts are built from it once, only
// for the readers that walk the tree (hover, formatting, semantic tokens). Ends are not stored: the leaves tile the
// section, so a node ends where the node after its subtree starts (the last ones at the section's end).
//
// A node whose kind is a leaf kind may still have a subtree: a `when` leaf keeps the parts of the tag it was
// read as (`[a:b:5]`); every reader skips a leaf's subtree.

import type { Branch, BranchKind, Leaf, LeafKind, SyntaxNode } from './tree';

const LEAF_KINDS: readonly LeafKind[] = [
  'text', 'escape', 'whitespace', 'newline', 'comment', 'separator', 'negative-label', 'open-paren', 'close-paren',
  'open-square', 'close-square', 'stray-close', 'weight', 'colon', 'when', 'pipe', 'comma', 'break', 'extra-network',
  'template-open', 'template-close', 'template-separator', 'template-quantifier', 'template-weight', 'template-sampler',
  'template-wrapper', 'wildcard', 'template-variable', 'template-comment', 'setting-key', 'setting-colon',
  'setting-value', 'setting-comma',
];
const BRANCH_KINDS: readonly BranchKind[] = ['document', 'block', 'prompt', 'negative', 'settings', 'setting', 'tag', 'emphasis', 'deemphasis', 'editing', 'alternation'];

/** Every kind by its code. */
export const KIND_NAMES: ReadonlyArray<LeafKind | BranchKind> = [...LEAF_KINDS, ...BRANCH_KINDS];
/** The code of every kind. */
export const KIND = Object.fromEntries(KIND_NAMES.map((k, i) => [k, i])) as Record<LeafKind | BranchKind, number>;
/** By code: a branch kind. */
export const IS_BRANCH: readonly boolean[] = KIND_NAMES.map((k) => (BRANCH_KINDS as readonly string[]).includes(k));
/** By code: one of the template layer's own leaves. */
export const IS_TEMPLATE: readonly boolean[] = KIND_NAMES.map((k) => k.startsWith('template-') || k === 'wildcard');

export class NodeTable {
  /** `data`: kind, start and size of each node; `last`: the end of the root (the section). */
  constructor(readonly data: Int32Array, private readonly last: number) {}

  get count(): number {
    return this.data.length / 3;
  }

  kind(i: number): number {
    return this.data[3 * i]!;
  }

  start(i: number): number {
    return this.data[3 * i + 1]!;
  }

  size(i: number): number {
    return this.data[3 * i + 2]!;
  }

  end(i: number): number {
    const next = i + this.data[3 * i + 2]!;
    return next < this.data.length / 3 ? this.data[3 * next + 1]! : this.last;
  }

  /** Visits the leaves in source order. */
  eachLeaf(visit: (kind: LeafKind, start: number, end: number) => void): void {
    const t = this.data;
    for (let i = 0; i < this.count; ) {
      const k = t[3 * i]!;
      if (IS_BRANCH[k]) {
        i++;
        continue;
      }
      visit(KIND_NAMES[k] as LeafKind, t[3 * i + 1]!, this.end(i));
      i += t[3 * i + 2]!;
    }
  }

  /** The tree as objects, and the tag branches in order. Iterative: brackets nest deeper than the call stack. */
  build(): { root: Branch; tags: Branch[] } {
    const t = this.data;
    const n = this.count;
    const root: Branch = { kind: KIND_NAMES[t[0]!] as BranchKind, start: t[1]!, end: this.last, children: [] };
    const tags: Branch[] = [];
    const parents: Branch[] = [root];
    const ends: number[] = [n];
    for (let i = 1; i < n; ) {
      while (ends[ends.length - 1]! <= i) {
        ends.pop();
        parents.pop();
      }
      const k = t[3 * i]!, size = t[3 * i + 2]!;
      const parent = parents[parents.length - 1]!;
      if (!IS_BRANCH[k]) {
        const leaf: Leaf = { kind: KIND_NAMES[k] as LeafKind, start: t[3 * i + 1]!, end: this.end(i) };
        parent.children.push(leaf);
        i += size;
        continue;
      }
      const branch: Branch = { kind: KIND_NAMES[k] as BranchKind, start: t[3 * i + 1]!, end: this.end(i), children: [] };
      parent.children.push(branch as SyntaxNode);
      if (KIND_NAMES[k] === 'tag') tags.push(branch);
      parents.push(branch);
      ends.push(i + size);
      i++;
    }
    return { root, tags };
  }
}
