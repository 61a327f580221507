// Loading a tokenizer folder: both layouts, special-token configuration, and errors that name file and line.
import { describe, expect, it } from 'vitest';
import { loadClipTokenizer, TokenizerLoadError } from '../../core/tokenizer/index';
import { fromDir, fromFiles, MINI_DIR, readMini } from './helpers';

const MINI = { 'vocab.json': readMini('vocab.json'), 'merges.txt': readMini('merges.txt') };

/** The error a load throws (fails the test when it does not throw one). */
function loadError(files: Record<string, string>, source?: string): TokenizerLoadError {
  try {
    loadClipTokenizer((name) => files[name], source);
  } catch (error) {
    expect(error).toBeInstanceOf(TokenizerLoadError);
    return error as TokenizerLoadError;
  }
  throw new Error('expected a TokenizerLoadError');
}

describe('loading vocab.json + merges.txt', () => {
  it('ignores CRLF line ends and a missing final newline in merges.txt', () => {
    const crlf = fromFiles({ ...MINI, 'merges.txt': MINI['merges.txt'].replace(/\n/g, '\r\n').trimEnd() });
    expect(crlf.encode('a cat that dog aaaa')).toEqual(fromDir(MINI_DIR).encode('a cat that dog aaaa'));
  });

  it("always skips merges.txt's first line, as HF does", () => {
    // Without the header, 'c a' is taken for the header: 'cat' then merges only as 'a t</w>' (516).
    const tok = fromFiles({ ...MINI, 'merges.txt': MINI['merges.txt'].replace('#version: 0.2\n', '') });
    expect(tok.encode('cat')).toEqual([66, 516]);
  });

  it('reads the special tokens from special_tokens_map.json over tokenizer_config.json', () => {
    const tok = fromFiles({
      ...MINI,
      'tokenizer_config.json': JSON.stringify({ bos_token: 'x', eos_token: { content: 'cat</w>' } }),
      'special_tokens_map.json': JSON.stringify({ bos_token: { content: 'dog</w>', lstrip: false } }),
    });
    expect(tok.bos).toBe(519);
    expect(tok.eos).toBe(513);
  });
});

describe('reading vocab.json in place', () => {
  // A fixture vocabulary with extra entries appended to the JSON text.
  const withExtra = (extra: string): string => MINI['vocab.json'].replace(/}\s*$/, `, ${extra}}`);
  const vocabOf = (text: string) => fromFiles({ ...MINI, 'vocab.json': text });

  it('decodes keys with escapes and keeps the last of repeated keys, as JSON.parse', () => {
    const tok = vocabOf(withExtra('"q\\"x": 600, "\\u00e9t\\u00e9": 601, "dup": 602, "dup": 603'));
    expect(tok.tokenId('q"x')).toBe(600);
    expect(tok.tokenId('\u00e9t\u00e9')).toBe(601);
    expect(tok.tokenId('dup')).toBe(603);
    expect(tok.vocabSize).toBe(527);
  });

  it('tells apart keys that differ only where the hash does not look', () => {
    const tok = vocabOf(withExtra('"abcdefghijklmnopqrst": 700, "abXdefghijklmnopqrst": 701, "abcdefgXijklmnopqrst": 702'));
    expect([tok.tokenId('abcdefghijklmnopqrst'), tok.tokenId('abXdefghijklmnopqrst'), tok.tokenId('abcdefgXijklmnopqrst')]).toEqual([700, 701, 702]);
    expect(tok.tokenId('abcdefghijklmnopqrsX')).toBeUndefined();
  });

  it('never answers with Object.prototype members', () => {
    const tok = vocabOf(withExtra('"__proto__": 800'));
    expect(tok.tokenId('__proto__')).toBe(800);
    expect(tok.tokenId('constructor')).toBeUndefined();
    expect(tok.tokenId('toString')).toBeUndefined();
  });

  it('reads pretty-printed files and unusual shapes through JSON.parse with the same meaning', () => {
    const pretty = JSON.stringify(JSON.parse(MINI['vocab.json']), null, 2);
    expect(vocabOf(pretty).encode('a cat aaaa')).toEqual([320, 513, 520, 64, 320]);
    // "1e0" is no plain integer for the scan but a valid id for JSON.parse.
    const odd = vocabOf(withExtra('"odd": 1e0, "q\\u0061": 5'));
    expect(odd.tokenId('odd')).toBe(1);
    expect(odd.encode('a cat')).toEqual([320, 513]);
  });

  it('reads merges whose separators Python split() accepts (two spaces)', () => {
    const tok = fromFiles({ ...MINI, 'merges.txt': MINI['merges.txt'].replace('c a\n', 'c  a\n') });
    expect(tok.encode('cat')).toEqual([513]);
  });
});

