// Previews in a real VS Code: the builtin backend (tagsmith serve from the extension's dist/, started by the
// extension) renders a block with the tiny test model; the progress reaches the last step, the image is saved
// and shown in the preview panel; a long render is cancelled and the backend stops working on it.
// Runs last (file order), so the suite's final screenshot shows the preview panel with the image.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { A1111Client } from '../../../client/preview/api';
import { a1111Parameters, readPngText } from '../../../core/png/readText';
import type { PreviewApi } from '../../../client/preview';
import { api, extension, report, waitFor, workspaceUri } from './util';

describe('previews without a model', () => {
  it('say exactly what to set and how to export a model, and start no backend', async () => {
    await api();
    const preview = (await vscode.commands.executeCommand('_tagsmith.previewApi')) as PreviewApi;
    await vscode.workspace.getConfiguration('tagsmith').update('modelPath', undefined, vscode.ConfigurationTarget.Global);
    const doc = await vscode.workspace.openTextDocument({ language: 'sdprompt', content: '1boy\n' });
    assert.equal(await preview.render(doc.uri, 0), undefined);
    assert.match(preview.lastError?.message ?? '', /Set "tagsmith\.modelPath".*optimum-cli export onnx.*"Local rendering"/s);
    assert.equal(preview.builtin?.running ?? false, false);
  });

  it('in Restricted Mode the render command executes nothing @untrusted', async () => {
    await api();
    const preview = (await vscode.commands.executeCommand('_tagsmith.previewApi')) as PreviewApi;
    assert.equal(vscode.workspace.isTrusted, false);
    const doc = await vscode.workspace.openTextDocument({ language: 'sdprompt', content: '1boy\nSteps: 4, Size: 64x64\n' });
    assert.equal(await preview.render(doc.uri, 0), undefined);
    assert.equal(preview.lastError?.message, 'Restricted Mode');
    assert.equal(preview.builtin, undefined, 'no backend was created');
  });
});

