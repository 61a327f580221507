// The shape every `tagsmith <verb>` implements, and the error type verbs throw for usage mistakes.

export interface Command {
  /** The verb, e.g. `check`. */
  name: string;
  /** One line for `tagsmith --help`. */
  summary: string;
  /** Full help text printed by `tagsmith <verb> --help`. */
  help: string;
  /** Runs the verb; resolves to the process exit code. */
  run(args: string[], io: CommandIO): Promise<number>;
}

export interface CommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** A mistake in how the command was called: printed without a stack trace, exit code 2. */
export class UsageError extends Error {}

/** A failure the user can act on (unreadable file, bad model folder): printed without a stack trace. */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}
