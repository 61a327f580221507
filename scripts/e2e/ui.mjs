// The UI test: drives VS Code (code-server) in headless Chromium as a user would, on ui.sdprompt of the
// e2e workspace, and saves screenshots under test-results/. Each check names what it waited for.
import path from 'node:path';

const TIMEOUT = 60_000;

/**
 * Runs the checks; resolves true when all passed. `basic` stops after the status bar and the suggestion
 * (enough to prove an installed VSIX works); screenshots are named `<prefix>-<what>.png`.
 */
export async function runUiChecks({ page, results, prefix = 'ui', basic = false, expectedCount }) {
  const shot = (name) => page.screenshot({ path: path.join(results, `${prefix}-${name}.png`) });
  const failures = [];
  const check = async (name, body) => {
    const started = Date.now();
    try {
      await body();
      console.log(`  ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (error) {
      failures.push(name);
      console.log(`  FAIL ${name}: ${error instanceof Error ? error.message.split('\n')[0] : error}`);
      await shot(`failed-${name.replace(/\W+/g, '-')}`).catch(() => {});
    }
  };
  const editor = page.locator('.editor-instance .monaco-editor').first();
  const statusItem = page.locator('.statusbar-item', { hasText: /\d+\/75 · \d+ chunks?/ }).first();

  await check('the workbench opens ui.sdprompt', async () => {
    await page.locator('.monaco-workbench').waitFor({ timeout: TIMEOUT * 2 });
    await page.locator('.tab', { hasText: 'ui.sdprompt' }).first().waitFor({ timeout: TIMEOUT });
    await editor.waitFor({ timeout: TIMEOUT });
  });

  await check('the status bar shows the token count of the prompt under the cursor', async () => {
    await editor.locator('.view-line', { hasText: 'looking at viewer' }).first().click();
    await statusItem.waitFor({ timeout: TIMEOUT });
    const text = (await statusItem.innerText()).trim();
    console.log(`       status bar: "${text}"`);
    // With no settings the shipped CLIP tokenizer counts: exact, no `~`, the same N as `tagsmith chunks`.
    if (expectedCount !== undefined && !text.startsWith(`${expectedCount}/75`)) {
      throw new Error(`expected "${expectedCount}/75 · …" (tagsmith chunks), the status bar says "${text}"`);
    }
  });

  await check('the inlay hint at the end of the prompt shows the same exact count', async () => {
    // Inlay hints are injected text: part of the rendered line, after the prompt's last tag.
    const line = editor.locator('.view-line', { hasText: 'looking at viewer' }).first();
    const pattern = new RegExp(`black hair\\s*(~?)(\\d+)/75`);
    let match = null;
    for (let tries = 0; tries < 40 && !match; tries++) {
      match = pattern.exec((await line.innerText()).replace(/\u00a0/g, ' '));
      if (!match) await page.waitForTimeout(250);
    }
    if (!match) throw new Error(`no N/75 inlay hint after the prompt: "${await line.innerText()}"`);
    console.log(`       inlay hint: "${match[1]}${match[2]}/75"`);
    if (match[1] === '~') throw new Error('the inlay hint is an estimate (~) with no settings');
    if (expectedCount !== undefined && Number(match[2]) !== expectedCount) throw new Error(`inlay hint ${match[2]}/75, tagsmith chunks says ${expectedCount}`);
  });

  await check('typing `best qu` shows the suggestion `best quality`', async () => {
    // The file ends with a line break: go to the end of its last line of text.
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Backspace');
    await page.keyboard.type(', best qu', { delay: 60 });
    const suggest = page.locator('.suggest-widget.visible');
    await suggest.waitFor({ timeout: TIMEOUT });
    await suggest.locator('.monaco-list-row', { hasText: 'best quality' }).first().waitFor({ timeout: TIMEOUT });
    await shot('completion');
    await page.keyboard.press('Enter');
    await editor.locator('.view-line', { hasText: '2boys, year 2030, best quality' }).first().waitFor({ timeout: TIMEOUT });
  });

  if (basic) return report(failures);

  await check('with no tag files set, typing `long ha` suggests `long hair` from the shipped dictionary', async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.type(', long ha', { delay: 60 });
    const suggest = page.locator('.suggest-widget.visible');
    await suggest.waitFor({ timeout: TIMEOUT });
    // `very long hair`, `low-tied long hair` … match too (a later word starts with what was typed), and the list
    // may still be refreshing under the mouse: select `long hair` with the keyboard once the list has settled.
    const row = suggest.locator('.monaco-list-row', { hasText: /^long hair/ }).first();
    await row.waitFor({ timeout: TIMEOUT });
    await page.waitForTimeout(500);
    await shot('completion-dictionary');
    const focused = suggest.locator('.monaco-list-row.focused');
    for (let moves = 0; moves < 12 && !/^long hair\b(?! between)/.test((await focused.innerText().catch(() => '')).trim()); moves++) {
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Enter');
    await editor.locator('.view-line', { hasText: 'best quality, long hair' }).first().waitFor({ timeout: TIMEOUT });
  });

  await check('Ctrl+Up raises the emphasis of the tag under the cursor', async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.type(', smile', { delay: 40 });
    await page.keyboard.press('Escape');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Control+ArrowUp');
    await editor.locator('.view-line', { hasText: '(smile:1.1)' }).first().waitFor({ timeout: TIMEOUT });
    await page.keyboard.press('Control+ArrowUp');
    await editor.locator('.view-line', { hasText: '(smile:1.2)' }).first().waitFor({ timeout: TIMEOUT });
    await shot('emphasis');
  });

  await check('hovering `((looking at viewer))` shows its weight 1.21', async () => {
    const word = editor.locator('.view-line span', { hasText: /^looking at viewer$|viewer/ }).first();
    await word.hover();
    const hover = page.locator('.monaco-hover', { hasText: '1.21' }).first();
    await hover.waitFor({ state: 'visible', timeout: TIMEOUT });
    await shot('hover');
  });

  await check("hovering a LoRA from tagsmith.webuiFolder shows its preview image", async () => {
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
    const network = editor.locator('.view-line', { hasText: '<lora:knight:0.8>' }).locator('span', { hasText: /lora/ }).last();
    await network.hover();
    const image = page.locator('.monaco-hover img[src^="data:image/png"]').first();
    await image.waitFor({ state: 'visible', timeout: TIMEOUT });
    const loaded = await image.evaluate((img) => img.complete && img.naturalWidth > 0);
    if (!loaded) throw new Error('the preview image did not load');
    await page.locator('.monaco-hover', { hasText: 'silver knight' }).first().waitFor({ state: 'visible', timeout: TIMEOUT });
    await shot('hover-lora-preview');
  });

  await check('the Problems view lists the diagnostic of `year 2030`', async () => {
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Shift+M');
    const markers = page.locator('.markers-panel');
    await markers.waitFor({ timeout: TIMEOUT });
    await markers.locator('.monaco-list-row', { hasText: /2030/ }).first().waitFor({ timeout: TIMEOUT });
    await shot('problems');
  });

  await check('clicking the token count lists the prompt\'s 75-token chunks', async () => {
    await page.keyboard.press('Escape');
    await editor.locator('.view-line', { hasText: 'looking at viewer' }).first().click();
    await statusItem.click();
    const picker = page.locator('.quick-input-widget', { hasText: 'Chunk 1' });
    await picker.waitFor({ state: 'visible', timeout: TIMEOUT });
    await shot('token-chunks');
    await page.keyboard.press('Escape');
  });

  return report(failures);
}

function report(failures) {
  console.log(`  ui: ${failures.length === 0 ? 'all checks passed' : `${failures.length} failed: ${failures.join('; ')}`}`);
  return failures.length === 0;
}
