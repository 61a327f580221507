// A1111's prompt schedules and AND parts (modules/prompt_parser.py): what text conditions each step.
import { multicondPromptList, type Subprompt } from './multicond';
import { promptSchedules, type ScheduleEntry } from './schedule';

export { parseSchedule, type Group, type GroupKind, type ScheduleTree } from './parse';
export { collectSteps, editStep, promptSchedules, textAtStep, type ScheduleEntry } from './schedule';
export { multicondPromptList, splitAnd, splitWeight, type Subprompt } from './multicond';

export interface ScheduledSubprompt {
  weight: number;
  schedule: ScheduleEntry[];
}

export interface PromptSchedule {
  subprompts: ScheduledSubprompt[];
}

/**
 * What A1111's get_multicond_learned_conditioning computes before encoding: the AND parts of the prompt in
 * order, each with its weight and its schedule over `steps` steps.
 */
export function schedulePrompt(prompt: string, steps: number): PromptSchedule {
  const cache = new Map<string, ScheduleEntry[]>();
  const subprompts = multicondPromptList(prompt).map(({ text, weight }: Subprompt): ScheduledSubprompt => {
    let schedule = cache.get(text);
    if (schedule === undefined) {
      schedule = promptSchedules(text, steps);
      cache.set(text, schedule);
    }
    return { weight, schedule };
  });
  return { subprompts };
}
