// The render history of a workspace: an index (`history.json`) beside the saved PNGs in the preview folder,
// newest first. The PNGs are the truth: an entry whose PNG is gone is dropped, and a PNG the index lacks
// (index lost or damaged) comes back from its infotext, unlinked from any block. Pure: text in, text out.
import { parseDocument, defaultProfile, infotextTemplates } from '../../core';
import { buildTxt2img } from './request';

export interface HistoryEntry {
  /** File-name-like id, also the PNG's name without `.png`. */
  id: string;
  /** The `.sdprompt` document, as a URI string. */
  document: string;
  /** Index of the block in the document, and its first line when rendered (to find it again). */
  blockIndex: number;
  line: number;
  /** blockFingerprint() of the block as rendered. */
  fingerprint: string;
  /** The block's first words, for the list. */
  title: string;
  seed: number;
  width: number;
  height: number;
  steps: number;
  sampler: string;
  cfgScale: number;
  /** Milliseconds from the request to the image. */
  renderMs: number;
  /** ISO time of the render. */
  created: string;
  /** A1111 infotext of the image (also in its PNG). */
  infotext: string;
  draft: boolean;
  /** What was sent, where Dynamic Prompts expanded a template (absent: the block's own text was sent). */
  prompt?: string;
  negativePrompt?: string;
  /** The block's templates beside their expansions (absent where the text had no template syntax). */
  template?: string;
  negativeTemplate?: string;
  /** What the backend said it did not apply (the builtin backend's `not_applied`: extra networks it does not load). */
  notes?: string[];
}

export const HISTORY_FILE = 'history.json';
export const MAX_ENTRIES = 200;

/** The id (and PNG name) of a render made at `date` with `seed`: sortable, unique enough, safe as a file name. */
export function entryId(date: Date, seed: number, salt: number): string {
  const stamp = date.toISOString().replace(/[-:]/g, '').replace('T', '-').replace(/\.\d+Z$/, '');
  return `${stamp}-${seed}-${salt.toString(36)}`;
}

const FIELDS: Record<Exclude<keyof HistoryEntry, 'prompt' | 'negativePrompt' | 'template' | 'negativeTemplate' | 'notes'>, 'string' | 'number' | 'boolean'> = {
  id: 'string', document: 'string', blockIndex: 'number', line: 'number', fingerprint: 'string', title: 'string',
  seed: 'number', width: 'number', height: 'number', steps: 'number', sampler: 'string', cfgScale: 'number',
  renderMs: 'number', created: 'string', infotext: 'string', draft: 'boolean',
};

const OPTIONAL_TEXT = ['prompt', 'negativePrompt', 'template', 'negativeTemplate'] as const;

function isEntry(value: unknown): value is HistoryEntry {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  for (const [key, type] of Object.entries(FIELDS)) if (typeof v[key] !== type) return false;
  for (const key of OPTIONAL_TEXT) if (v[key] !== undefined && typeof v[key] !== 'string') return false;
  if (v.notes !== undefined && !(Array.isArray(v.notes) && v.notes.length <= 100 && v.notes.every((n) => typeof n === 'string'))) return false;
  return /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/.test(v.id as string);
}

/**
 * The entries of an index file, newest first, keeping only well-formed ones whose PNG (`<id>.png`) is among
 * `pngs`. A damaged file gives an empty history rather than an error: the PNGs stay where they are.
 */
export function parseHistory(text: string | undefined, pngs: ReadonlySet<string>): HistoryEntry[] {
  if (!text) return [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return [];
  }
  const list = (json as { entries?: unknown })?.entries;
  if (!Array.isArray(list)) return [];
  const seen = new Set<string>();
  const entries = list.filter((e): e is HistoryEntry => isEntry(e) && pngs.has(`${e.id}.png`) && !seen.has(e.id) && (seen.add(e.id), true));
  return entries.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
}

/** The history with `entry` first, at most `max` entries; also the ids pushed out (whose PNGs may be deleted). */
export function addEntry(entries: readonly HistoryEntry[], entry: HistoryEntry, max = MAX_ENTRIES): { entries: HistoryEntry[]; dropped: string[] } {
  const all = [entry, ...entries.filter((e) => e.id !== entry.id)];
  return { entries: all.slice(0, max), dropped: all.slice(max).map((e) => e.id) };
}

export function serializeHistory(entries: readonly HistoryEntry[]): string {
  return JSON.stringify({ version: 1, entries }, null, 1) + '\n';
}

/** The newest render of block `blockIndex` of `document`, if any. */
export function lastRender(entries: readonly HistoryEntry[], document: string, blockIndex: number): HistoryEntry | undefined {
  return entries.find((e) => e.document === document && e.blockIndex === blockIndex);
}

/** The time an id was made, from its stamp (`20261125-102233-…`), as ISO; undefined for other names. */
export function idTime(id: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-/.exec(id);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z` : undefined;
}

/**
 * An entry for a saved PNG the index does not know, from the A1111 infotext in the PNG: the image and its
 * settings come back; the link to a document and block does not (document '', blockIndex -1).
 */
export function entryFromInfotext(id: string, infotext: string): HistoryEntry | undefined {
  const created = idTime(id);
  const block = parseDocument(infotext).blocks[0];
  const body = block && buildTxt2img(block, defaultProfile, undefined).body;
  if (!created || !body) return undefined;
  return {
    id, document: '', blockIndex: -1, line: 0, fingerprint: '', title: (body.prompt.split('\n')[0] ?? '').slice(0, 60), seed: body.seed,
    width: body.width, height: body.height, steps: body.steps, sampler: body.sampler_name, cfgScale: body.cfg_scale, renderMs: 0, created,
    infotext, draft: false,
    ...templateFields(body.prompt, body.negative_prompt, infotextTemplates(infotext)),
  };
}

/** The template fields of an entry whose infotext holds templates: the expansion (the infotext's prompt) beside each. */
function templateFields(prompt: string, negativePrompt: string, t: { template?: string; negativeTemplate?: string }): Partial<HistoryEntry> {
  if (t.template === undefined && t.negativeTemplate === undefined) return {};
  return { prompt, negativePrompt, ...(t.template !== undefined ? { template: t.template } : {}), ...(t.negativeTemplate !== undefined ? { negativeTemplate: t.negativeTemplate } : {}) };
}
