// Inlay hints: each prompt's token count at the end of its text, as A1111 shows it (`42/75`, `97/150`);
// `~` marks an estimate.
import { InlayHintKind, type InlayHint, type Range } from 'vscode-languageserver';
import type { Analysis } from '../analysis';
import { CHUNK_LENGTH } from '../tokens';

export function inlayHints(analysis: Analysis, range: Range): InlayHint[] {
  const { doc } = analysis;
  const from = doc.lines.offsetAt(range.start);
  const to = doc.lines.offsetAt(range.end);
  const hints: InlayHint[] = [];
  for (const block of doc.blocks) {
    if (block.node.end < from || block.node.start > to) continue;
    for (const section of [block.prompt, block.negative]) {
      if (!section || section.tags.length === 0) continue;
      const lastTag = section.tags[section.tags.length - 1]!.node;
      const line = doc.lines.lineAt(lastTag.end);
      const at = doc.lines.lineContentEnd(line);
      if (at < from || at > to) continue;
      const tokens = analysis.tokens(section);
      // A1111's counter: N / the next multiple of 75 (get_target_prompt_token_count).
      const limit = Math.ceil(Math.max(tokens.tokenCount, 1) / CHUNK_LENGTH) * CHUNK_LENGTH;
      const mark = tokens.estimated ? '~' : '';
      const chunks = tokens.chunks.length > 1 ? ` · ${tokens.chunks.length} chunks (${tokens.chunks.map((c) => c.tokens).join(' + ')})` : '';
      hints.push({
        position: doc.lines.positionAt(at),
        label: `${mark}${tokens.tokenCount}/${limit}`,
        kind: InlayHintKind.Parameter,
        paddingLeft: true,
        tooltip: `${section.kind === 'prompt' ? 'Prompt' : 'Negative prompt'}: ${tokens.tokenCount} tokens${chunks}${tokens.estimated ? '. Estimated: set tagsmith.tokenizerPath or tagsmith.modelPath for exact counts.' : ''}`,
      });
    }
  }
  return hints;
}
