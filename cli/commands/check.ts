// `tagsmith check PATH...`: parses and checks .sdprompt files, one line per diagnostic.

import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { blockTooLarge, clipTokens, createPromptService, LineIndex, MAX_BLOCK_CHARS, NetworkCatalog, splitBlocks, WildcardCatalog, withSdxlEmbeddings, builtinProfiles, findProfile, type CheckDiagnostic, type CatalogEntry, type PromptService, type TokenSource } from '../../core';
import { indexNetworks } from '../../server/networkIndex';
import { emptyUiFolders, findComfyuiFolders, findWebuiFolders } from '../../server/uiFolders';
import { readWildcardFolder, wildcardLibrary } from '../../server/wildcardFiles';
import { UsageError, type Command, type CommandIO } from '../command';
import { loadTokenizer, resolveTokenizerDir } from '../tokenizerDir';

const MAX_BYTES = 64 * 1024 * 1024;

interface FileReport {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: string;
  code: string;
  message: string;
}

/** A file that could not be checked: named with the reason, exit code 2. */
class Unreadable extends Error {}

export const check: Command = {
  name: 'check',
  summary: 'check .sdprompt files (folders are searched for *.sdprompt)',
  help: `Usage: tagsmith check [options] PATH...

Parses and checks .sdprompt files. Folders are searched recursively for *.sdprompt, following symbolic
links (each folder once); a folder that cannot be read is named and skipped. Devices, pipes and files over
64 MB are refused by name.
Prints one line per diagnostic: path:line:col: severity: message [code]
(1-based line and column, columns counted in characters; a UTF-8 BOM is not counted; control characters
in a path are written as escapes such as \\n and \\u001b; --format json gives the path exactly).

Options:
  --format text|json   output format (default: text)
  --profile ID         model profile (default: ${builtinProfiles[0]!.id}; known: ${builtinProfiles.map((p) => p.id).join(', ')})
  --webui DIR          an A1111 / Forge / SD.Next folder: its LoRAs, embeddings and wildcards are checked
                       against, as in the editor (unknown-network, network-base-mismatch, unknown-wildcard, …)
  --comfyui DIR        a ComfyUI folder, the same way
  --wildcards DIR      a wildcard folder (repeat for more)
  --tokenizer DIR      the CLIP tokenizer the token rules count with (chunk-straddle, token-count): a folder
                       with vocab.json and merges.txt (default: $TAGSMITH_TOKENIZER, else the bundled CLIP
                       tokenizer, which every SDXL model's tokenizer/ holds)
  --model DIR          a model folder: its tokenizer/ is used
  --backend builtin|url  the backend that renders (as the editor's tagsmith.backend, default builtin): with
                       builtin, samplers and settings it cannot render and extra networks it does not apply
                       are reported
  -h, --help           show this help

Exit codes: 0 no errors, 1 at least one error, 2 usage error or unreadable file.
`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'text' },
        profile: { type: 'string' },
        webui: { type: 'string' },
        comfyui: { type: 'string' },
        wildcards: { type: 'string', multiple: true },
        tokenizer: { type: 'string' },
        model: { type: 'string' },
        backend: { type: 'string', default: 'builtin' },
      },
    });
    if (values.tokenizer && values.model) throw new UsageError('give --tokenizer or --model, not both');
    const backend = values.backend;
    if (backend !== 'builtin' && backend !== 'url') throw new UsageError(`--backend must be 'builtin' or 'url', not '${backend}'`);
    if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`--format must be 'text' or 'json', not '${values.format}'`);
    if (positionals.length === 0) throw new UsageError('no PATH given');
    if (values.profile && !builtinProfiles.some((p) => p.id === values.profile)) {
      throw new UsageError(`unknown profile '${values.profile}' (known: ${builtinProfiles.map((p) => p.id).join(', ')})`);
    }
    const profile = findProfile(values.profile);
    const resources = await readResources(values, io);
    const tokenizerDir = values.model ? resolve(io.cwd, values.model, 'tokenizer') : resolveTokenizerDir(values.tokenizer, process.env, io.cwd);
    if (values.model && !existsSync(tokenizerDir!)) throw new UsageError(`--model ${values.model}: no tokenizer/ folder in it`);
    let tokens: TokenSource = clipTokens(loadTokenizer(tokenizerDir));
    if (resources.embeddings) tokens = withSdxlEmbeddings(tokens, resources.embeddings);
    // The language server's service, so the CLI reports exactly what the editor reports.
    const service = createPromptService({ profile, tokens, backend, networks: resources.networks, wildcards: resources.wildcards });

    const reports: FileReport[] = [];
    let unreadable = 0;
    const problem = (message: string) => {
      io.stderr(`tagsmith check: ${message}\n`);
      unreadable++;
    };
    for (const file of positionals.flatMap((p) => expand(p, io.cwd, problem))) {
      try {
        // Not push(...): a file can have hundreds of thousands of diagnostics, more than a call's arguments.
        for (const report of checkFile(file, resolve(io.cwd, file), service)) reports.push(report);
      } catch (error) {
        if (!(error instanceof Unreadable)) throw error;
        problem(error.message);
      }
    }
    if (values.format === 'json') {
      io.stdout(JSON.stringify(reports, null, 2) + '\n');
    } else {
      for (const r of reports) io.stdout(`${escapeName(r.file)}:${r.line}:${r.column}: ${r.severity}: ${r.message} [${r.code}]\n`);
    }
    if (unreadable > 0) return 2;
    return reports.some((r) => r.severity === 'error') ? 1 : 0;
  },
};

