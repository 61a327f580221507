// What the features share about one document version: the parse tree, and token counts computed on demand.
import { blockSteps, type SeverityOverrides } from '../checks';
import { parseDocument, type SdDocument } from '../parse';
import type { PromptSection } from '../parse/tree';
import type { Profile } from '../profiles/profile';
import type { TagIndex } from '../dictionary/dictionary';
import type { PromptStyle } from '../a1111/styles';
import type { NetworkCatalog } from '../networks';
import type { WildcardCatalog } from '../template/catalog';
import type { WildcardLibrary } from '../template/wildcards';
import { countPromptTokensCached, type PromptTokens, type TokenSource } from './tokens';

export class Analysis {
  readonly doc: SdDocument;
  private readonly tokenCache = new Map<PromptSection, PromptTokens>();

  constructor(
    readonly text: string,
    private readonly tokenSource: TokenSource,
    /** Steps for a block without `Steps:`: the profile's recommendation (A1111's counter uses the slider's). */
    private readonly defaultSteps = 20,
    /** The user's wildcards, which a Dynamic Prompts section's expansions (and so its count) draw from. */
    private readonly wildcards?: WildcardLibrary,
  ) {
    this.doc = parseDocument(text);
  }

  tokens(section: PromptSection): PromptTokens {
    let counted = this.tokenCache.get(section);
    if (!counted) {
      counted = countPromptTokensCached(this.text, section, this.tokenSource, this.stepsOf(section), this.wildcards);
      this.tokenCache.set(section, counted);
    }
    return counted;
  }

  private stepsBySection: Map<PromptSection, number> | undefined;

  /** The step count A1111 expands a section's schedule with: its block's `Steps:`, else the default. */
  stepsOf(section: PromptSection): number {
    if (!this.stepsBySection) {
      this.stepsBySection = new Map();
      for (const block of this.doc.blocks) {
        const steps = blockSteps(block, this.defaultSteps);
        if (block.prompt) this.stepsBySection.set(block.prompt, steps);
        if (block.negative) this.stepsBySection.set(block.negative, steps);
      }
    }
    return this.stepsBySection.get(section) ?? this.defaultSteps;
  }
}

/** Everything beyond the document that the service's features read: the profile, options and resources. */
export interface ServiceContext {
  profile: Profile;
  /** Severity overrides by rule code (`tagsmith.diagnostics.severity`). */
  severity: SeverityOverrides;
  /** The backend that renders previews: with `builtin`, what it cannot render is reported. */
  backend?: 'builtin' | 'url';
  /** Completion inserts tags with underscores as the dictionary writes them. */
  keepUnderscores: boolean;
  dictionaries: readonly TagIndex[];
  /** Tags used in the workspace's .sdprompt files (normalised as the profile normalises) → uses. */
  workspaceTags: ReadonlyMap<string, number>;
  /** LoRA names (file names without `.safetensors`) from the LoRA folders. */
  loraNames: readonly string[];
  /** The indexed networks and embeddings with their metadata (empty when no folder is set). */
  networks?: NetworkCatalog;
  /** sd-dynamic-prompts wildcards of the user's wildcard folders. */
  wildcards?: WildcardCatalog;
  /** A1111 styles from the user's styles.csv, by name. */
  styles?: ReadonlyMap<string, PromptStyle>;
  /** A1111's token count of a prompt text (what the status bar shows), for texts that are no section. */
  countTokens?: (prompt: string) => number;
  /** A preview image as a URI a hover can show (a data: URI), or undefined when it cannot be had. */
  previewUri?: (file: string) => string | undefined;
  /** The client runs VS Code's editor commands (`editor.action.triggerSuggest`); others would reject them. */
  vscodeCommands?: boolean;
}
