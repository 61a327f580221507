// Entry point of the extension. It notes when loading began, then loads the extension (client/main.ts and
// the language client library) lazily, so the activation time reported covers code loading too.
import type * as vscode from 'vscode';
import type * as Main from './main';

const loadStarted = performance.now();
let main: typeof Main | undefined;

export function activate(context: vscode.ExtensionContext): Main.TagsmithApi {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose, see above
  main = require('./main') as typeof Main;
  return main.activate(context, loadStarted);
}

export function deactivate(): Promise<void> | undefined {
  return main?.deactivate();
}

export type { TagsmithApi } from './main';
