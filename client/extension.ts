// Entry point of the extension. It notes when loading began, then loads the extension (client/main.ts and
// the language client library) lazily, so the activation time reported covers code loading too.
import type * as vscode from 'vscode';
import type * as Main from './main';

const loadStarted = performance.now();
let main: typeof Main | undefined;

export function activate(context: vscode.ExtensionContext): Main.TagsmithApi {
  // The `vscode` module first, on its own, so the time VS Code takes to build its API object for this
  // extension is reported apart from the time our own code takes to load.
  const apiStarted = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose, see above
  require('vscode');
  const modulesStarted = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose, see above
  main = require('./main') as typeof Main;
  return main.activate(context, { loadStarted, vscodeApiMs: modulesStarted - apiStarted, modulesMs: performance.now() - modulesStarted });
}

export function deactivate(): Promise<void> | undefined {
  return main?.deactivate();
}

export type { TagsmithApi } from './main';
