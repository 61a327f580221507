// `tagsmith/expandTemplate` over LSP: the built server, with `tagsmith.wildcardFolders` pointing at a folder
// the test writes, expands a block's prompts as sd-dynamic-prompts would for the image's seed (picks derived
// with CPython's random module, see template.test.ts: seed 1 → blue, armor; seed 2 → red, kimono).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPAND_TEMPLATE_METHOD, type ExpandTemplateResult } from '../../client/protocol';
import { startClient, type LspClient } from '../server/lspClient';

const folder = mkdtempSync(path.join(tmpdir(), 'tagsmith-expand-'));
writeFileSync(path.join(folder, 'outfits.txt'), 'suit\narmor\nkimono\n');

let client: LspClient;
beforeAll(async () => {
  client = await startClient({ settings: { wildcardFolders: [folder] } });
  await client.waitForLog(/Wildcards: 1 collections from 1 files/);
}, 60_000);
afterAll(() => client?.stop());

const expand = (prompt: string, negativePrompt: string, seed: unknown) =>
  client.connection.sendRequest<ExpandTemplateResult>(EXPAND_TEMPLATE_METHOD, { prompt, negativePrompt, seed });

describe(EXPAND_TEMPLATE_METHOD, () => {
  it("expands with the seed and the wildcard folders' values", async () => {
    expect(await expand('{red|blue} hair, __outfits__', '{ugly|bad} hands', 1)).toEqual({
      prompt: 'blue hair, armor', negativePrompt: 'bad hands', template: '{red|blue} hair, __outfits__', negativeTemplate: '{ugly|bad} hands',
    });
    expect((await expand('{red|blue} hair, __outfits__', '', 2)).prompt).toBe('red hair, kimono');
  });

  it('gives a plain prompt back unchanged, and errors as values naming what failed', async () => {
    expect(await expand('1boy, solo', 'lowres', 9)).toEqual({ prompt: '1boy, solo', negativePrompt: 'lowres' });
    expect((await expand('{a|b', '', 9)).error).toMatch(/^Dynamic Prompts could not expand the prompt: ParseException/);
    expect((await expand('1boy', '', 'x')).error).toMatch(/seed/);
    // Bad params do not take the server down.
    expect((await client.connection.sendRequest<ExpandTemplateResult>(EXPAND_TEMPLATE_METHOD, null)).error).toBeTruthy();
    expect(await expand('1boy', '', 1)).toEqual({ prompt: '1boy', negativePrompt: '' });
  });
});
