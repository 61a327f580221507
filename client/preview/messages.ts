// Messages from the preview webview. A webview is untrusted input (its page could be made to post anything),
// so every message is checked here before the extension acts on it. Pure.

/** An action on one history entry, named by its id. */
export type EntryAction = 'rerender' | 'copySeed' | 'copyInfotext' | 'reveal' | 'open' | 'gotoBlock';

export const ENTRY_ACTIONS: readonly EntryAction[] = ['rerender', 'copySeed', 'copyInfotext', 'reveal', 'open', 'gotoBlock'];

/** `shown`: the page displayed that entry's image (it loaded), so tests and logs know what the user sees. */
export type WebviewMessage = { type: 'ready' } | { type: EntryAction | 'shown'; id: string };

/** History ids are file-name-like: what history.ts makes, nothing that could be a path. */
const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/** The message if it is one the panel sends, with an id among `knownIds`; undefined otherwise. */
export function validateMessage(message: unknown, knownIds: ReadonlySet<string>): WebviewMessage | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return undefined;
  const m = message as Record<string, unknown>;
  const keys = Object.keys(m);
  if (m.type === 'ready') return keys.length === 1 ? { type: 'ready' } : undefined;
  if (typeof m.type !== 'string' || !(m.type === 'shown' || (ENTRY_ACTIONS as readonly string[]).includes(m.type))) return undefined;
  if (keys.length !== 2 || typeof m.id !== 'string' || !ID.test(m.id) || !knownIds.has(m.id)) return undefined;
  return { type: m.type as EntryAction | 'shown', id: m.id };
}
