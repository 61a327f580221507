// The ftfy fix_text steps and the HTML unescaping rules, with expectations from ftfy's documentation and
// tests (tests/test_entities.py, the fixes.py docstrings) and Python's html.unescape documentation.
import { describe, expect, it } from 'vitest';
import { fixText } from '../../core/tokenizer/ftfy';
import { ftfyUnescapeHtml, pyHtmlUnescape } from '../../core/tokenizer/html';

describe('fixText (ftfy.fix_text defaults)', () => {
  it('splits Latin ligatures', () => {
    expect(fixText('\ufb02ubberi\ufb01c \ufb00 \ufb03 \u0133')).toBe('flubberific ff ffi ij');
  });

  it('makes full-width characters normal width, U+3000 a space', () => {
    expect(fixText('\uff2c\uff2f\uff35\uff24\u3000\uff2e\uff2f\uff29\uff33\uff25\uff33')).toBe('LOUD NOISES');
    expect(fixText('\uff08\uff11\uff09')).toBe('(1)');
  });

  it('straightens curly quotes', () => {
    expect(fixText('\u201chere\u2019s a test\u201d')).toBe('"here\'s a test"');
    expect(fixText('\u02bcn \u201b \u201f')).toBe("'n ' \"");
  });

  it('unescapes HTML entities, repeatedly, unless a line so far held "<"', () => {
    expect(fixText('&lt;&gt;')).toBe('<>');
    expect(fixText('&amp;amp;amp;')).toBe('&');
    expect(fixText('&amp;\n<html>\n&amp;')).toBe('&\n<html>\n&amp;');
    expect(fixText('P&EACUTE;REZ')).toBe('P\u00c9REZ');
    expect(fixText('this is just informal english &not html')).toBe('this is just informal english &not html');
  });

  it('treats C1 controls as Windows-1252', () => {
    expect(fixText('\x80 \x93quoted\x94')).toBe('\u20ac "quoted"');
    expect(fixText('\x81')).toBe('\x81');
  });

  it('removes control characters but keeps whitespace ones', () => {
    expect(fixText('a\x00b\x07c\x0bd\x7fe\ufeff\u206af')).toBe('abcdef');
    expect(fixText('a\tb\nc\x0cd')).toBe('a\tb\nc\x0cd');
  });

  it('turns every line break into \\n', () => {
    expect(fixText('a\r\nb\rc\u2028d\u2029e')).toBe('a\nb\nc\nd\ne');
  });

  it('removes terminal escapes', () => {
    expect(fixText("\x1b[36;44mI'm blue\x1b[0m")).toBe("I'm blue");
  });

  it('replaces lone surrogates and keeps pairs', () => {
    expect(fixText('a\ud800b\udc00c \u{1F600}')).toBe('a\ufffdb\ufffdc \u{1F600}');
  });

  it('applies NFC', () => {
    expect(fixText('cafe\u0301')).toBe('caf\u00e9');
  });

  it('leaves plain prompt text alone', () => {
    const prompt = '1boy, solo, (looking at viewer:1.1), best quality, <lora:x:0.8>, caf\u00e9, \u{1F600}';
    expect(fixText(prompt)).toBe(prompt);
  });
});

describe('HTML unescaping', () => {
  it("ftfy: ';' required, numeric references, odd cases kept", () => {
    expect(ftfyUnescapeHtml('euro &#x80;')).toBe('euro \u20ac');
    expect(ftfyUnescapeHtml('EURO &EURO;')).toBe('EURO \u20ac');
    expect(ftfyUnescapeHtml('not an entity &#20x6;')).toBe('not an entity &#20x6;');
    expect(ftfyUnescapeHtml('V&SCARON;ICHNI')).toBe('V\u0160ICHNI');
    expect(ftfyUnescapeHtml('&#xffff;')).toBe('');
    expect(ftfyUnescapeHtml('&#xffffffff;')).toBe('\ufffd');
    expect(ftfyUnescapeHtml('&amp &copy;')).toBe('&amp \u00a9');
    expect(ftfyUnescapeHtml('&constructor; &toString;')).toBe('&constructor; &toString;');
  });

  it("Python's html.unescape: legacy names without ';', longest prefix", () => {
    expect(pyHtmlUnescape('&amp')).toBe('&');
    expect(pyHtmlUnescape('&copy2024')).toBe('\u00a92024');
    expect(pyHtmlUnescape('&notit;')).toBe('\u00acit;');
    expect(pyHtmlUnescape('&#65&#x42;&#0;&#1;')).toBe('AB\ufffd');
    expect(pyHtmlUnescape('&nosuch; & &;')).toBe('&nosuch; & &;');
  });
});
