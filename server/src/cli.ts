/**
 * `fklens`: the same engine as the language server, for the terminal and CI.
 *
 *   fklens <command> [arguments] [options]     options may come before or after the command
 *   fklens help <command> | fklens <command> --help | fklens --version
 *
 * Adding a command: a file `cli/<name>.ts` exporting either a `Command` made with `defineCommand` (options,
 * help, examples and exit codes declared once; see cli/check.ts) or `<name>Main(argv)` that parses its own
 * arguments, and one line in COMMANDS below.
 */
import './heap';
import { checkCommand } from './cli/check';
import { columns, type Command } from './cli/command';
import { erdCommand } from './cli/erd';
import { locksCommand } from './cli/locks';
import { modelCommand } from './cli/model';
import { reachCommand } from './cli/reach';
import { didYouMean } from './cli/suggest';
import { escapeTerminal, processIo, type CliIo } from './cli/terminal';

export const COMMANDS: Command[] = [
  modelCommand,
  checkCommand,
  reachCommand,
  erdCommand,
  locksCommand,
];

export const VERSION = process.env.FKLENS_VERSION ?? 'dev';

function usage(): string {
  return `Usage: fklens <command> [arguments] [options]

See what your foreign keys do, from your schema and migration files, without a database.

Commands:
${columns(COMMANDS.map((c) => [c.name, c.summary]))}

  fklens help <command>     that command's options, examples and exit codes (also: fklens <command> --help)
  fklens --version, -v      the version

Options go before or after the command, as --opt value or --opt=value. Paths are printed relative to the
current directory. Exit codes: 0 success, 1 findings at or above --fail-on (check), 2 usage or input error,
3 internal error.
`;
}

/**
 * The command and its arguments: the first argument that is neither an option nor an option's value (known
 * from the options of every command) is the command; options written before it are passed after it.
 */
export function splitCommand(argv: string[]): { command?: string; rest: string[] } {
  const takesValue = new Set<string>();
  for (const c of COMMANDS) {
    for (const [name, o] of Object.entries(c.options ?? {})) {
      if (o.type !== 'string') continue;
      takesValue.add(`--${name}`);
      if (o.short) takesValue.add(`-${o.short}`);
    }
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (a.startsWith('-') && a !== '-') {
      if (!a.includes('=') && takesValue.has(a)) i++;
      continue;
    }
    return { command: a, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { rest: argv };
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const { command, rest } = splitCommand(argv);
  if (command === undefined) {
    if (rest.includes('--version') || rest.includes('-v')) {
      io.out(`${VERSION}\n`);
      return 0;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(usage());
      return 0;
    }
    // No command: the help, on standard error, and a usage error (as git and npm do).
    io.err(usage());
    if (rest.length) io.err(`\nfklens: no command given (${escapeTerminal(rest.join(' '))})\n`);
    return 2;
  }
  if (command === 'help') {
    const [name] = rest.filter((a) => !a.startsWith('-'));
    if (name === undefined) {
      io.out(usage());
      return 0;
    }
    const target = COMMANDS.find((c) => c.name === name);
    if (!target) return unknown(name, io);
    return target.main(['--help'], io);
  }
  const target = COMMANDS.find((c) => c.name === command);
  if (!target) return unknown(command, io);
  return target.main(rest, io);
}

function unknown(name: string, io: CliIo): number {
  io.err(`fklens: unknown command '${escapeTerminal(name)}'${didYouMean(name, [...COMMANDS.map((c) => c.name), 'help'])} (see fklens --help)\n`);
  return 2;
}

if (require.main === module) {
  const io = processIo();
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      io.err(`fklens: internal error: ${escapeTerminal(String((e as Error).stack ?? e))}\n`);
      process.exitCode = 3;
    },
  );
}
