// Entry point of the `tagsmith` command: dispatches to a verb, turns errors into messages and exit codes.
import { commands } from './commands/index';
import { UsageError, UserError, type CommandIO } from './command';

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: tagsmith <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `tagsmith <command> --help` for the options of a command.',
  ].join('\n');
}

export async function main(argv: string[], io: CommandIO): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
    io.stdout(usage() + '\n');
    return verb ? 0 : 2;
  }
  if (verb === '--version' || verb === '-v') {
    io.stdout(`${TAGSMITH_VERSION}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === verb);
  if (!command) {
    io.stderr(`tagsmith: unknown command '${verb}'\n\n${usage()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.help.trimEnd() + '\n');
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`tagsmith ${verb}: ${error.message}\nRun \`tagsmith ${verb} --help\` for usage.\n`);
      return 2;
    }
    if (error instanceof UserError) {
      io.stderr(`tagsmith ${verb}: ${error.message}\n`);
      return error.exitCode;
    }
    // node:util parseArgs reports unknown or malformed options with these codes.
    const code = (error as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      io.stderr(`tagsmith ${verb}: ${(error as Error).message}\nRun \`tagsmith ${verb} --help\` for usage.\n`);
      return 2;
    }
    io.stderr(`tagsmith ${verb}: internal error: ${(error as Error).message ?? String(error)}\n`);
    return 70;
  }
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

if (require.main === module) {
  const io: CommandIO = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    readStdin,
    env: process.env,
    cwd: process.cwd(),
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`tagsmith: internal error: ${String(error)}\n`);
      process.exitCode = 70;
    },
  );
}
