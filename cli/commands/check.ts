// `tagsmith check PATH...`: parses and checks .sdprompt files, one line per diagnostic.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkDocument, type CheckDiagnostic } from '../../core/checks/index';
import { parseDocument, splitBlocks } from '../../core/parse/index';
import { builtinProfiles, findProfile } from '../../core/profiles/index';
import { LineIndex } from '../../core/text/lineIndex';
import { UsageError, type Command } from '../command';

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

Parses and checks .sdprompt files. Folders are searched recursively for *.sdprompt.
Prints one line per diagnostic: path:line:col: severity: message [code]
(1-based line and column, columns counted in characters; a UTF-8 BOM is not counted).

Options:
  --format text|json   output format (default: text)
  --profile ID         model profile (default: ${builtinProfiles[0]!.id}; known: ${builtinProfiles.map((p) => p.id).join(', ')})
  -h, --help           show this help

Exit codes: 0 no errors, 1 at least one error, 2 usage error or unreadable file.
`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { format: { type: 'string', default: 'text' }, profile: { type: 'string' } },
    });
    if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`--format must be 'text' or 'json', not '${values.format}'`);
    if (positionals.length === 0) throw new UsageError('no PATH given');
    if (values.profile && !builtinProfiles.some((p) => p.id === values.profile)) {
      throw new UsageError(`unknown profile '${values.profile}' (known: ${builtinProfiles.map((p) => p.id).join(', ')})`);
    }
    const profile = findProfile(values.profile);

    const reports: FileReport[] = [];
    let unreadable = 0;
    for (const file of positionals.flatMap((p) => expand(p, io.cwd, io.stderr, () => unreadable++))) {
      try {
        reports.push(...checkFile(file, profile));
      } catch (error) {
        if (!(error instanceof Unreadable)) throw error;
        io.stderr(`tagsmith check: ${error.message}\n`);
        unreadable++;
      }
    }
    if (values.format === 'json') {
      io.stdout(JSON.stringify(reports, null, 2) + '\n');
    } else {
      for (const r of reports) io.stdout(`${r.file}:${r.line}:${r.column}: ${r.severity}: ${r.message} [${r.code}]\n`);
    }
    if (unreadable > 0) return 2;
    return reports.some((r) => r.severity === 'error') ? 1 : 0;
  },
};

/** A path as given, or the *.sdprompt files under a folder, sorted. */
function expand(path: string, cwd: string, stderr: (t: string) => void, onError: () => void): string[] {
  let stats;
  try {
    stats = statSync(resolve(cwd, path));
  } catch (error) {
    stderr(`tagsmith check: ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (error as Error).message}\n`);
    onError();
    return [];
  }
  if (!stats.isDirectory()) return [path];
  const found: string[] = [];
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.isFile() && entry.name.endsWith('.sdprompt')) found.push(full);
    }
  };
  visit(path);
  return found;
}

function checkFile(file: string, profile: ReturnType<typeof findProfile>): FileReport[] {
  const shown = file;
  let bytes: Buffer;
  try {
    const size = statSync(file).size;
    if (size > MAX_BYTES) throw new Unreadable(`${shown}: file is ${(size / 1048576).toFixed(1)} MB; check reads .sdprompt files up to ${MAX_BYTES / 1048576} MB`);
    bytes = readFileSync(file);
  } catch (error) {
    if (error instanceof Unreadable) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new Unreadable(`${shown}: cannot read (${code === 'EISDIR' ? 'is a folder' : code === 'EACCES' ? 'permission denied' : (error as Error).message})`);
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new Unreadable(`${shown}: binary file (NUL byte at offset ${nul}), not a .sdprompt document`);

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
  checkInPieces(text, profile, (d) => reports.push(toReport(d)));
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
 * Parses and checks `text` about a megabyte of blocks at a time: checks never look across blocks, so the
 * diagnostics are the same as for the whole document, and a 50 MB file never holds its whole tree in memory.
 * Each piece after the first starts at a separator line, so a BOM is only ever read at the very start.
 */
function checkInPieces(text: string, profile: ReturnType<typeof findProfile>, onDiagnostic: (d: CheckDiagnostic) => void): void {
  const PIECE = 1 << 20;
  const check = (start: number, end: number): void => {
    const doc = parseDocument(text.slice(start, end));
    for (const d of checkDocument(doc, profile)) onDiagnostic({ ...d, start: d.start + start, end: d.end + start });
  };
  let start = 0;
  for (const block of splitBlocks(text)) {
    if (block.end - start < PIECE) continue;
    check(start, block.end);
    start = block.end;
  }
  if (start < text.length) check(start, text.length);
}
