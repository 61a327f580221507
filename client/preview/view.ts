// What the preview page shows of a history entry: plain data the panel posts to the webview. Pure.
import type { HistoryEntry } from './history';

export interface PanelView {
  id: string;
  title: string;
  src: string;
  seed: number;
  size: string;
  steps: number;
  sampler: string;
  cfgScale: number;
  seconds: string;
  created: string;
  draft: boolean;
  /** The prompt sent (the expansion, where the block has a Dynamic Prompts template) and the template. */
  prompt?: string;
  template?: string;
  negativeTemplate?: string;
  /** What the backend did not apply (e.g. `<lora:x:0.8>: not applied (…)`), one line each; shown under the image. */
  notes?: string[];
}

/** The view of `entry`, its image at `src` (the webview URI of its PNG). */
export function panelView(entry: HistoryEntry, src: string): PanelView {
  return {
    id: entry.id, title: entry.title, src,
    seed: entry.seed, size: `${entry.width}×${entry.height}`, steps: entry.steps, sampler: entry.sampler, cfgScale: entry.cfgScale,
    seconds: (entry.renderMs / 1000).toFixed(1), created: entry.created, draft: entry.draft,
    ...(entry.prompt !== undefined ? { prompt: entry.prompt } : {}),
    ...(entry.template !== undefined ? { template: entry.template } : {}),
    ...(entry.negativeTemplate !== undefined ? { negativeTemplate: entry.negativeTemplate } : {}),
    ...(entry.notes?.length ? { notes: [...entry.notes] } : {}),
  };
}
