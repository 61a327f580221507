// Runs the mocha suite inside VS Code's extension host (code-server or desktop VS Code load this file as
// `extensionTestsPath`). The report also goes to $TAGSMITH_E2E_LOG when set, so the harness can print it.
import { appendFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const log = process.env.TAGSMITH_E2E_LOG;
  if (log) {
    const consoleLog = Mocha.reporters.Base.consoleLog;
    Mocha.reporters.Base.consoleLog = (...args: unknown[]) => {
      appendFileSync(log, `${format(...args)}\n`);
      consoleLog(...args);
    };
  }
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  // The harness runs the suite twice: trusted (tests without @untrusted) and in Restricted Mode (@untrusted).
  const grep = process.env.TAGSMITH_E2E_GREP;
  if (grep) mocha.grep(grep);
  if (process.env.TAGSMITH_E2E_INVERT === '1') mocha.invert();
  const dir = path.join(__dirname, 'suite');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(dir, file));
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} e2e test${failures === 1 ? '' : 's'} failed`);
}
