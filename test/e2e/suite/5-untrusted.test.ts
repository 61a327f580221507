// Restricted Mode (run by the harness's "untrusted" phase, with the workspace not trusted): the language
// features work, but the workspace's own settings cannot point the server at files.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, closeAll, extension, openEditor, waitFor } from './util';

function labels(list: vscode.CompletionList): string[] {
  return list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
}

describe('untrusted workspace @untrusted', () => {
  before(async () => {
    await extension().activate();
    assert.equal(await (await api()).serverReady, true, 'the server runs in Restricted Mode too');
  });
  afterEach(closeAll);

  it('is in Restricted Mode and tells the server so', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    assert.equal((await api()).initializationOptions().trusted, false);
  });

  it('does not pass the workspace value of tagsmith.tagFiles', async () => {
    assert.deepEqual((await api()).initializationOptions().settings.tagFiles, []);
  });

  it('still completes card tags', async () => {
    const editor = await openEditor('1boy, best qu|');
    await waitFor('best quality', async () => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', editor.document.uri, editor.selection.active);
      return labels(list).includes('best quality') ? true : undefined;
    });
  });

  it('offers no tag from the tag file the workspace settings name', async () => {
    const editor = await openEditor('1boy, zzyzx|');
    // Wait until the server answers completions at all, then check the workspace's tag is not among them.
    await waitFor('the server to answer', async () => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', editor.document.uri, new vscode.Position(0, 6));
      return list.items.length > 0 ? true : undefined;
    });
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', editor.document.uri, editor.selection.active);
    assert.ok(!labels(list).includes('zzyzx trustcheck'), 'the workspace tag file was not read');
  });

  it('still shows the token count', async () => {
    await openEditor('1boy, solo|');
    const status = (await api()).tokenStatus;
    await waitFor('a token count', () => status.current ?? undefined);
  });
});
