// The wildcard folders read and their library built off the server's main thread (dist/wildcardWorker.js):
// reading 1,000 files of 1,000 lines, splitting and sorting their values takes hundreds of milliseconds, in
// which the server would answer nothing. The library goes back packed (core WildcardLibrary.pack: the `.txt`
// collections' values in one transferred UTF-8 buffer), so the main thread has little to deserialise and
// decodes a collection when it is first looked up; with it each collection's wildcard references (for the
// cycle check), and the sources without the text of `.txt` files, which the catalog never reads.
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { indexWildcardFolders, type WildcardIndexRequest } from './wildcardFiles';

/** This thread's CPU milliseconds (Linux), for the log line; undefined elsewhere. */
function threadCpuMs(): number | undefined {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
}

parentPort?.on('message', (request: WildcardIndexRequest) => {
  const before = threadCpuMs();
  const index = indexWildcardFolders(request.folders);
  const after = threadCpuMs();
  if (before !== undefined && after !== undefined) index.cpuMs = after - before;
  // The values' bytes are transferred, not copied: the main thread has nothing to deserialise but names.
  parentPort!.postMessage(index, [index.library.bytes.buffer]);
});
