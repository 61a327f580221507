// Workspace Trust and settings, trusted side (extension tests always run trusted; the untrusted side is
// checked by the harness's "untrusted" phase in Restricted Mode).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, extension } from './util';

describe('settings and trust', () => {
  it('tells the server the workspace is trusted and passes the workspace tag files', async () => {
    assert.equal(vscode.workspace.isTrusted, true);
    const options = (await api()).initializationOptions();
    assert.equal(options.trusted, true);
    assert.deepEqual(options.settings.tagFiles, ['${workspaceFolder}/tags/e2e-tags.csv']);
  });

  it('declares Workspace Trust support as limited, with the path settings restricted', () => {
    const capabilities = (extension().packageJSON as { capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } } }).capabilities;
    assert.equal(capabilities.untrustedWorkspaces.supported, 'limited');
    assert.ok(capabilities.untrustedWorkspaces.restrictedConfigurations.includes('tagsmith.tagFiles'));
  });

  it('reads every declared setting from VS Code with its default (no setting hides another)', () => {
    const config = vscode.workspace.getConfiguration('tagsmith');
    assert.equal(config.inspect('backend')?.defaultValue, 'builtin');
    assert.equal(config.inspect('backendUrl')?.defaultValue, '');
    assert.equal(config.inspect('emphasis.step')?.defaultValue, 0.1);
    assert.equal(config.inspect('preview.folder')?.defaultValue, '.tagsmith/previews');
  });
});
