// Checks of A1111's prompt schedules and AND in a prompt (core/schedule): an edit that never switches at the
// block's step count, one that switches before the first step, and an AND part whose trailing weight A1111
// cannot read. Pure: section text + steps -> diagnostics.

import { editStep, parseSchedule, splitAnd } from '../schedule';
import type { PromptSection } from '../parse/tree';
import { rules } from './rules';
import type { Report } from './networks';

export function checkSchedules(text: string, section: PromptSection, steps: number, report: Report): void {
  const base = section.contentStart;
  const source = text.slice(base, section.contentEnd);
  if (source.includes('[') && source.includes(':')) {
    const tree = parseSchedule(source);
    for (const edit of tree?.edits ?? []) {
      if (edit.when === undefined) continue;
      const at = editStep(edit.when, steps);
      const [before, after] = edit.segments as [[number, number], [number, number]];
      const shown = source.slice(edit.start, edit.end);
      const label = shown.length > 60 ? `${shown.slice(0, 57)}…` : shown;
      if (at >= steps) {
        report(rules.editNeverSwitches, base + edit.start, base + edit.end, { text: label, at, steps, to: source.slice(after[0], after[1]) });
      } else if (at < 1 && before[1] > before[0]) {
        report(rules.editFromNeverShown, base + edit.start, base + edit.end, { text: label, steps, from: source.slice(before[0], before[1]) });
      }
    }
  }
  if (section.kind === 'prompt' && source.includes('AND')) {
    let at = 0;
    for (const part of splitAnd(source)) {
      // A trailing `: something` that is no number: A1111's re_weight does not take it.
      const m = /:\s*([^:\s][^:]*?)\s*$/.exec(part);
      if (m && /^[-+]?[\d.]/.test(m[1]!) && !/[)\]>]/.test(m[1]!) && !/^[-+]?(?:\d+\.?|\d*\.\d+)$/.test(m[1]!)) {
        const start = base + at + m.index;
        report(rules.malformedAndWeight, start, base + at + part.trimEnd().length, { text: m[0].trim() });
      }
      at += part.length + 3;
    }
  }
}
