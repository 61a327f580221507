// Starts the Tagsmith language server (dist/server.js) over IPC, with Workspace Trust applied: an untrusted
// workspace's paths never reach the server. The server registers for configuration changes and then pulls
// `tagsmith` (workspace/configuration), which the middleware below answers.
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import type { TagsmithInitializationOptions } from './protocol';
import { serverSettings } from './settings';

export const SECTION = 'tagsmith';

/** The settings as the server gets them, read now. */
export function currentSettings(context: vscode.ExtensionContext): Record<string, unknown> {
  const packageJson = context.extension.packageJSON as {
    contributes: { configuration: { properties: Record<string, unknown> } };
    capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
  };
  const config = vscode.workspace.getConfiguration(SECTION);
  return serverSettings(
    Object.keys(packageJson.contributes.configuration.properties),
    (key) => config.inspect(key),
    vscode.workspace.isTrusted,
    new Set(packageJson.capabilities.untrustedWorkspaces.restrictedConfigurations),
  );
}

/** What the server is told at start: whether the workspace is trusted, and the settings. */
export function initializationOptions(context: vscode.ExtensionContext): TagsmithInitializationOptions {
  return { trusted: vscode.workspace.isTrusted, settings: currentSettings(context) };
}

/** The value of `section` (`tagsmith`, or `tagsmith.diagnostics` …) out of the flat settings. */
function sectionValue(settings: Record<string, unknown>, section: string): unknown {
  if (section === SECTION) return settings;
  const key = section.slice(SECTION.length + 1);
  if (key in settings) return settings[key];
  const nested: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(settings)) if (k.startsWith(`${key}.`)) nested[k.slice(key.length + 1)] = v;
  return nested;
}

export function createLanguageClient(context: vscode.ExtensionContext): LanguageClient {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    // Wildcard files (`wildcards/**/*.txt`): one prompt option a line, completed and checked line by line.
    documentSelector: [{ language: 'sdprompt' }, { language: 'sdprompt-wildcards' }],
    // A function, so a restart after the workspace is trusted sends the new state.
    initializationOptions: () => initializationOptions(context),
    middleware: {
      workspace: {
        // The server asks for `tagsmith`: answer with the trust-filtered settings, not VS Code's raw values.
        configuration: async (params, token, next) => {
          const raw = await next(params, token);
          if (!Array.isArray(raw)) return raw;
          const settings = currentSettings(context);
          return params.items.map((item, i) =>
            item.section === SECTION || item.section?.startsWith(`${SECTION}.`) ? sectionValue(settings, item.section) : raw[i],
          );
        },
      },
    },
  };
  const client = new LanguageClient('tagsmith', 'Tagsmith Language Server', serverOptions, clientOptions);

  context.subscriptions.push(
    // Trust granted: start again so the server may now read the workspace's paths.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      if (client.isRunning()) void client.restart().catch((error: unknown) => client.error('Restart after Workspace Trust failed', error));
    }),
  );
  return client;
}