describe('loading tokenizer.json', () => {
  const vocab = JSON.parse(MINI['vocab.json']) as Record<string, number>;
  const merges = MINI['merges.txt'].trim().split('\n').slice(1);

  it('reads model.vocab and model.merges as "a b" strings', () => {
    const tok = fromFiles({ 'tokenizer.json': JSON.stringify({ model: { type: 'BPE', vocab, merges } }) });
    expect(tok.encode('a cat that bat aaaaa')).toEqual([320, 513, 83, 515, 517, 520, 521]);
    expect(tok.eos).toBe(523);
  });

  it('reads merges written as pairs', () => {
    const pairs = merges.map((m) => m.split(' '));
    const tok = fromFiles({ 'tokenizer.json': JSON.stringify({ model: { type: 'BPE', vocab, merges: pairs } }) });
    expect(tok.encode('dog')).toEqual([519]);
  });

  it('names the bad merge entry', () => {
    const text = JSON.stringify({ model: { type: 'BPE', vocab, merges: ['c a', 'oops'] } }, null, 1);
    const error = loadError({ 'tokenizer.json': text });
    expect(error.message).toContain('tokenizer.json');
    expect(error.message).toContain('model.merges[1]');
    expect(error.line).toBe(text.split('\n').findIndex((l) => l.includes('"oops"')) + 1);
  });

  it('refuses a model that is not BPE', () => {
    expect(loadError({ 'tokenizer.json': JSON.stringify({ model: { type: 'WordPiece', vocab: {} } }) }).message).toContain('"WordPiece"');
  });
});

describe('load errors name the file and the line', () => {
  it('says which file is missing', () => {
    expect(loadError({}).message).toMatch(/vocab\.json.*missing.*tokenizer\.json/);
    expect(loadError({ 'vocab.json': MINI['vocab.json'] }).message).toBe('merges.txt: missing (vocab.json is there; both are needed)');
    expect(loadError({ 'merges.txt': MINI['merges.txt'] }).file).toBe('vocab.json');
  });

  it('prefixes the source (the folder) when given', () => {
    expect(loadError({}, '/models/sdxl/tokenizer').message.startsWith('/models/sdxl/tokenizer: vocab.json')).toBe(true);
  });

  it('points at the line of a JSON syntax error', () => {
    const error = loadError({ ...MINI, 'vocab.json': '{\n  "a": 1,\n  "b": ,\n  "c": 3\n}' });
    expect(error.file).toBe('vocab.json');
    expect(error.line).toBe(3);
    expect(error.message).toBe('vocab.json, line 3: not valid JSON: expected a value at column 8');
  });

  it('reports a truncated vocab.json at its last line', () => {
    const error = loadError({ ...MINI, 'vocab.json': '{"a": 1,\n"b": 2' });
    expect(error.line).toBe(2);
    expect(error.message).toContain('the file ends there');
  });

  it('rejects ids that are not non-negative integers, naming the token', () => {
    const error = loadError({ ...MINI, 'vocab.json': '{\n"a": 1,\n"b": 2.5\n}' });
    expect(error.line).toBe(3);
    expect(error.message).toContain('"b"');
    expect(loadError({ ...MINI, 'vocab.json': '[1, 2]' }).message).toContain('expected a JSON object');
  });

  it('points at a malformed merges line, counting the lines strip() removed', () => {
    const error = loadError({ ...MINI, 'merges.txt': '\n\n#version: 0.2\nc a\nc a t\nd o\n' });
    expect(error.file).toBe('merges.txt');
    expect(error.line).toBe(5);
    expect(error.message).toBe('merges.txt, line 5: expected two symbols separated by a space, got "c a t"');
    expect(loadError({ ...MINI, 'merges.txt': '#version: 0.2\nc a\n\nd o\n' }).line).toBe(3);
  });

  it('reports special tokens the vocabulary lacks, and malformed config files', () => {
    expect(loadError({ ...MINI, 'special_tokens_map.json': '{"eos_token": "<eos>"}' }).message).toContain('the eos token "<eos>" is not in the vocabulary');
    const bad = loadError({ ...MINI, 'tokenizer_config.json': '{\n"bos_token": 5\n}' });
    expect(bad.file).toBe('tokenizer_config.json');
    expect(bad.line).toBe(2);
    expect(loadError({ ...MINI, 'special_tokens_map.json': '{"a":' }).file).toBe('special_tokens_map.json');
  });
});

describe('JSON errors (core/text/json.ts)', () => {
  it('give the line, column and what was expected, for every kind of mistake', async () => {
    const { parseJson, describeJsonError } = await import('../../core/text/json');
    const error = (text: string): string => {
      const r = parseJson(text);
      if (r.ok) throw new Error('parsed');
      return describeJsonError(r);
    };
    expect(parseJson('\ufeff{"a": [1, 2]}')).toEqual({ ok: true, value: { a: [1, 2] } });
    expect(error('{"a": 1,}')).toBe('line 1, column 9: expected a property name (a quoted string)');
    expect(error('{"a" 1}')).toBe("line 1, column 6: expected ':'");
    expect(error('[1 2]')).toBe("line 1, column 4: expected ',' or the end of the object or array");
    expect(error('{\n  "a": "x\ty"\n}')).toBe('line 2, column 8: expected a closing quote (control characters must be escaped)');
    expect(error('{"a": 1} // note')).toBe('line 1, column 10: expected no comment (JSON has none)');
    expect(error('{"a": [1')).toBe("line 1, column 9: expected ']' (the text ends there)");
    expect(error('')).toBe('line 1, column 1: expected a value (the text ends there)');
  });
});
