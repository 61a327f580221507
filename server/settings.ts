// The `tagsmith.*` settings the server reads, validated and with defaults. Pure: the raw value comes
// from workspace/configuration or didChangeConfiguration; paths are expanded but never read here.

import type { Severity } from '../core';

export type SeverityOverride = Severity | 'off';

export interface ServerSettings {
  profile: string;
  tagFiles: string[];
  /** Whether the shipped danbooru dictionary is searched too (`tagsmith.builtinDictionary`). */
  builtinDictionary: boolean;
  keepUnderscores: boolean;
  loraFolders: string[];
  /** An A1111 / Forge / SD.Next folder, and a ComfyUI folder, whose layout says where everything is. */
  webuiFolder: string;
  comfyuiFolder: string;
  embeddingFolders: string[];
  wildcardFolders: string[];
  tokenizerPath: string;
  modelPath: string;
  severity: Record<string, SeverityOverride>;
  /**
   * Which backend renders previews (`tagsmith.backend`, the client's setting): with `builtin` the checks report what
   * the builtin backend cannot render (CheckOptions.backend).
   */
  backend: 'builtin' | 'url';
}

export const defaultSettings: ServerSettings = {
  profile: 'animeboysxl',
  tagFiles: [],
  builtinDictionary: true,
  keepUnderscores: false,
  loraFolders: [],
  webuiFolder: '',
  comfyuiFolder: '',
  embeddingFolders: [],
  wildcardFolders: [],
  tokenizerPath: '',
  modelPath: '',
  severity: {},
  backend: 'builtin',
};

export interface SettingsContext {
  /** Folder paths of the workspace (the first is `${workspaceFolder}`). */
  workspaceFolders: string[];
  /** False in an untrusted workspace: then no path from the settings is kept, so none is ever read. */
  trusted: boolean;
}

export interface ReadSettings {
  settings: ServerSettings;
  /** What was wrong with the raw value, one sentence each, naming the setting. */
  problems: string[];
}

const SEVERITIES = new Set(['off', 'hint', 'info', 'warning', 'error']);

/** Reads the `tagsmith` section as a client sends it (nested objects, or flat dotted keys). */
export function readSettings(raw: unknown, context: SettingsContext): ReadSettings {
  const problems: string[] = [];
  const section = isObject(raw) ? raw : {};
  const get = (path: string): unknown => {
    if (path in section) return section[path];
    let value: unknown = section;
    for (const part of path.split('.')) value = isObject(value) ? value[part] : undefined;
    return value;
  };
  const string = (path: string, fallback: string): string => {
    const value = get(path);
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'string') return value;
    problems.push(`tagsmith.${path} must be a string`);
    return fallback;
  };
  const strings = (path: string): string[] => {
    const value = get(path);
    if (value === undefined || value === null) return [];
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.filter((v) => v.trim() !== '');
    problems.push(`tagsmith.${path} must be a list of strings`);
    return [];
  };
  const severity: Record<string, SeverityOverride> = {};
  const rawSeverity = get('diagnostics.severity');
  if (isObject(rawSeverity)) {
    for (const [code, level] of Object.entries(rawSeverity)) {
      if (typeof level === 'string' && SEVERITIES.has(level)) severity[code] = level as SeverityOverride;
      else problems.push(`tagsmith.diagnostics.severity.${code} must be one of off, hint, info, warning, error`);
    }
  } else if (rawSeverity !== undefined && rawSeverity !== null) {
    problems.push('tagsmith.diagnostics.severity must be an object of code → severity');
  }
  const keep = get('completion.keepUnderscores');
  if (keep !== undefined && keep !== null && typeof keep !== 'boolean') problems.push('tagsmith.completion.keepUnderscores must be true or false');
  const rawBackend = get('backend');
  let backend = defaultSettings.backend;
  if (rawBackend === 'builtin' || rawBackend === 'url') backend = rawBackend;
  else if (rawBackend !== undefined && rawBackend !== null) problems.push('tagsmith.backend must be builtin or url');
  const builtin = get('builtinDictionary');
  if (builtin !== undefined && builtin !== null && typeof builtin !== 'boolean') problems.push('tagsmith.builtinDictionary must be true or false');

  const expand = (p: string): string => expandPath(p, context.workspaceFolders);
  const trusted = context.trusted;
  return {
    settings: {
      profile: string('profile', defaultSettings.profile),
      tagFiles: trusted ? strings('tagFiles').map(expand) : [],
      // Not a path: the shipped dictionary is read in an untrusted workspace too.
      builtinDictionary: builtin !== false,
      keepUnderscores: keep === true,
      loraFolders: trusted ? strings('loraFolders').map(expand) : [],
      webuiFolder: trusted ? expand(string('webuiFolder', '')) : '',
      comfyuiFolder: trusted ? expand(string('comfyuiFolder', '')) : '',
      embeddingFolders: trusted ? strings('embeddingFolders').map(expand) : [],
      wildcardFolders: trusted ? strings('wildcardFolders').map(expand) : [],
      tokenizerPath: trusted ? expand(string('tokenizerPath', '')) : '',
      modelPath: trusted ? expand(string('modelPath', '')) : '',
      severity,
      // Not a path: read in an untrusted workspace too.
      backend,
    },
    problems,
  };
}

/** Expands `${workspaceFolder}` (the first folder) and `${workspaceFolder:name}` (the folder so named). */
export function expandPath(path: string, workspaceFolders: string[]): string {
  return path.replace(/\$\{workspaceFolder(?::([^}]+))?\}/g, (whole, name: string | undefined) => {
    if (name === undefined) return workspaceFolders[0] ?? whole;
    return workspaceFolders.find((f) => f.replace(/[\\/]+$/, '').split(/[\\/]/).pop() === name) ?? whole;
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
