// Workspace Trust for settings: an untrusted workspace cannot point the server at paths of its choosing.
import { describe, expect, it } from 'vitest';
import { effectiveValue, serverSettings, type InspectedSetting } from '../../client/settings';
import packageJson from '../../package.json';

const declared = Object.keys(packageJson.contributes.configuration.properties);
const restricted = new Set(packageJson.capabilities.untrustedWorkspaces.restrictedConfigurations);

const inspected: Record<string, InspectedSetting> = {
  tagFiles: { defaultValue: [], globalValue: ['/home/me/danbooru.csv'], workspaceValue: ['/etc/passwd'] },
  modelPath: { defaultValue: '', workspaceFolderValue: '/tmp/evil-model' },
  'completion.keepUnderscores': { defaultValue: false, workspaceValue: true },
  'emphasis.step': { defaultValue: 0.1 },
};
const inspect = (key: string): InspectedSetting | undefined => inspected[key] ?? { defaultValue: undefined };

describe('serverSettings', () => {
  it('in a trusted workspace, gives what VS Code would: folder, then workspace, then user, then default', () => {
    const settings = serverSettings(declared, inspect, true, restricted);
    expect(settings.tagFiles).toEqual(['/etc/passwd']);
    expect(settings.modelPath).toBe('/tmp/evil-model');
    expect(settings['completion.keepUnderscores']).toBe(true);
    expect(settings['emphasis.step']).toBe(0.1);
  });

  it('in an untrusted workspace, ignores workspace values of restricted settings but keeps the others', () => {
    const settings = serverSettings(declared, inspect, false, restricted);
    expect(settings.tagFiles).toEqual(['/home/me/danbooru.csv']);
    expect(settings.modelPath).toBe('');
    expect(settings['completion.keepUnderscores']).toBe(true);
  });

  it('has every declared setting, keyed without the tagsmith. prefix', () => {
    expect(Object.keys(serverSettings(declared, inspect, true, restricted)).sort()).toEqual(declared.map((k) => k.slice(9)).sort());
  });
});

describe('declared settings', () => {
  it('restrict every path, the model, the backend and the execution provider, and scope them machine-overridable', () => {
    const props = packageJson.contributes.configuration.properties as Record<string, { scope?: string }>;
    for (const key of ['tagsmith.tagFiles', 'tagsmith.loraFolders', 'tagsmith.tokenizerPath', 'tagsmith.modelPath', 'tagsmith.preview.folder', 'tagsmith.backend', 'tagsmith.backendUrl', 'tagsmith.executionProvider']) {
      expect(restricted.has(key), key).toBe(true);
      expect(props[key]?.scope, key).toBe('machine-overridable');
    }
  });

  it('never names a setting under another setting (VS Code would drop it)', () => {
    for (const key of declared) {
      for (const other of declared) expect(other.startsWith(`${key}.`), `${other} under ${key}`).toBe(false);
    }
  });

  it('give each setting a type, a default and a description', () => {
    for (const [key, value] of Object.entries(packageJson.contributes.configuration.properties as Record<string, Record<string, unknown>>)) {
      expect(value.type, key).toBeDefined();
      expect('default' in value, key).toBe(true);
      expect(value.description ?? value.markdownDescription, key).toBeTruthy();
    }
  });
});

describe('effectiveValue', () => {
  it('falls back to the default when nobody set it', () => {
    expect(effectiveValue({ defaultValue: 'cpu' }, false)).toBe('cpu');
    expect(effectiveValue(undefined, true)).toBeUndefined();
  });
});
