// The snippets carry the AnimeBoysXL card's text exactly: presets, suffix, years, settings per trained size.
// Expectations are written out by hand from the card (../shared/docs/model-card.md), and checked
// against the card file itself when it is present.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

interface Snippet {
  prefix: string | string[];
  body: string[];
  description: string;
}
const root = path.resolve(__dirname, '../..');
const snippets = JSON.parse(readFileSync(path.join(root, 'snippets/sdprompt.json'), 'utf8')) as Record<string, Snippet>;
const bodies = Object.values(snippets).map((s) => s.body.join('\n'));

const HEAVY =
  'lowres, (bad:1.05), text, error, missing, extra, fewer, cropped, jpeg artifacts, worst quality, bad quality, watermark, bad aesthetic, unfinished, chromatic aberration, scan, scan artifacts, 1girl, breasts';
const LIGHT = 'lowres, jpeg artifacts, worst quality, watermark, blurry, bad aesthetic, 1girl, breasts';
const SUFFIX = 'best quality, amazing quality, best aesthetic, absurdres';
const FLAT = 'realistic, lips, nose';

describe('snippets', () => {
  it('offer a full block for each trained size with the card settings (Euler a, 28, 5)', () => {
    for (const size of ['832x1216', '1024x1024', '1216x832']) {
      const block = bodies.find((b) => b.includes(`Size: ${size}`));
      expect(block, size).toBeDefined();
      const lines = block!.split('\n');
      expect(lines[0]).toContain(`, ${SUFFIX}, year \${2|2023,`);
      expect(lines[1]).toBe(`Negative prompt: ${HEAVY}`);
      expect(lines[2]).toMatch(/^Steps: 28, Sampler: Euler a, CFG scale: 5, Seed: \$\{3:\d+\}, Size: \d+x\d+, Model: AnimeBoysXL$/);
    }
  });

  it('offer the suffix, both negative presets and the flat add-on verbatim', () => {
    expect(bodies).toContain(`${SUFFIX}$0`);
    expect(bodies).toContain(`Negative prompt: ${HEAVY}$0`);
    expect(bodies).toContain(`Negative prompt: ${LIGHT}$0`);
    expect(bodies).toContain(`${FLAT}$0`);
  });

  it('offer every year the card trained, 2005 to 2023, newest first', () => {
    const year = bodies.find((b) => b.startsWith('year '));
    const choices = /\$\{1\|([^|]*)\|\}/.exec(year ?? '')?.[1]?.split(',');
    expect(choices?.[0]).toBe('2023');
    expect(choices?.at(-1)).toBe('2005');
    expect(choices).toHaveLength(19);
  });

  it('each have a prefix and a description', () => {
    for (const [name, s] of Object.entries(snippets)) {
      expect(s.prefix.length, name).toBeGreaterThan(0);
      expect(s.description.length, name).toBeGreaterThan(20);
    }
  });

  const card = path.resolve(root, '../shared/docs/model-card.md');
  describe.skipIf(!existsSync(card))('agree with the model card file', () => {
    const text = existsSync(card) ? readFileSync(card, 'utf8') : '';
    it('has the same presets, suffix and add-on', () => {
      expect(text).toContain(`Heavy (recommended): \`${HEAVY}\``);
      expect(text).toContain(`Light: \`${LIGHT}\``);
      expect(text).toContain(`Append \`, ${SUFFIX}\``);
      expect(text).toContain(`\`, ${FLAT}\``);
    });
  });
});