describe('previews', () => {
  let preview: PreviewApi;
  const config = () => vscode.workspace.getConfiguration('tagsmith');

  before(async () => {
    await api();
    const model = mkdtempSync(path.join(tmpdir(), 'tagsmith-e2e-model-'));
    execFileSync(process.execPath, [path.join(extension().extensionPath, 'dist', 'cli.js'), 'make-test-model', model], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    await config().update('backend', 'builtin', vscode.ConfigurationTarget.Global);
    await config().update('modelPath', model, vscode.ConfigurationTarget.Global);
    preview = (await vscode.commands.executeCommand('_tagsmith.previewApi')) as PreviewApi;
    assert.ok(preview, 'the preview API is there');
  });

  after(async () => {
    await config().update('modelPath', undefined, vscode.ConfigurationTarget.Global);
    await config().update('backend', undefined, vscode.ConfigurationTarget.Global);
  });

  async function openBlock(name: string, text: string): Promise<vscode.TextDocument> {
    const file = path.join(workspaceUri().fsPath, name);
    writeFileSync(file, text);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    return doc;
  }

  it('cancels a long render: the render ends as cancelled and the backend stops sampling', async () => {
    const doc = await openBlock('long.sdprompt', '1boy, solo\nSteps: 150, Size: 2048x2048, Seed: 7\n');
    const framesBefore = preview.panel.liveFrames;
    const rendering = preview.render(doc.uri, 0);
    await waitFor('the first steps of the long render', () => (preview.lastProgress.some((p) => p.step >= 2) ? true : undefined), 60_000);
    // The backend's live preview (every 5 steps) reaches the panel while sampling.
    await waitFor('a live preview frame in the panel', () => (preview.panel.liveFrames > framesBefore ? true : undefined), 60_000);
    const cancelledAt = Date.now();
    preview.cancel();
    assert.equal(await rendering, undefined);
    assert.equal(preview.lastError?.kind, 'cancelled');
    const { url, token } = await preview.builtin!.ensure();
    const client = new A1111Client(url, { kind: 'bearer', token });
    await waitFor('the backend to be idle', async () => ((await client.progress()).total === 0 ? true : undefined), 10_000);
    const last = preview.lastProgress[preview.lastProgress.length - 1]!;
    assert.ok(last.step < 150, `stopped at step ${last.step} of 150`);
    report(`preview: cancelled at step ${last.step}/150, backend idle ${Date.now() - cancelledAt} ms after Cancel`);
  });

  it('renders the block under the cursor with the tiny model: progress to the end, the image in the panel', async () => {
    const doc = await openBlock('preview.sdprompt', '# e2e\n1boy, solo, smile\nNegative prompt: lowres\nSteps: 28, Size: 1024x1024, Seed: 42\n');
    const editor = vscode.window.activeTextEditor!;
    editor.selection = new vscode.Selection(2, 3, 2, 3);
    const started = Date.now();
    const entry = (await vscode.commands.executeCommand('tagsmith.renderPreview')) as Awaited<ReturnType<PreviewApi['render']>>;
    assert.ok(entry, `a render came back (${preview.lastError?.message ?? ''})`);
    report(`preview: command to image, tiny model 1024x1024 28 steps, first render (backend already started): ${Date.now() - started} ms`);
    assert.equal(entry.seed, 42);
    assert.deepEqual([entry.width, entry.height, entry.steps], [1024, 1024, 28]);
    assert.equal(entry.document, doc.uri.toString());
    assert.match(entry.infotext, /^1boy, solo, smile\nNegative prompt: lowres\nSteps: 28, Sampler: Euler a, (Schedule type: Automatic, )?CFG scale: 5, Seed: 42, Size: 1024x1024/);
    assert.ok(!/Template:/.test(entry.infotext) && entry.template === undefined, 'a block without template syntax gets no Template field');
    assert.deepEqual(preview.lastProgress[preview.lastProgress.length - 1], { step: 28, total: 28 });
    const png = path.join(workspaceUri().fsPath, '.tagsmith', 'previews', `${entry.id}.png`);
    assert.ok(existsSync(png), `${png} was saved`);
    assert.ok(preview.panel.visible, 'the preview panel is open');
    assert.equal(preview.panel.lastState.current, entry.id);
    assert.ok(preview.panel.lastState.historyIds.includes(entry.id));
    // The webview page itself loaded the saved PNG (through asWebviewUri) and says it shows it.
    await waitFor('the panel page to show the image', () => (preview.panel.shownId === entry.id ? true : undefined), 20_000);
    // The CodeLens above the block says it was rendered, and after an edit that it changed since.
    const lenses = (await vscode.commands.executeCommand('vscode.executeCodeLensProvider', doc.uri)) as vscode.CodeLens[];
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(titles.includes('▶ Render'), titles.join(' | '));
    assert.ok(titles.some((t) => t.startsWith('rendered ') && t.includes('seed 42')), titles.join(' | '));
    // Hovering the block's first line shows the last render's thumbnail.
    const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, new vscode.Position(0, 2))) as vscode.Hover[];
    const hoverText = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.ok(hoverText.includes(`${entry.id}.png`) && hoverText.includes('<img'), hoverText);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(1, 0), 'blue eyes, ');
    await vscode.workspace.applyEdit(edit);
    const after = (await vscode.commands.executeCommand('vscode.executeCodeLensProvider', doc.uri)) as vscode.CodeLens[];
    assert.ok(after.some((l) => l.command?.title.startsWith('changed since its render')), after.map((l) => l.command?.title).join(' | '));
    const undo = new vscode.WorkspaceEdit();
    undo.delete(doc.uri, new vscode.Range(1, 0, 1, 'blue eyes, '.length));
    await vscode.workspace.applyEdit(undo);

    // The panel's buttons, as the page sends them (validated like any message from it): re-render with a new
    // seed, then copy that seed into the block's settings line. A forged message is refused.
    assert.equal(await preview.panel.receive({ type: 'reveal', id: '../../etc/passwd' }), false);
    assert.equal(await preview.panel.receive({ type: 'rerender', id: entry.id }), true);
    const newest = preview.panel.lastState.current!;
    assert.notEqual(newest, entry.id, 'a new render was made');
    const seed = Number(/-(\d+)-[0-9a-z]+$/.exec(newest)![1]);
    assert.equal(await preview.panel.receive({ type: 'copySeed', id: newest }), true);
    assert.match(doc.getText(), new RegExp(`^Steps: 28, Size: 1024x1024, Seed: ${seed}$`, 'm'));
    // With the seed of the newest render in it, the block again renders what that image shows.
    const now = (await vscode.commands.executeCommand('vscode.executeCodeLensProvider', doc.uri)) as vscode.CodeLens[];
    assert.ok(now.some((l) => l.command?.title.includes(`seed ${seed}`) && l.command.title.startsWith('rendered ')), now.map((l) => l.command?.title).join(' | '));
    // Leave the file as it was and the panel showing the image for the suite's final screenshot.
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await doc.save();
  });

  it('expands a Dynamic Prompts template with the seed before rendering; the PNG keeps the template', async () => {
    // The fixture's wildcards/outfits.txt: suit, armor, kimono. With Seed: 1, sd-dynamic-prompts picks blue and
    // armor (CPython's random: seed 1, randint(1, 1), choices([0, 1], [1, 1]) → 1, choice(3 values) → 0).
    const folder = path.join(workspaceUri().fsPath, 'wildcards');
    await config().update('wildcardFolders', [folder], vscode.ConfigurationTarget.Global);
    const tagsmith = await api();
    await waitFor('the server to index the wildcard folder', async () => {
      const r = (await tagsmith.client?.sendRequest('tagsmith/expandTemplate', { prompt: '__outfits__', negativePrompt: '', seed: 1 })) as { prompt?: string } | undefined;
      return r?.prompt === 'armor' ? true : undefined;
    }, 20_000);
    const template = '{red|blue} hair, __outfits__';
    const doc = await openBlock('template.sdprompt', `${template}\nNegative prompt: lowres\nSteps: 4, Size: 256x256, Seed: 1\n`);
    const entry = await preview.render(doc.uri, 0);
    assert.ok(entry, `a render came back (${preview.lastError?.message ?? ''})`);
    assert.equal(entry.prompt, 'blue hair, armor');
    assert.equal(entry.template, template);
    assert.equal(entry.negativeTemplate, undefined, 'lowres has no template syntax');
    assert.equal(preview.panel.lastState.currentView?.prompt, 'blue hair, armor');
    assert.equal(preview.panel.lastState.currentView?.template, template);
    // The backend rendered the expansion; the saved PNG's infotext carries the template as sd-dynamic-prompts writes it.
    const png = readFileSync(path.join(workspaceUri().fsPath, '.tagsmith', 'previews', `${entry.id}.png`));
    const infotext = a1111Parameters(readPngText(png, (d) => inflateSync(d))) ?? '';
    assert.match(infotext, /^blue hair, armor\nNegative prompt: lowres\nSteps: 4, /);
    assert.ok(infotext.includes(`Template: "${template}"`), infotext);
    assert.equal(entry.infotext, infotext);
    // A re-render with a new seed expands the template anew, with that seed.
    assert.equal(await preview.panel.receive({ type: 'rerender', id: entry.id }), true);
    const again = preview.panel.lastState.currentView!;
    assert.notEqual(again.id, entry.id);
    assert.equal(again.template, template);
    assert.match(again.prompt ?? '', /^(red|blue) hair, (armor|kimono|suit)$/);
    // The panel page shows the render whose prompt came from a template.
    await waitFor('the panel page to show the re-render', () => (preview.panel.shownId === again.id ? true : undefined), 20_000);
    report(`preview: template rendered as "${entry.prompt}" (seed 1), re-rendered as "${again.prompt}" (seed ${again.seed})`);
    await config().update('wildcardFolders', undefined, vscode.ConfigurationTarget.Global);
  });
});
