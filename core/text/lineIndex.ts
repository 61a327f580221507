// Offsets <-> positions. LSP counts columns in UTF-16 code units; the CLI counts characters
// (code points) as an editor shows them. Both are 0-based here; callers add 1 for display.

export interface Position {
  line: number;
  character: number;
}

export class LineIndex {
  /** Offset at which each line starts; lines end at '\n' (a preceding '\r' belongs to the line ending). */
  readonly lineStarts: number[];

  constructor(readonly text: string) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    this.lineStarts = starts;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** The line holding `offset` (clamped to the text). */
  lineAt(offset: number): number {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    const target = Math.max(0, Math.min(offset, this.text.length));
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= target) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** LSP position (UTF-16 columns) of an offset. */
  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    const line = this.lineAt(clamped);
    return { line, character: clamped - this.lineStarts[line]! };
  }

  /** Offset of an LSP position; positions past a line's end or the text's end are clamped. */
  offsetAt(position: Position): number {
    if (position.line < 0) return 0;
    if (position.line >= this.lineStarts.length) return this.text.length;
    const start = this.lineStarts[position.line]!;
    const end = this.lineContentEnd(position.line);
    return Math.max(start, Math.min(start + Math.max(0, position.character), end));
  }

  /** End of a line's content, before its '\n' or '\r\n'. */
  lineContentEnd(line: number): number {
    const next = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1]! - 1 : this.text.length;
    return next > this.lineStarts[line]! && this.text.charCodeAt(next - 1) === 13 && next < this.text.length
      ? next - 1
      : next;
  }

  /** 0-based line and column in code points, a leading BOM not counted (the CLI's `line:col`). */
  displayPositionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    const line = this.lineAt(clamped);
    let i = this.lineStarts[line]!;
    if (i === 0 && this.text.charCodeAt(0) === 0xfeff && clamped > 0) i = 1;
    let column = 0;
    if (clamped - i > CHECKPOINT_EVERY) {
      // A long line: start from the last checkpoint at or before the offset instead of the line's start.
      const points = this.checkpoints(line, i);
      let k = Math.floor((clamped - i) / CHECKPOINT_EVERY);
      if (k >= points.length / 2) k = points.length / 2 - 1;
      while (k > 0 && points[2 * k]! > clamped) k--;
      i = points[2 * k]!;
      column = points[2 * k + 1]!;
    }
    while (i < clamped) {
      const code = this.text.charCodeAt(i);
      const pair = code >= 0xd800 && code <= 0xdbff && i + 1 < clamped && (this.text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
      i += pair ? 2 : 1;
      column++;
    }
    return { line, character: column };
  }

  private readonly lineCheckpoints = new Map<number, Int32Array>();

  /**
   * For a long line, [offset, column] at the first character boundary at or after every CHECKPOINT_EVERY
   * code units, from one walk of the line: each display position then walks at most that far, where
   * walking from the line's start for every diagnostic costs diagnostics x line length.
   */
  private checkpoints(line: number, from: number): Int32Array {
    let points = this.lineCheckpoints.get(line);
    if (points) return points;
    const end = this.lineContentEnd(line);
    points = new Int32Array(2 * (Math.floor((end - from) / CHECKPOINT_EVERY) + 1));
    let i = from;
    let column = 0;
    let k = 0;
    let next = from;
    while (k < points.length / 2) {
      if (i >= next || i >= end) {
        points[2 * k] = i;
        points[2 * k + 1] = column;
        k++;
        next = from + k * CHECKPOINT_EVERY;
        if (i >= end) {
          // Past the end: the remaining checkpoints repeat the last.
          for (; k < points.length / 2; k++) {
            points[2 * k] = i;
            points[2 * k + 1] = column;
          }
          break;
        }
      }
      const code = this.text.charCodeAt(i);
      const pair = code >= 0xd800 && code <= 0xdbff && i + 1 < end && (this.text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
      i += pair ? 2 : 1;
      column++;
    }
    this.lineCheckpoints.set(line, points);
    return points;
  }
}

const CHECKPOINT_EVERY = 256;
