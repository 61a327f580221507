// `npm run test:e2e:desktop`: the same mocha suite in a desktop VS Code, with @vscode/test-electron,
// where one can be downloaded (it fetches VS Code from its update server, which these build machines
// cannot reach; use `npm run test:e2e` there). Tests run trusted (VS Code trusts extension test runs), so
// the @untrusted tests are left to the code-server harness.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { root } from './artifacts.mjs';

const result = spawnSync(process.execPath, [path.join(root, 'scripts/e2e/run.mjs'), '--build-only'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);

const state = mkdtempSync(path.join(tmpdir(), 'tagsmith-e2e-desktop-'));
const workspace = path.join(state, 'workspace');
cpSync(path.join(root, 'test/e2e/fixtures/workspace'), workspace, { recursive: true });
try {
  await runTests({
    version: process.env.TAGSMITH_VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out/e2e/index.js'),
    extensionTestsEnv: { TAGSMITH_E2E_GREP: '@untrusted', TAGSMITH_E2E_INVERT: '1' },
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', path.join(state, 'user-data')],
  });
} catch (error) {
  console.error(`The desktop e2e run failed: ${error instanceof Error ? error.message : error}`);
  console.error('Where VS Code cannot be downloaded, run the same suite in code-server: npm run test:e2e');
  process.exitCode = 1;
} finally {
  rmSync(state, { recursive: true, force: true });
}
