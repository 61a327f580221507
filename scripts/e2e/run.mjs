// End-to-end tests in a real VS Code: code-server (VS Code in the browser) driven by headless Chromium.
//   1. suite:     the mocha suite of test/e2e/suite runs in the extension host (vscode API), trusted.
//   2. ui:        Playwright types in a .sdprompt editor as a user would: suggestions, hover, Problems,
//                 Ctrl+Up, the status bar; screenshots under test-results/.
//   3. untrusted: the suite's @untrusted tests, with the workspace in Restricted Mode: language features
//                 work, workspace paths are not read.
//   4. vsix:      the packaged VSIX installed with code-server's --install-extension, as a user would:
//                 the status bar count and a suggestion prove it runs.
// Usage: node scripts/e2e/run.mjs [--phase suite|untrusted|ui|vsix]... [--grep TEXT]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { packageIfNeeded } from './artifacts.mjs';
import { ensureCodeServer, freePort, installVsix, startCodeServer } from './codeServer.mjs';
import { runUiChecks } from './ui.mjs';
import { makeWebuiFolder } from './webuiFixture.mjs';

const root = path.resolve(fileURLToPath(import.meta.url), '../../..');
const results = path.join(root, 'test-results');
const CHROMIUM = process.env.TAGSMITH_CHROMIUM ?? '/usr/bin/chromium';

