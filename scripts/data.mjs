// The shipped data in dist/data/, as the server and the CLI read it (see data/README.md):
//  - clip-merges.txt.gz: CLIP's merges, copied as committed (the vocabulary is derived at load);
//  - danbooru.tagindex: data/tags/danbooru.csv.gz compacted by core/dictionary/compact.ts, so loading it skips
//    parsing the CSV and building the search index; rebuilt only when the CSV or the dictionary code changed;
//  - the licence notices of both.
// Files are written under a temporary name and renamed, so a build running beside another never leaves half a file.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const DATA_FILES = ['clip-merges.txt.gz', 'danbooru.tagindex', 'CLIP-LICENSE.txt', 'DANBOORU-TAGS-LICENSE.txt'];

function writeAtomic(file, bytes) {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, file);
}

function copyAtomic(from, to) {
  const temporary = `${to}.${process.pid}.tmp`;
  copyFileSync(from, temporary);
  renameSync(temporary, to);
}

const mtime = (file) => statSync(file).mtimeMs;

/** Writes dist/data/ under `root`; returns the names of the files it (re)wrote. */
export async function buildData(root) {
  const out = join(root, 'dist', 'data');
  mkdirSync(out, { recursive: true });
  const written = [];
  copyAtomic(join(root, 'data', 'clip', 'merges.txt.gz'), join(out, 'clip-merges.txt.gz'));
  copyAtomic(join(root, 'data', 'clip', 'LICENSE'), join(out, 'CLIP-LICENSE.txt'));
  copyAtomic(join(root, 'data', 'tags', 'LICENSE'), join(out, 'DANBOORU-TAGS-LICENSE.txt'));

  const csv = join(root, 'data', 'tags', 'danbooru.csv.gz');
  const index = join(out, 'danbooru.tagindex');
  const code = join(root, 'core', 'dictionary');
  const inputs = [csv, join(root, 'scripts', 'data.mjs'), ...readdirSync(code).map((f) => join(code, f))];
  if (!existsSync(index) || inputs.some((f) => mtime(f) > mtime(index))) {
    const bundle = await build({
      entryPoints: [join(code, 'compact.ts')],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      logLevel: 'warning',
    });
    const module = { exports: {} };
    new Function('module', 'exports', bundle.outputFiles[0].text)(module, module.exports);
    const text = gunzipSync(readFileSync(csv)).toString('utf8');
    writeAtomic(index, module.exports.compactDictionary(text));
    written.push('danbooru.tagindex');
  }
  return written;
}
