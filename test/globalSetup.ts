// Builds dist/ once before the suites that run the built CLI and server as child processes.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: resolve(__dirname, '..'), stdio: 'inherit' });
}
