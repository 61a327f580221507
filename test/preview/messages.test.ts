import { describe, expect, it } from 'vitest';
import { validateMessage } from '../../client/preview/messages';

const known = new Set(['20261125-102233-42-a']);

describe('validateMessage', () => {
  it('accepts the messages the panel sends', () => {
    expect(validateMessage({ type: 'ready' }, known)).toEqual({ type: 'ready' });
    for (const type of ['rerender', 'copySeed', 'copyInfotext', 'reveal', 'open', 'gotoBlock', 'shown']) {
      expect(validateMessage({ type, id: '20261125-102233-42-a' }, known)).toEqual({ type, id: '20261125-102233-42-a' });
    }
  });

  it('refuses anything else', () => {
    const bad: unknown[] = [
      null, undefined, 'ready', 42, [], ['ready'],
      { type: 'ready', extra: 1 },
      { type: 'runCommand', id: '20261125-102233-42-a' },
      { type: 'reveal' },
      { type: 'reveal', id: 7 },
      { type: 'reveal', id: 'unknown-id' },
      { type: 'reveal', id: '../../etc/passwd' },
      { type: 'reveal', id: '20261125-102233-42-a', path: '/etc/passwd' },
      { type: '__proto__', id: '20261125-102233-42-a' },
      { type: 'toString', id: '20261125-102233-42-a' },
    ];
    for (const message of bad) expect(validateMessage(message, known), JSON.stringify(message)).toBeUndefined();
    // An id of the right shape that the history does not have.
    expect(validateMessage({ type: 'open', id: 'abc' }, known)).toBeUndefined();
    expect(validateMessage({ type: 'open', id: 'abc' }, new Set(['abc']))).toEqual({ type: 'open', id: 'abc' });
  });
});
