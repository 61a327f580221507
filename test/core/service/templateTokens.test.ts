// The Dynamic Prompts layer in the service's semantic tokens: the template's own characters, never its
// options' text (those are tags, coloured as tags).
import { describe, expect, it } from 'vitest';
import { service } from '../../server/helpers';

function tokens(text: string): string[] {
  return service().semanticTokens(text).map((t) => `${t.type} ${text.slice(t.start, t.end)}`);
}

describe('semantic tokens of a template', () => {
  it('gives the template leaves operator, variable and string tokens', () => {
    expect(tokens('{~2$$ and $$0.5::smile|1boy}').filter((t) => !t.startsWith('cardTag') && !t.startsWith('tag'))).toEqual([
      'operator {', 'operator ~', 'operator 2$$ and $$', 'operator 0.5::', 'operator |', 'operator }',
    ]);
    expect(tokens('__dir/name__, ${x=!{a|b}}, %{(...)$$c}').filter((t) => !t.startsWith('tag'))).toEqual([
      'variable __dir/name__', 'variable ${x=!{a|b}}', 'operator %{', 'string (...)', 'operator $$', 'operator }',
    ]);
  });

  it('gives a comment token to what the template skips as a comment', () => {
    expect(tokens('{a|b} # note').filter((t) => t.startsWith('comment'))).toEqual(['comment # note']);
  });

  it('gives none where the template does not parse, or where there is no template', () => {
    expect(tokens('{a|b').filter((t) => t.startsWith('operator'))).toEqual([]);
    expect(tokens('[a|b], (c:1.2)').filter((t) => t.startsWith('operator') || t.startsWith('variable'))).toEqual([]);
  });
});
