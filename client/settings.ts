// The `tagsmith.*` settings as the client hands them to the language server, with Workspace Trust applied:
// in an untrusted workspace a restricted setting (paths, backend) keeps only the user's own value, never
// the workspace's. Pure: VS Code's `inspect()` results in, a flat `{ 'key.sub': value }` object out
// (flat so `tagsmith.backend` and a key under it could never collide, and the server reads dotted keys).

/** What `WorkspaceConfiguration.inspect(key)` gives for one setting. */
export interface InspectedSetting {
  defaultValue?: unknown;
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/** The value VS Code would use, or only the user's (or the default) when workspace values may not be read. */
export function effectiveValue(inspected: InspectedSetting | undefined, readWorkspace: boolean): unknown {
  if (!inspected) return undefined;
  if (readWorkspace) {
    if (inspected.workspaceFolderValue !== undefined) return inspected.workspaceFolderValue;
    if (inspected.workspaceValue !== undefined) return inspected.workspaceValue;
  }
  return inspected.globalValue !== undefined ? inspected.globalValue : inspected.defaultValue;
}

/**
 * The settings under `tagsmith.`, keyed without that prefix. `keys` are the full setting names the
 * extension declares; `restricted` those an untrusted workspace may not set.
 */
export function serverSettings(
  keys: readonly string[],
  inspect: (key: string) => InspectedSetting | undefined,
  trusted: boolean,
  restricted: ReadonlySet<string>,
): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const key of keys) {
    if (!key.startsWith('tagsmith.')) continue;
    const short = key.slice('tagsmith.'.length);
    settings[short] = effectiveValue(inspect(short), trusted || !restricted.has(key));
  }
  return settings;
}
