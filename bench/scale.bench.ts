// `npm run bench -- scale`: how time and memory grow with the input, per input shape, for parse + check,
// formatting, `tagsmith check` and the language server. Sizes double from 64 KB; every figure is taken in a
// fresh child process (so one size's garbage or peak does not leak into the next). Printed per size: wall
// time (median), main-thread CPU time (median), peak and retained memory, and the ratio of each time to the
// previous size's (linear: 2; the goal: ≤ 2.3; retained ≤ 20 bytes per input byte).
//
// TAGSMITH_SCALE_MAX   largest size (default 8M; e.g. 1M for a quick run; K and M suffixes)
// TAGSMITH_SCALE_SHAPES comma-separated shape names (default: all)
// TAGSMITH_SCALE_OPS    comma-separated from core,format,cli,server (default: all)
// TAGSMITH_SCALE_RUNS   timed runs per figure (default 3; the server and cli are started once per run)

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkDocument } from '../core/checks/index';
import { formatEdits } from '../core/format';
import { parseDocument } from '../core/parse/index';
import { defaultProfile } from '../core/profiles/index';
import { realisticDocumentOfSize, realisticPrompt, realisticTags, rng } from './corpus';
import { fmtMs, median, threadCpuMs, type BenchSuite } from './util';

const KB = 1024;
const MB = 1024 * 1024;

/** Repeats `unit` (and wraps it) to about `bytes` bytes of UTF-8. */
function repeatTo(bytes: number, unit: string, head = '', tail = ''): string {
  const n = Math.max(1, Math.floor((bytes - Buffer.byteLength(head) - Buffer.byteLength(tail)) / Buffer.byteLength(unit)));
  return head + unit.repeat(n) + tail;
}

/** Opening and closing halves of a nesting, `open`×k + core + `close`×k, about `bytes` long. */
function nest(bytes: number, open: string, core: string, close: string): string {
  const k = Math.max(1, Math.floor((bytes - core.length) / (open.length + close.length)));
  return open.repeat(k) + core + close.repeat(k);
}

function tagLine(next: () => number, bytes: number, join: string): string {
  const tags = realisticTags();
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    const p = realisticPrompt(next, tags);
    parts.push(p);
    size += p.length + join.length;
  }
  return parts.join(join);
}

export const shapes: Record<string, (bytes: number) => string> = {
  'many-blocks': (b) => realisticDocumentOfSize(b),
  'huge-block': (b) => tagLine(rng(2), b, ',\n') + '\nNegative prompt: lowres, bad anatomy\nSteps: 28, Sampler: Euler a, CFG scale: 5, Seed: 1, Size: 832x1216',
  'huge-line': (b) => tagLine(rng(3), b, ', '),
  'nest-round': (b) => nest(b, '(', 'x', ')'),
  'nest-square': (b) => nest(b, '[', 'x', ']'),
  'nest-mixed': (b) => nest(b, '([{', 'x', '}])'),
  'nest-editing': (b) => nest(b, '[a:', 'x', ':0.5]'),
  'nest-alternation': (b) => nest(b, '[a|', 'x', ']'),
  'nest-weighted': (b) => nest(b, '(a ', 'x', ':1.05)'),
  'unclosed-round': (b) => repeatTo(b, '(a, '),
  'unclosed-square': (b) => repeatTo(b, '[a, '),
  'unclosed-lora': (b) => repeatTo(b, '<lora:'),
  'break-runs': (b) => repeatTo(b, 'BREAK ', 'a, '),
  'escapes': (b) => repeatTo(b, '\\(a\\) \\\\ \\[b\\], '),
  'random-bytes': (b) => {
    const next = rng(5);
    const bytes = Buffer.alloc(b);
    for (let i = 0; i < b; i++) bytes[i] = Math.floor(next() * 256) || 32;
    return bytes.toString('utf8');
  },
  'emoji-lines': (b) => repeatTo(b, '😀 smile, 👍🏽 thumbs up, 🇯🇵 flag, (✨:1.2), ', '', '\n'),
};