/**
 * A file name as text output shows it: control characters (a newline could forge a diagnostic line, an escape
 * sequence could drive the terminal) and bidirectional overrides are written as JSON-style escapes.
 */
export function escapeName(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const short: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return short[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

const errorText = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  return (error as Error).message;
};

/** What a file that is not a regular file or folder is, for the message refusing it. */
function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * A path as given, or the *.sdprompt files under a folder, sorted. Symbolic links inside a folder are followed
 * (a linked folder once: folders are remembered by their real path, so a link loop ends); a folder that cannot
 * be read and a broken link named *.sdprompt are reported through `problem` and the walk goes on.
 */
function expand(path: string, cwd: string, problem: (message: string) => void): string[] {
  let stats;
  try {
    stats = statSync(resolve(cwd, path));
  } catch (error) {
    problem(`${escapeName(path)}: ${errorText(error)}`);
    return [];
  }
  if (!stats.isDirectory()) return [path];
  const found: string[] = [];
  const seen = new Set<string>();
  const visit = (dir: string): void => {
    const absolute = resolve(cwd, dir);
    let entries;
    try {
      const real = realpathSync(absolute);
      if (seen.has(real)) return;
      seen.add(real);
      entries = readdirSync(absolute, { withFileTypes: true });
    } catch (error) {
      problem(`${escapeName(dir)}: cannot read the folder (${errorText(error)}); its files were not checked`);
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      let isDir = entry.isDirectory();
      if (entry.isSymbolicLink()) {
        try {
          isDir = statSync(resolve(cwd, full)).isDirectory();
        } catch (error) {
          if (entry.name.endsWith('.sdprompt')) problem(`${escapeName(full)}: broken symbolic link (${errorText(error)})`);
          continue;
        }
      }
      // A *.sdprompt that is a pipe, device or socket is listed too: checkFile refuses it by name.
      if (isDir) visit(full);
      else if (entry.name.endsWith('.sdprompt')) found.push(full);
    }
  };
  visit(path);
  return found;
}

/**
 * Reads a regular file of at most MAX_BYTES. Devices, pipes and sockets are refused before anything is read
 * (opened non-blocking, so a FIFO without a writer does not hang), the cap is checked on fstat's size, and
 * no more than MAX_BYTES + 1 bytes are ever read, so a file that grows while read cannot exceed it either.
 */
function readCapped(shown: string, absolute: string): Buffer {
  let fd: number;
  try {
    fd = openSync(absolute, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Unreadable(`${shown}: cannot read (${code === 'EISDIR' ? 'is a folder' : errorText(error)})`);
  }
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw new Unreadable(`${shown}: cannot read (is a folder)`);
    if (!stats.isFile()) throw new Unreadable(`${shown}: ${kindOf(stats)}, not a regular file; check reads .sdprompt files only`);
    const tooBig = (size: number) => new Unreadable(`${shown}: file is ${(size / 1048576).toFixed(1)} MB; check reads .sdprompt files up to ${MAX_BYTES / 1048576} MB`);
    if (stats.size > MAX_BYTES) throw tooBig(stats.size);
    // One byte more than fstat said, so growth since is seen; grown only in bounds, up to one byte past the cap.
    let buffer = Buffer.allocUnsafe(stats.size + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        const grown = Buffer.allocUnsafe(Math.min(buffer.length * 2, MAX_BYTES + 1));
        buffer.copy(grown, 0, 0, length);
        buffer = grown;
      }
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) return buffer.subarray(0, length);
      length += n;
      if (length > MAX_BYTES) throw tooBig(length);
    }
  } catch (error) {
    if (error instanceof Unreadable) throw error;
    throw new Unreadable(`${shown}: cannot read (${errorText(error)})`);
  } finally {
    closeSync(fd);
  }
}

/**
 * The networks, embeddings and wildcards of the folders the options name, for the checks that need them, as
 * the language server reads them; a folder that is not there is a usage error.
 */
