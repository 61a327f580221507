// Builds dist/ and packages the VSIX only when their inputs changed since the last time.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv } from './childEnv.mjs';

export const root = path.resolve(fileURLToPath(import.meta.url), '../../..');

/** Newest modification time of the files under `paths` (folders are walked, node_modules skipped). */
function newest(paths) {
  let latest = 0;
  const visit = (p) => {
    if (!existsSync(p)) return;
    const stat = statSync(p);
    if (stat.isDirectory()) {
      for (const name of readdirSync(p)) if (name !== 'node_modules') visit(path.join(p, name));
    } else {
      latest = Math.max(latest, stat.mtimeMs);
    }
  };
  for (const p of paths) visit(path.join(root, p));
  return latest;
}

const mtime = (p) => (existsSync(path.join(root, p)) ? statSync(path.join(root, p)).mtimeMs : 0);

function npmRun(script) {
  const result = spawnSync('npm', ['run', script], { cwd: root, stdio: 'inherit', env: childEnv() });
  if (result.status !== 0) throw new Error(`npm run ${script} failed`);
}

/** Runs `npm run build` when a source is newer than dist/extension.js or dist/server.js. */
export function buildIfNeeded(log = console.log) {
  const built = Math.min(mtime('dist/extension.js'), mtime('dist/server.js'));
  if (built > newest(['client', 'server', 'core', 'cli', 'backend', 'package.json', 'scripts/build.mjs'])) return false;
  log('Building dist/ …');
  npmRun('build');
  return true;
}

/** The VSIX path, packaged with `npm run package` when it is older than what goes into it. */
export function packageIfNeeded(log = console.log) {
  buildIfNeeded(log);
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const vsix = `tagsmith-${version}.vsix`;
  const inputs = ['dist/extension.js', 'dist/server.js', 'dist/cli.js', 'package.json', 'syntaxes', 'snippets', 'language-configuration.json', 'images', 'README.md', 'LICENSE', 'CHANGELOG.md'];
  if (mtime(vsix) <= newest(inputs)) {
    log(`Packaging ${vsix} …`);
    npmRun('package');
  }
  return path.join(root, vsix);
}