const { values } = parseArgs({
  options: {
    phase: { type: 'string', multiple: true },
    grep: { type: 'string' },
    'build-only': { type: 'boolean' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  console.log('node scripts/e2e/run.mjs [--phase suite|untrusted|ui|vsix]... [--grep TEXT] [--build-only]\nRuns the e2e tests in code-server with headless Chromium; screenshots go to test-results/.');
  process.exit(0);
}
const phases = values.phase ?? ['suite', 'untrusted', 'ui', 'vsix'];

/** Bundles the extension, the server and the e2e suite (CommonJS for the extension host). */
async function buildAll() {
  const result = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build failed');
  const suiteDir = path.join(root, 'test/e2e/suite');
  const { readdirSync } = await import('node:fs');
  const entries = [path.join(root, 'test/e2e/index.ts'), ...readdirSync(suiteDir).filter((f) => f.endsWith('.test.ts')).map((f) => path.join(suiteDir, f))];
  rmSync(path.join(root, 'out/e2e'), { recursive: true, force: true });
  await build({
    entryPoints: entries,
    outbase: path.join(root, 'test/e2e'),
    outdir: path.join(root, 'out/e2e'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
}

/** A fresh copy of the test workspace, user settings and a log file, in a temporary folder. */
function prepareState(userSettings) {
  const state = mkdtempSync(path.join(tmpdir(), 'tagsmith-e2e-'));
  const workspace = path.join(state, 'workspace');
  cpSync(path.join(root, 'test/e2e/fixtures/workspace'), workspace, { recursive: true });
  const userDir = path.join(state, 'user-data', 'User');
  mkdirSync(userDir, { recursive: true });
  writeFileSync(
    path.join(userDir, 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'extensions.ignoreRecommendations': true,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'chat.disableAIFeatures': true,
        'window.commandCenter': false,
        ...userSettings,
      },
      null,
      2,
    ),
  );
  return { state, workspace, log: path.join(state, 'e2e.log') };
}

function payloadUrl(server, port, folder, payload) {
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const pairs = payload.map(([k, v]) => [k, v.startsWith('/') ? remote(v) : v]);
  return `${server.url}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(pairs))}`;
}

/** Starts code-server and Chromium for one phase, runs `body`, and always cleans up. */
async function withVsCode({ userSettings, env = {}, vsix }, body) {
  const { state, workspace, log } = prepareState(userSettings);
  if (vsix) installVsix(vsix, path.join(state, 'extensions'), { stateDir: state });
  const port = await freePort();
  const server = await startCodeServer({
    port,
    stateDir: state,
    extensionsDir: path.join(state, 'extensions'),
    env: { TAGSMITH_E2E_LOG: log, ...env },
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const page = await context.newPage();
    return await body({ page, server, port, workspace, log });
  } finally {
    await browser.close().catch(() => {});
    await server.stop();
    if (!process.env.TAGSMITH_E2E_KEEP) rmSync(state, { recursive: true, force: true });
  }
}

/**
 * The mocha suite in the extension host; resolves with its exit code. Trusted: workspace trust off, the
 * tests not tagged @untrusted. Untrusted: trust on and no prompt (the folder opens in Restricted Mode),
 * only the tests tagged @untrusted.
 */
async function runSuite(trusted) {
  const userSettings = trusted
    ? { 'security.workspace.trust.enabled': false }
    : { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.emptyWindow': false };
  const env = trusted
    ? { TAGSMITH_E2E_GREP: values.grep ?? '@untrusted', TAGSMITH_E2E_INVERT: values.grep ? '0' : '1' }
    : { TAGSMITH_E2E_GREP: '@untrusted' };
  return withVsCode({ userSettings, env }, async ({ page, server, port, workspace, log }) => {
    let exit;
    const exited = new Promise((resolve) => (exit = resolve));
    // The workbench calls this with the tests' exit code (smoke-test driver).
    await page.exposeFunction('codeAutomationExit', (code) => exit(code));
    const url = payloadUrl(server, port, workspace, [
      ['extensionDevelopmentPath', root],
      ['extensionTestsPath', path.join(root, 'out/e2e/index.js')],
    ]);
    await page.goto(url);
    const timeout = setTimeout(() => exit('timeout'), 300_000);
    const code = await exited;
    clearTimeout(timeout);
    // The preview suite runs last and leaves its panel open, so the trusted run's last shot shows a render.
    await page.screenshot({ path: path.join(results, trusted ? 'suite-end-preview.png' : 'suite-untrusted-end.png') }).catch(() => {});
    console.log(existsSync(log) ? readFileSync(log, 'utf8') : '(the suite wrote no report)');
    if (code === 'timeout') {
      console.error('The suite did not finish within 5 minutes. code-server said:\n' + server.output().slice(-4000));
      return 1;
    }
    return Number(code);
  });
}

/** The prompt of ui.sdprompt's first block, whose count the status bar shows when the UI test clicks it. */
const UI_PROMPT = '1boy, solo, ((looking at viewer)), black hair';

/** The N of `tagsmith chunks` (the shipped tokenizer, no settings) for a prompt. */
function cliTokenCount(prompt) {
  const result = spawnSync(process.execPath, [path.join(root, 'dist/cli.js'), 'chunks', prompt], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tagsmith chunks failed: ${result.stderr}`);
  return JSON.parse(result.stdout).tokenCount;
}

/** The UI test, on the extension from source (extensionDevelopmentPath) or installed from the VSIX. */
async function runUi({ vsix } = {}) {
  const userSettings = { 'security.workspace.trust.enabled': false, 'tagsmith.webuiFolder': makeWebuiFolder(root) };
  return withVsCode({ userSettings, vsix }, async ({ page, server, port, workspace }) => {
    const url = payloadUrl(server, port, workspace, [
      ...(vsix ? [] : [['extensionDevelopmentPath', root]]),
      ['openFile', path.join(workspace, 'ui.sdprompt')],
    ]);
    await page.goto(url);
    return runUiChecks({ page, results, prefix: vsix ? 'vsix' : 'ui', basic: Boolean(vsix), expectedCount: cliTokenCount(UI_PROMPT) });
  });
}

async function main() {
  mkdirSync(results, { recursive: true });
  await buildAll();
  if (values['build-only']) return;
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not at ${CHROMIUM}: install it (Debian: apt-get install -y chromium libkrb5-dev) or set TAGSMITH_CHROMIUM.`);
  }
  ensureCodeServer();
  const outcomes = [];
  for (const phase of phases) {
    const started = Date.now();
    console.log(`\n=== e2e phase: ${phase} ===`);
    let failed;
    try {
      if (phase === 'suite') failed = (await runSuite(true)) !== 0;
      else if (phase === 'untrusted') failed = (await runSuite(false)) !== 0;
      else if (phase === 'ui') failed = !(await runUi());
      else if (phase === 'vsix') failed = !(await runUi({ vsix: packageIfNeeded() }));
      else throw new Error(`unknown phase ${phase}`);
    } catch (error) {
      console.error(error);
      failed = true;
    }
    outcomes.push({ phase, failed, seconds: (Date.now() - started) / 1000 });
  }
  console.log('\n=== e2e summary ===');
  for (const o of outcomes) console.log(`${o.failed ? 'FAIL' : 'ok  '} ${o.phase} (${o.seconds.toFixed(1)} s)`);
  const failedCount = outcomes.filter((o) => o.failed).length;
  console.log(`e2e: ${outcomes.length - failedCount} passed, ${failedCount} failed`);
  process.exit(failedCount > 0 ? 1 : 0);
}

await main();
