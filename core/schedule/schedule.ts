// A1111's get_learned_conditioning_prompt_schedules (modules/prompt_parser.py, master), for one prompt,
// with hires_steps=None and use_old_scheduling=False (what txt2img and img2img pass for the first pass).

import { parseSchedule, type Group, type ScheduleTree } from './parse';

/** One entry of a prompt schedule: the text is used up to and including step `endStep`. */
export type ScheduleEntry = [endStep: number, text: string];

/**
 * A1111's `when` for an edit: a NUMBER with a dot is a fraction of the steps (`float(s) * steps`, even when
 * it is 1 or more), one without is a step (`float(s)`); then `min(steps, int(v))`.
 * Where v is infinite (`1e999`) Python's int() raises OverflowError and A1111 fails; we keep min/compare
 * semantics instead (+inf → steps, -inf → never reached).
 */
export function editStep(when: string, steps: number): number {
  let v = Number(when);
  if (when.includes('.')) v *= steps;
  return Math.min(steps, Math.trunc(v));
}

/** The steps at which A1111 looks up a new text: CollectSteps' `sorted(set(res))`. */
export function collectSteps(tree: ScheduleTree, steps: number): number[] {
  const res = new Set<number>([steps]);
  for (const edit of tree.edits) {
    const at = editStep(edit.when!, steps);
    if (at >= 1) res.add(at);
  }
  if (tree.hasAlternate) for (let s = 1; s <= steps; s++) res.add(s);
  return [...res].sort((a, b) => a - b);
}

interface Frame {
  pos: number;
  end: number;
  kids: Group[];
  k: number;
}

/** A1111's AtStep transformer: the prompt's text at `step`. Iterative; O(length of the text). */
export function textAtStep(tree: ScheduleTree, step: number, whens: Map<Group, number>): string {
  const { text } = tree;
  const out: string[] = [];
  const stack: Frame[] = [{ pos: 0, end: text.length, kids: tree.groups, k: 0 }];
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (f.k >= f.kids.length) {
      if (f.end > f.pos) out.push(text.slice(f.pos, f.end));
      stack.pop();
      continue;
    }
    const g = f.kids[f.k++]!;
    if (g.start > f.pos) out.push(text.slice(f.pos, g.start));
    f.pos = g.end;
    let seg: number;
    if (g.kind === 'emphasis') seg = 0;
    else if (g.kind === 'edit') seg = step <= whens.get(g)! ? 0 : 1;
    else {
      const count = g.segments.length;
      seg = (((step - 1) % count) + count) % count; // Python's % for any step
    }
    const [a, b] = g.segments[seg]!;
    stack.push({ pos: a, end: b, kids: g.children[seg]!, k: 0 });
  }
  return out.join('');
}

/**
 * A1111's prompt schedule for one prompt: `[[end_step, text], ...]`, one entry per collected step (equal
 * neighbours are not merged). A prompt its grammar rejects gives `[[steps, prompt]]`.
 */
export function promptSchedules(prompt: string, steps: number): ScheduleEntry[] {
  const tree = parseSchedule(prompt);
  if (tree === undefined) return [[steps, prompt]];
  const whens = new Map<Group, number>();
  for (const edit of tree.edits) whens.set(edit, editStep(edit.when!, steps));
  return collectSteps(tree, steps).map((t): ScheduleEntry => [t, textAtStep(tree, t, whens)]);
}
