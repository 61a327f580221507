// A1111's prompt schedules and AND in counts and diagnostics, over LSP. Counts as A1111's token counter
// shows them (ui.py update_token_counter): extra networks removed, the positive prompt split at AND, each
// part's schedule expanded with the block's steps, the largest count of all those texts. Words from
// vocab.json that are one token each: "cat</w>", "dog</w>", "and</w>".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { startClient, type LspClient } from './lspClient';

let client: LspClient;
beforeAll(async () => {
  client = await startClient();
});
afterAll(() => client.stop());

let n = 0;
async function open(text: string): Promise<{ uri: string; diagnostics: Diagnostic[] }> {
  const uri = `file:///schedules-${n++}.sdprompt`;
  const published = client.nextDiagnostics(uri);
  client.open(uri, text);
  return { uri, diagnostics: await published };
}

async function count(text: string, line = 0, character = 1): Promise<{ tokenCount: number; chunks: number }> {
  const { uri } = await open(text);
  return (await client.connection.sendRequest('tagsmith/tokenCount', { uri, position: { line, character } })) as { tokenCount: number; chunks: number };
}

describe('token counts of scheduled prompts, as A1111 shows them', () => {
  it('prompt editing: the larger of its texts', async () => {
    // "cat" (1) then "dog dog dog" (3) after step 10 of 20.
    expect(await count('[cat:dog dog dog:10]\nSteps: 20')).toMatchObject({ tokenCount: 3, chunks: 1 });
  });

  it('alternation: the larger option, whatever the step', async () => {
    expect(await count('[cat|dog dog]')).toMatchObject({ tokenCount: 2 });
  });

  it('AND: the larger part, with its weight removed', async () => {
    expect(await count('cat AND dog dog dog :1.2')).toMatchObject({ tokenCount: 3 });
  });

  it('the negative prompt is not split at AND', async () => {
    // "cat AND dog": cat, and, dog.
    expect(await count('x\nNegative prompt: cat AND dog', 1, 20)).toMatchObject({ tokenCount: 3 });
  });

  it('a plain prompt keeps its own count', async () => {
    expect(await count('cat, dog')).toMatchObject({ tokenCount: 3 });
  });
});

describe('schedule diagnostics', () => {
  it('an edit at or past the last step never switches; a dot means a fraction even at 1.0', async () => {
    const { diagnostics } = await open('[cat:dog:25], [cow:pig:1.0], [hen:owl:10]\nSteps: 20');
    expect(diagnostics.filter((d) => d.code === 'edit-never-switches').map((d) => d.message)).toEqual([
      "'[cat:dog:25]' switches at step 20 of 20: A1111 never changes to 'dog'",
      "'[cow:pig:1.0]' switches at step 20 of 20: A1111 never changes to 'pig'",
    ]);
  });

  it("an edit whose step rounds below 1 never shows its first text (0.04 × 20 = 0.8 → 0)", async () => {
    const { diagnostics } = await open('[cat:dog:0.04]\nSteps: 20');
    expect(diagnostics.filter((d) => d.code === 'edit-from-never-shown').map((d) => d.message)).toEqual([
      "'[cat:dog:0.04]' switches before the first of 20 steps: A1111 never shows 'cat'",
    ]);
  });

  it('an AND weight A1111 cannot read, and none for a weighted tag at the end', async () => {
    const bad = await open('cat AND dog :1.2.3');
    expect(bad.diagnostics.filter((d) => d.code === 'malformed-and-weight').map((d) => d.message)).toEqual([
      "AND weight ':1.2.3' is not a number: A1111 reads it as part of the prompt and weighs the part 1",
    ]);
    const good = await open('cat AND (dog:1.3) AND cow :0.5');
    expect(good.diagnostics.filter((d) => d.code === 'malformed-and-weight')).toEqual([]);
  });
});

describe('schedule hover', () => {
  it('shows which text A1111 uses at which steps, with the count of each', async () => {
    const { uri } = await open('[cat:dog dog dog:10], cow\nSteps: 20');
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } })) as { contents: { value: string } };
    expect(hover.contents.value).toContain('- steps 1–10: `cat, cow` — 3 tokens\n- steps 11–20: `dog dog dog, cow` — 5 tokens');
  });
});
