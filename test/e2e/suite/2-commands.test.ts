// The editor commands in a real VS Code: emphasis, negative presets, copy as infotext, PNG import.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { encodePng } from '../../../backend/png';
import { closeAll, openEditor, workspaceUri } from './util';

const HEAVY = 'lowres, (bad:1.05), text, error, missing, extra, fewer, cropped, jpeg artifacts, worst quality, bad quality, watermark, bad aesthetic, unfinished, chromatic aberration, scan, scan artifacts, 1girl, breasts';

describe('commands', () => {
  afterEach(closeAll);

  it('Increase Emphasis wraps the tag under the cursor, then steps it, and Decrease takes it back', async () => {
    const editor = await openEditor('1boy, looking at vie|wer, solo');
    await vscode.commands.executeCommand('tagsmith.increaseEmphasis');
    assert.equal(editor.document.getText(), '1boy, (looking at viewer:1.1), solo');
    assert.equal(editor.document.getText(editor.selection), 'looking at viewer');
    await vscode.commands.executeCommand('tagsmith.increaseEmphasis');
    assert.equal(editor.document.getText(), '1boy, (looking at viewer:1.2), solo');
    await vscode.commands.executeCommand('tagsmith.decreaseEmphasis');
    await vscode.commands.executeCommand('tagsmith.decreaseEmphasis');
    assert.equal(editor.document.getText(), '1boy, looking at viewer, solo');
  });

  it('emphasis follows tagsmith.emphasis.step and works on every cursor', async () => {
    const config = vscode.workspace.getConfiguration('tagsmith');
    await config.update('emphasis.step', 0.05, vscode.ConfigurationTarget.Global);
    try {
      const editor = await openEditor('smile\nsolo');
      editor.selections = [new vscode.Selection(0, 2, 0, 2), new vscode.Selection(1, 1, 1, 1)];
      await vscode.commands.executeCommand('tagsmith.decreaseEmphasis');
      assert.equal(editor.document.getText(), '(smile:0.95)\n(solo:0.95)');
    } finally {
      await config.update('emphasis.step', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('Insert Negative Preset adds the heavy preset line and then the flat add-on', async () => {
    const editor = await openEditor('1boy, smile|\nSteps: 28, Sampler: Euler a, CFG scale: 5, Seed: 1, Size: 832x1216');
    await vscode.commands.executeCommand('tagsmith.insertNegativePreset', 'heavy');
    await vscode.commands.executeCommand('tagsmith.insertNegativePreset', 'flat');
    assert.equal(
      editor.document.getText(),
      `1boy, smile\nNegative prompt: ${HEAVY}, realistic, lips, nose\nSteps: 28, Sampler: Euler a, CFG scale: 5, Seed: 1, Size: 832x1216`,
    );
  });

  it('Copy Block as A1111 Infotext copies the block under the cursor without comments', async () => {
    await openEditor('# first\na, b\n---\n# second\n2boys,|\n  smile\nNegative prompt: lowres\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 3, Size: 1024x1024');
    const copied = await vscode.commands.executeCommand<string>('tagsmith.copyBlockAsInfotext');
    const expected = '2boys,\n  smile\nNegative prompt: lowres\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 3, Size: 1024x1024';
    assert.equal(copied, expected);
    assert.equal(await vscode.env.clipboard.readText(), expected);
  });

  it('New Prompt from PNG opens the parameters of an A1111-style PNG as a new sdprompt document', async () => {
    const infotext = '1boy, solo, (smile:1.1)\nNegative prompt: lowres\nSteps: 28, Sampler: Euler a, CFG scale: 5, Seed: 7, Size: 832x1216';
    const uri = vscode.Uri.joinPath(workspaceUri(), 'render.png');
    await vscode.workspace.fs.writeFile(uri, encodePng(new Uint8Array(4 * 4 * 3).fill(200), 4, 4, { parameters: infotext }));
    const doc = await vscode.commands.executeCommand<vscode.TextDocument>('tagsmith.newPromptFromPng', uri);
    assert.ok(doc, 'a document was opened');
    assert.equal(doc.languageId, 'sdprompt');
    assert.equal(doc.getText(), `# From render.png\n${infotext}\n`);
    assert.equal(vscode.window.activeTextEditor?.document, doc);
  });

  it('New Prompt from PNG opens nothing for a PNG without parameters', async () => {
    const uri = vscode.Uri.joinPath(workspaceUri(), 'plain.png');
    await vscode.workspace.fs.writeFile(uri, encodePng(new Uint8Array(3).fill(0), 1, 1));
    const doc = await vscode.commands.executeCommand<vscode.TextDocument | undefined>('tagsmith.newPromptFromPng', uri);
    assert.equal(doc, undefined);
  });

  it('declares every command it registers, and registers every command it declares', async () => {
    const declared = (extensionPackage().contributes.commands as Array<{ command: string }>).map((c) => c.command).sort();
    const registered = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('tagsmith.')).sort();
    assert.deepEqual(registered, declared);
  });
});

function extensionPackage(): { contributes: Record<string, unknown> } {
  return vscode.extensions.getExtension('tagsmith.tagsmith')!.packageJSON as { contributes: Record<string, unknown> };
}