const OPS = ['core', 'format', 'cli', 'server'] as const;
type Op = (typeof OPS)[number];

interface Figure {
  wallMs: number;
  cpuMs?: number;
  peakBytes?: number;
  retainedBytes?: number;
  /** For the server: p95 of completion latency in a small document while the big one is opened and edited. */
  completionMs?: number;
  note?: string;
}

function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmM]?)/.exec(text);
  if (!m) return 8 * MB;
  return Math.round(Number(m[1]) * (m[2]!.toLowerCase() === 'k' ? KB : m[2]!.toLowerCase() === 'm' ? MB : 1));
}

function statusKb(status: string, field: string): number {
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024;
}

function taskCpuMs(pid: number): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
}

// ---- in the worker process (node --expose-gc dist/bench.js --scale-worker OP SHAPE BYTES RUNS) ----

export async function scaleWorker(args: string[]): Promise<void> {
  const [op, shape, bytesText, runsText] = args as [Op, string, string, string];
  const text = shapes[shape]!(Number(bytesText));
  const runs = Number(runsText);
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  // Full collections with turns of the event loop between: the memory of freed ArrayBuffers (a parse's scratch tables
  // grown for a huge section) is given back by a sweeper after the collection, and read before it, it counted as
  // retained (nesting shapes swung between -1 and 71 B per input byte from one size to the next).
  const settle = async (): Promise<void> => {
    for (let k = 0; k < 3; k++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  let figure: Figure;
  if (op === 'core' || op === 'format') {
    const workOn = (input: string) => (op === 'core' ? () => { const doc = parseDocument(input); return [doc, checkDocument(doc, defaultProfile)]; } : () => formatEdits(input));
    const work = workOn(text);
    // Warm the JIT on a small input of the same shape, so the first timed run is not a cold one.
    for (let k = 0; k < 3; k++) workOn(shapes[shape]!(64 * KB))();
    await settle();
    const base = process.memoryUsage();
    const rssBase = statusKb(readFileSync('/proc/self/status', 'utf8'), 'VmRSS');
    const walls: number[] = [];
    const cpus: number[] = [];
    let kept: unknown;
    for (let r = 0; r < runs; r++) {
      kept = undefined;
      gc();
      const c0 = threadCpuMs();
      const t0 = performance.now();
      kept = work();
      walls.push(performance.now() - t0);
      const c1 = threadCpuMs();
      if (c0 !== undefined && c1 !== undefined) cpus.push(c1 - c0);
    }
    await settle();
    const after = process.memoryUsage();
    const peak = statusKb(readFileSync('/proc/self/status', 'utf8'), 'VmHWM') - rssBase;
    figure = {
      wallMs: median(walls),
      cpuMs: cpus.length > 0 ? median(cpus) : undefined,
      peakBytes: peak,
      // (external includes arrayBuffers: adding both counted every typed array twice)
      retainedBytes: after.heapUsed + after.external - (base.heapUsed + base.external),
    };
    void kept;
  } else if (op === 'cli') {
    figure = await cliFigure(text, runs);
  } else {
    figure = await serverFigure(text, runs);
  }
  process.stdout.write(JSON.stringify({ bytes: Buffer.byteLength(text), ...figure }) + '\n');
}

const PRELOAD = `process.on('exit', () => { try { const fs = require('fs'); const cpu = Number(fs.readFileSync('/proc/self/task/' + process.pid + '/schedstat', 'utf8').split(' ')[0]) / 1e6; const hwm = /VmHWM:\\s+(\\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1] * 1024; fs.writeFileSync(process.env.TAGSMITH_BENCH_OUT, JSON.stringify({ cpu, hwm })); } catch {} });`;

async function cliFigure(text: string, runs: number): Promise<Figure> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tagsmith-scale-'));
  try {
    const file = path.join(dir, 'input.sdprompt');
    writeFileSync(file, text);
    const preload = path.join(dir, 'preload.js');
    writeFileSync(preload, PRELOAD);
    const out = path.join(dir, 'out.json');
    const cli = path.join(__dirname, 'cli.js');
    const walls: number[] = [];
    const cpus: number[] = [];
    let peak = 0;
    let status: number | null = 0;
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      const result = spawnSync(process.execPath, ['-r', preload, cli, 'check', '--format', 'json', file], { env: { ...process.env, TAGSMITH_BENCH_OUT: out }, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * MB });
      walls.push(performance.now() - t0);
      status = result.status;
      try {
        const m = JSON.parse(readFileSync(out, 'utf8')) as { cpu: number; hwm: number };
        cpus.push(m.cpu);
        peak = Math.max(peak, m.hwm);
      } catch {
        // died before writing
      }
    }
    return { wallMs: median(walls), cpuMs: cpus.length > 0 ? median(cpus) : undefined, peakBytes: peak || undefined, note: status === 0 || status === 1 ? undefined : `exit ${status}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function serverFigure(text: string, runs: number): Promise<Figure> {
  const { startClient } = await import('../test/server/lspClient');
  const walls: number[] = [];
  const cpus: number[] = [];
  const completions: number[] = [];
  let peak = 0;
  let retained = 0;
  for (let r = 0; r < runs; r++) {
    const client = await startClient({});
    try {
      await client.waitForLog(/Settings applied/);
      const small = 'file:///small.sdprompt';
      client.open(small, 'masterpiece, 1boy, solo, smi\nSteps: 28, Sampler: Euler a, CFG scale: 5\n');
      const position = { line: 0, character: 27 };
      for (let k = 0; k < 20; k++) await client.connection.sendRequest('textDocument/completion', { textDocument: { uri: small }, position });
      const pid = client.child.pid!;
      const status0 = readFileSync(`/proc/${pid}/status`, 'utf8');
      const cpu0 = taskCpuMs(pid);
      const big = 'file:///big.sdprompt';
      const diagnostics = client.nextDiagnostics(big);
      const t0 = performance.now();
      client.open(big, text);
      // Completions in another document while the big one is opened and then edited (an edit at its
      // start after every fifth completion): how long the big one keeps the server from answering.
      const latencies: number[] = [];
      let version = 1;
      for (let k = 0; k < 40; k++) {
        if (k > 0 && k % 5 === 0) {
          void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: big, version: ++version }, contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'a' }] });
        }
        const c0 = performance.now();
        await client.connection.sendRequest('textDocument/completion', { textDocument: { uri: small }, position });
        latencies.push(performance.now() - c0);
      }
      latencies.sort((a, b) => a - b);
      completions.push(latencies[Math.ceil(latencies.length * 0.95) - 1]!);
      const settled = client.nextDiagnostics(big);
      let timer: NodeJS.Timeout | undefined;
      // (The timer is cleared: left running, it kept each worker alive for two minutes after its figure.)
      await Promise.race([diagnostics.then(() => settled), new Promise((resolve) => (timer = setTimeout(resolve, 120_000)))]);
      clearTimeout(timer);
      walls.push(performance.now() - t0);
      const cpu1 = taskCpuMs(pid);
      if (cpu0 !== undefined && cpu1 !== undefined) cpus.push(cpu1 - cpu0);
      const status1 = readFileSync(`/proc/${pid}/status`, 'utf8');
      peak = Math.max(peak, statusKb(status1, 'VmHWM') - statusKb(status0, 'VmRSS'));
      retained = statusKb(status1, 'VmRSS') - statusKb(status0, 'VmRSS');
    } finally {
      await client.stop();
    }
  }
  return { wallMs: median(walls), cpuMs: cpus.length > 0 ? median(cpus) : undefined, peakBytes: peak, retainedBytes: retained, completionMs: median(completions) };
}

// ---- in the bench process ----

function runWorker(op: Op, shape: string, bytes: number, runs: number, timeoutMs: number): Promise<(Figure & { bytes: number }) | string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', '--max-old-space-size=4096', path.join(__dirname, 'bench.js'), '--scale-worker', op, shape, String(bytes), String(runs)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as Figure & { bytes: number });
      } catch {
        resolve(signal === 'SIGKILL' ? `over ${timeoutMs / 1000} s` : `failed (exit ${code ?? signal}) ${err.trim().split('\n').pop() ?? ''}`);
      }
    });
  });
}

const fmtBytes = (b: number | undefined): string => (b === undefined || !Number.isFinite(b) ? '-' : b >= MB ? `${(b / MB).toFixed(1)} MB` : `${(b / KB).toFixed(0)} KB`);
const ratio = (now: number | undefined, before: number | undefined): string => (now === undefined || before === undefined || before <= 0 ? '' : (now / before).toFixed(2));

async function run(): Promise<void> {
  const max = parseSize(process.env.TAGSMITH_SCALE_MAX ?? '8M');
  const shapeNames = (process.env.TAGSMITH_SCALE_SHAPES ?? Object.keys(shapes).join(',')).split(',').filter((s) => shapes[s]);
  const ops = (process.env.TAGSMITH_SCALE_OPS ?? OPS.join(',')).split(',').filter((o): o is Op => (OPS as readonly string[]).includes(o));
  const runs = Number(process.env.TAGSMITH_SCALE_RUNS ?? 3);
  const sizes: number[] = [];
  for (let s = 64 * KB; s <= max; s *= 2) sizes.push(s);
  console.log(`  sizes ${sizes.map(fmtBytes).join(', ')}; ${runs} runs each, median; ratio = time / time at half the size (goal ≤ 2.3); retained goal ≤ 20 B per input byte`);
  const worst: Array<{ what: string; value: number }> = [];
  for (const op of ops) {
    for (const shape of shapeNames) {
      console.log(`\n  ${op} · ${shape}`);
      console.log(`    ${'size'.padEnd(9)}${'wall'.padStart(10)}${'CPU'.padStart(10)}${'×wall'.padStart(7)}${'×CPU'.padStart(7)}${'peak'.padStart(10)}${'retained'.padStart(10)}${'B/B'.padStart(6)}${op === 'server' ? '  completion p95 meanwhile' : ''}`);
      let previous: Figure | undefined;
      for (const bytes of sizes) {
        const figure = await runWorker(op, shape, bytes, runs, 300_000);
        if (typeof figure === 'string') {
          console.log(`    ${fmtBytes(bytes).padEnd(9)} ${figure}`);
          worst.push({ what: `${op} · ${shape} · ${fmtBytes(bytes)}: ${figure}`, value: Infinity });
          break;
        }
        const perByte = figure.retainedBytes !== undefined ? figure.retainedBytes / figure.bytes : undefined;
        const rw = ratio(figure.wallMs, previous?.wallMs);
        const rc = ratio(figure.cpuMs, previous?.cpuMs);
        // Ratios of tiny times are noise: judged only from 20 ms on.
        if (rc && previous?.cpuMs !== undefined && previous.cpuMs > 20) worst.push({ what: `${op} · ${shape} · ${fmtBytes(bytes)} CPU ratio`, value: Number(rc) });
        console.log(
          `    ${fmtBytes(figure.bytes).padEnd(9)}${fmtMs(figure.wallMs).padStart(10)}${(figure.cpuMs !== undefined ? fmtMs(figure.cpuMs) : '-').padStart(10)}${rw.padStart(7)}${rc.padStart(7)}${fmtBytes(figure.peakBytes).padStart(10)}${fmtBytes(figure.retainedBytes).padStart(10)}${(perByte !== undefined ? perByte.toFixed(1) : '-').padStart(6)}${figure.completionMs !== undefined ? `  ${fmtMs(figure.completionMs)}` : ''}${figure.note ? `  ${figure.note}` : ''}`,
        );
        previous = figure;
      }
    }
  }
  worst.sort((a, b) => b.value - a.value);
  console.log(`\n  largest CPU ratios: ${worst.slice(0, 5).map((w) => `${w.what} ${w.value}`).join('; ') || 'none'}`);
}

export const scaleBench: BenchSuite = { name: 'scale', run, onlyWhenNamed: true };
