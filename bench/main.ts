// `npm run bench`: runs every benchmark suite and prints figures (medians), with the machine's core count.
import { cpus } from 'node:os';
import { scaleWorker } from './scale.bench';
import { serviceCreationProbe } from './service.bench';
import { suites } from './suites';

async function main(): Promise<void> {
  // A child process of the scale suite: one figure, printed as JSON.
  if (process.argv[2] === '--scale-worker') return scaleWorker(process.argv.slice(3));
  if (process.argv[2] === '--service-creation') return serviceCreationProbe();
  const only = process.argv.slice(2);
  console.log(`tagsmith bench — node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'})`);
  for (const suite of suites) {
    if (only.length > 0 ? !only.includes(suite.name) : suite.onlyWhenNamed) continue;
    console.log(`\n## ${suite.name}`);
    await suite.run();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
