// The wildcard folders read and their library built off the server's main thread (dist/wildcardWorker.js):
// reading 1,000 files of 1,000 lines, splitting and sorting their values takes hundreds of milliseconds, in
// which the server would answer nothing. The library goes back packed (core WildcardLibrary.pack: one string a
// `.txt` collection), so the structured clone and the main thread's unpacking stay cheap; the sources go back
// without the text of `.txt` files, which the catalog never reads (only YAML / JSON keys are looked up).
import { parentPort } from 'node:worker_threads';
import { indexWildcardFolders, type WildcardIndexRequest } from './wildcardFiles';

parentPort?.on('message', (request: WildcardIndexRequest) => {
  parentPort!.postMessage(indexWildcardFolders(request.folders));
});