async function readResources(values: { webui?: string; comfyui?: string; wildcards?: string[] }, io: CommandIO): Promise<{ networks?: NetworkCatalog; wildcards?: WildcardCatalog; embeddings?: CatalogEntry[] }> {
  const found = emptyUiFolders();
  const folder = (dir: string, flag: string): string => {
    const absolute = resolve(io.cwd, dir);
    if (!existsSync(absolute)) throw new UsageError(`${flag} ${dir}: no such folder`);
    return absolute;
  };
  if (values.webui) findWebuiFolders(folder(values.webui, '--webui'), found);
  if (values.comfyui) findComfyuiFolders(folder(values.comfyui, '--comfyui'), found);
  for (const dir of values.wildcards ?? []) found.wildcardFolders.push(folder(dir, '--wildcards'));
  const resources: { networks?: NetworkCatalog; wildcards?: WildcardCatalog; embeddings?: CatalogEntry[] } = {};
  if (found.loraFolders.length + found.embeddingFolders.length > 0) {
    const index = await indexNetworks(found.loraFolders, found.embeddingFolders);
    for (const entry of [...index.loras, ...index.embeddings]) for (const problem of entry.problems) io.stderr(`tagsmith check: ${escapeName(problem)}\n`);
    resources.networks = new NetworkCatalog(index.loras, index.embeddings);
    resources.embeddings = index.embeddings;
  }
  if (found.wildcardFolders.length > 0) {
    const problems: string[] = [];
    const sources = found.wildcardFolders.flatMap((dir) => readWildcardFolder(dir, problems));
    const library = wildcardLibrary(sources);
    for (const problem of [...problems, ...library.warnings]) io.stderr(`tagsmith check: ${escapeName(problem)}\n`);
    resources.wildcards = new WildcardCatalog(library, sources);
  }
  return resources;
}

function checkFile(file: string, absolute: string, service: PromptService): FileReport[] {
  const shown = file;
  const bytes = readCapped(escapeName(file), absolute);
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new Unreadable(`${escapeName(shown)}: binary file (NUL byte at offset ${nul}), not a .sdprompt document`);

  const text = bytes.toString('utf8');
  const reports: FileReport[] = [];
  const lines = new LineIndex(text);
  const toReport = (d: Pick<CheckDiagnostic, 'start' | 'end' | 'severity' | 'code' | 'message'>): FileReport => {
    const s = lines.displayPositionAt(d.start);
    const e = lines.displayPositionAt(d.end);
    return { file: shown, line: s.line + 1, column: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1, severity: d.severity, code: d.code, message: d.message };
  };
  const invalid = firstInvalidUtf8(bytes);
  if (invalid !== undefined) {
    // Decoding put U+FFFD where the bad bytes were: the first U+FFFD not in the source is the spot.
    const at = text.indexOf('\ufffd', Buffer.from(bytes.subarray(0, invalid)).toString('utf8').length);
    reports.push(toReport({ start: at, end: at + 1, severity: 'error', code: 'invalid-utf8', message: `Invalid UTF-8 (byte 0x${bytes[invalid]!.toString(16).padStart(2, '0')} at offset ${invalid}): .sdprompt files are UTF-8` }));
  }
  checkInPieces(text, service, (d) => reports.push(toReport(d)));
  return reports;
}

/** Offset of the first byte of the first sequence that is not valid UTF-8 (RFC 3629), if any. */
export function firstInvalidUtf8(bytes: Uint8Array): number | undefined {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min = 0x80;
    let max = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) min = 0xa0;
      if (b === 0xed) max = 0x9f; // no surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) min = 0x90;
      if (b === 0xf4) max = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? min : 0x80) || c > (k === 1 ? max : 0xbf)) return i;
    }
    i += need + 1;
  }
  return undefined;
}

/**
 * Checks `text` about a megabyte of blocks at a time through the language service: checks never look across
 * blocks, so the diagnostics are the same as for the whole document, and a 50 MB file never holds its whole
 * tree in memory. Each piece after the first starts at a separator line, so a BOM is only read at the start.
 * A block over MAX_BLOCK_CHARS is not read, as in the editor: one diagnostic says so.
 */
function checkInPieces(text: string, service: PromptService, onDiagnostic: (d: CheckDiagnostic) => void): void {
  const PIECE = 1 << 20;
  const check = (start: number, end: number): void => {
    if (end <= start) return;
    for (const d of service.diagnostics(text.slice(start, end))) onDiagnostic({ ...d, start: d.start + start, end: d.end + start });
  };
  let start = 0;
  for (const block of splitBlocks(text)) {
    if (block.end - block.start > MAX_BLOCK_CHARS) {
      check(start, block.start);
      onDiagnostic(blockTooLarge(text, block.start, block.end));
      start = block.end;
      continue;
    }
    if (block.end - start < PIECE) continue;
    check(start, block.end);
    start = block.end;
  }
  if (start < text.length) check(start, text.length);
}
