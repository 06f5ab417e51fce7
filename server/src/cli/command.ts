/**
 * How a command of `fklens` is declared, parsed and explained. A command is one `CommandSpec`: its options,
 * arguments, help text, examples and exit codes in one place; `defineCommand` turns it into a `Command` whose
 * argument parsing (node's util.parseArgs: `--opt value` and `--opt=value`, short aliases, repeatable options)
 * and `--help` come from the spec. A command that parses its own arguments can register a plain
 * `{ name, summary, main }` instead (see cli.ts).
 */
import { parseArgs } from 'node:util';
import { didYouMean } from './suggest';
import { escapeTerminal, type CliIo } from './terminal';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** The value's name in the help (`GLOB`, `FILE`); for `choices`, the choices are shown. */
  value?: string;
  choices?: readonly string[];
  help: string;
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface ParsedArgs {
  values: OptionValues;
  positionals: string[];
}

export interface CommandSpec {
  name: string;
  /** One line for `fklens --help`. */
  summary: string;
  /** After `fklens `: `check [TARGET...] [options]`. */
  usage: string;
  description: string;
  arguments?: [string, string][];
  /** How many positional arguments it takes. */
  positionals: { min: number; max: number };
  options: Record<string, OptionSpec>;
  examples: [string, string][];
  exitCodes: [number, string][];
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

export interface Command {
  name: string;
  summary: string;
  /** Runs the command on the arguments after its name (options written before the name are moved after it). */
  main(argv: string[], io: CliIo): Promise<number>;
  /** Its options, so `fklens --include x check` can be routed (commands that parse their own may leave it out). */
  options?: Record<string, OptionSpec>;
}

/** A mistake on the command line: exit code 2 with one line on standard error. */
export class UsageError extends Error {}

/** A problem with what the command was asked to read (a missing target, a bad --config): exit code 2. */
export class InputError extends Error {}

export const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help' };

export function defineCommand(spec: CommandSpec): Command & { spec: CommandSpec } {
  const options = { ...spec.options, help: HELP_OPTION };
  return {
    name: spec.name,
    summary: spec.summary,
    options,
    spec,
    async main(argv, io) {
      let args: ParsedArgs;
      try {
        args = parseCommandArgs(spec.name, options, spec.positionals, argv);
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        io.err(`fklens ${spec.name}: ${escapeTerminal(e.message)} (see fklens ${spec.name} --help)\n`);
        return 2;
      }
      if (args.values.help) {
        io.out(commandHelp(spec));
        return 0;
      }
      try {
        return await spec.run(args, io);
      } catch (e) {
        if (!(e instanceof UsageError) && !(e instanceof InputError)) throw e;
        io.err(`fklens ${spec.name}: ${escapeTerminal(e.message)}${e instanceof UsageError ? ` (see fklens ${spec.name} --help)` : ''}\n`);
        return 2;
      }
    },
  };
}

/** The options of `argv`, checked against the spec: unknown options (with a suggestion), missing values, choices. */
export function parseCommandArgs(command: string, options: Record<string, OptionSpec>, positionals: { min: number; max: number }, argv: string[]): ParsedArgs {
  const config = Object.fromEntries(
    Object.entries(options).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }]),
  );
  const parsed = parseArgs({ args: argv, options: config, strict: false, allowPositionals: true, tokens: true });
  const values: OptionValues = {};
  const spelled = (t: { rawName: string }) => t.rawName;
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue;
    const spec = options[token.name];
    if (!spec) {
      const names = Object.keys(options).map((n) => `--${n}`);
      const hint = token.rawName.startsWith('--') ? didYouMean(token.rawName, names) : '';
      throw new UsageError(`unknown option '${token.rawName}'${hint}`);
    }
    if (spec.type === 'boolean') {
      if (token.inlineValue) throw new UsageError(`${spelled(token)} takes no value`);
      values[token.name] = true;
      continue;
    }
    const v = token.value;
    if (v === undefined || (!token.inlineValue && v.startsWith('-') && v !== '-')) throw new UsageError(`${spelled(token)} needs a value${spec.value ? ` (${spec.value})` : ''}`);
    if (spec.choices && !spec.choices.includes(v)) throw new UsageError(`${spelled(token)} must be ${spec.choices.join(', ')}, not '${v}'${didYouMean(v, spec.choices)}`);
    if (spec.multiple) values[token.name] = [...((values[token.name] as string[] | undefined) ?? []), v];
    else values[token.name] = v;
  }
  const rest = parsed.positionals;
  if (!values.help) {
    if (rest.length < positionals.min) throw new UsageError(`${command} needs ${positionals.min === 1 ? 'an argument' : `${positionals.min} arguments`}`);
    if (rest.length > positionals.max) throw new UsageError(`unexpected argument '${rest[positionals.max]}'`);
  }
  return { values, positionals: rest };
}

function optionLabel(name: string, o: OptionSpec): string {
  const flag = `${o.short ? `-${o.short}, ` : ''}--${name}`;
  if (o.type === 'boolean') return flag;
  return `${flag} ${o.choices ? o.choices.join('|') : (o.value ?? 'VALUE')}`;
}

/** Two columns: labels padded to the longest (up to 30), long labels on their own line. */
export function columns(rows: [string, string][], indent = '  '): string {
  const width = Math.min(30, Math.max(...rows.map(([l]) => l.length)));
  return rows
    .map(([label, text]) => (label.length > width ? `${indent}${label}\n${indent}${' '.repeat(width + 2)}${text}` : `${indent}${label.padEnd(width + 2)}${text}`))
    .join('\n');
}

/** `fklens help CMD` / `fklens CMD --help`: usage, description, arguments, options, examples, exit codes. */
export function commandHelp(spec: CommandSpec): string {
  const options = { ...spec.options, help: HELP_OPTION };
  const parts = [`Usage: fklens ${spec.usage}`, spec.description.trim()];
  if (spec.arguments?.length) parts.push(`Arguments:\n${columns(spec.arguments)}`);
  parts.push(`Options:\n${columns(Object.entries(options).map(([name, o]) => [optionLabel(name, o), o.help + (o.multiple ? ' (repeatable)' : '')]))}`);
  parts.push(`Example${spec.examples.length > 1 ? 's' : ''}:\n${spec.examples.map(([cmd, what]) => `  ${cmd}\n      ${what}`).join('\n')}`);
  parts.push(`Exit codes:\n${columns(spec.exitCodes.map(([code, what]) => [String(code), what]))}`);
  return parts.join('\n\n') + '\n';
}
