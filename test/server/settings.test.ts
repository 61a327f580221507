import { describe, expect, it } from 'vitest';
import { defaultSettings, expandPath, readSettings } from '../../server/settings';

const trusted = { workspaceFolders: ['/home/me/prompts', '/home/me/other'], trusted: true };

describe('reading the tagsmith settings', () => {
  it('gives the defaults for nothing', () => {
    expect(readSettings(undefined, trusted)).toEqual({ settings: defaultSettings, problems: [] });
  });

  it('reads nested sections as VS Code sends them, expanding ${workspaceFolder}', () => {
    const { settings, problems } = readSettings(
      {
        profile: 'animeboysxl',
        tagFiles: ['${workspaceFolder}/tags/danbooru.csv', '${workspaceFolder:other}/mine.csv', ''],
        completion: { keepUnderscores: true },
        loraFolders: ['/models/Lora'],
        webuiFolder: '/opt/stable-diffusion-webui',
        comfyuiFolder: '${workspaceFolder}/ComfyUI',
        embeddingFolders: ['/models/embeddings'],
        wildcardFolders: ['${workspaceFolder}/wildcards'],
        tokenizerPath: '',
        modelPath: '${workspaceFolder}/model',
        diagnostics: { severity: { 'near-miss': 'error', 'token-count': 'off' } },
      },
      trusted,
    );
    expect(problems).toEqual([]);
    expect(settings).toEqual({
      profile: 'animeboysxl',
      tagFiles: ['/home/me/prompts/tags/danbooru.csv', '/home/me/other/mine.csv'],
      builtinDictionary: true,
      keepUnderscores: true,
      loraFolders: ['/models/Lora'],
      webuiFolder: '/opt/stable-diffusion-webui',
      comfyuiFolder: '/home/me/prompts/ComfyUI',
      embeddingFolders: ['/models/embeddings'],
      wildcardFolders: ['/home/me/prompts/wildcards'],
      tokenizerPath: '',
      modelPath: '/home/me/prompts/model',
      severity: { 'near-miss': 'error', 'token-count': 'off' },
      backend: 'builtin',
    });
  });

  it('reads tagsmith.backend as the client does: builtin (its default) or url', () => {
    expect(readSettings({ backend: 'url' }, trusted).settings.backend).toBe('url');
    expect(readSettings({ backend: 'builtin' }, { ...trusted, trusted: false }).settings.backend).toBe('builtin');
    const wrong = readSettings({ backend: 'forge' }, trusted);
    expect(wrong.settings.backend).toBe('builtin');
    expect(wrong.problems).toEqual(['tagsmith.backend must be builtin or url']);
  });

  it('reads flat dotted keys too', () => {
    expect(readSettings({ 'completion.keepUnderscores': true, 'diagnostics.severity': { x: 'hint' } }, trusted).settings).toMatchObject({ keepUnderscores: true, severity: { x: 'hint' } });
  });

  it('turns the built-in dictionary off only for false, in an untrusted workspace too (it is no path)', () => {
    expect(readSettings({ builtinDictionary: false }, trusted).settings.builtinDictionary).toBe(false);
    expect(readSettings({ builtinDictionary: false }, { ...trusted, trusted: false }).settings.builtinDictionary).toBe(false);
    expect(readSettings({ builtinDictionary: true }, trusted).settings.builtinDictionary).toBe(true);
    const wrong = readSettings({ builtinDictionary: 'no' }, trusted);
    expect(wrong.settings.builtinDictionary).toBe(true);
    expect(wrong.problems).toEqual(['tagsmith.builtinDictionary must be true or false']);
  });

  it('reads no path in an untrusted workspace', () => {
    const { settings } = readSettings(
      { tagFiles: ['/a.csv'], loraFolders: ['/l'], webuiFolder: '/w', comfyuiFolder: '/c', embeddingFolders: ['/e'], wildcardFolders: ['/wc'], tokenizerPath: '/t', modelPath: '/m', completion: { keepUnderscores: true } },
      { ...trusted, trusted: false },
    );
    expect(settings).toMatchObject({ tagFiles: [], loraFolders: [], webuiFolder: '', comfyuiFolder: '', embeddingFolders: [], wildcardFolders: [], tokenizerPath: '', modelPath: '', keepUnderscores: true });
  });

  it('names each wrong value and keeps the default for it', () => {
    const { settings, problems } = readSettings({ tagFiles: 'a.csv', profile: 3, completion: { keepUnderscores: 'yes' }, diagnostics: { severity: { 'near-miss': 'loud' } } }, trusted);
    expect(problems).toEqual([
      'tagsmith.diagnostics.severity.near-miss must be one of off, hint, info, warning, error',
      'tagsmith.completion.keepUnderscores must be true or false',
      'tagsmith.profile must be a string',
      'tagsmith.tagFiles must be a list of strings',
    ]);
    expect(settings).toEqual(defaultSettings);
  });

  it('leaves an unknown folder name as written', () => {
    expect(expandPath('${workspaceFolder:nope}/x', ['/w'])).toBe('${workspaceFolder:nope}/x');
    expect(expandPath('${workspaceFolder}/x', [])).toBe('${workspaceFolder}/x');
  });
});
