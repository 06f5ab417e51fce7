/**
 * `fklens`: the same engine as the language server, for the terminal and CI.
 *   fklens model [DIR] [--json] [--include GLOB]... [--exclude GLOB]... [--order auto|name|version]
 *   fklens check [DIR] [--format text|json|sarif|github] [--fail-on error|warning|info|never] [--config FILE] [...]
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { modelJson, type ModelJson } from './model/json';
import type { DiscoveryOptions } from './workspace/discovery';
import { isDialect } from './workspace/dialects';
import { openWorkspace } from './workspace/open';
import { reachMain } from './cli/reach';
import { erdMain } from './cli/erd';
import { locksMain } from './cli/locks';
import type { Workspace } from './workspace/workspace';
import { runCheck, type FailOn } from './cli/check';
import type { CheckFormat } from './cli/formats';

const USAGE = `Usage: fklens <command> [DIR] [options]

Commands:
  model [DIR]    print the foreign-key model of the schema and migration files under DIR (default: .)
  check [DIR]    report the foreign-key problems the editor shows, for CI (settings: DIR/.fklens.json)
  reach TABLE [DIR] [--update]
                 what one DELETE of TABLE's rows (--update: one UPDATE of its key) does through the FKs
  erd [DIR]      draw the ERD as SVG, Mermaid or a standalone HTML page (fklens erd --help)
  locks [DIR]    what each FK migration statement locks, on both tables (fklens locks --help)

Options:
  --json                 machine-readable output (model)
  --format text|json|sarif|github
                         output of check (default text: file:line:col severity rule-id message)
  --fail-on error|warning|info|never
                         check exits with 1 when a finding at or above this severity exists (default error)
  --config FILE          configuration file of check (default DIR/.fklens.json)
  --include GLOB         read only files matching GLOB (repeatable; relative to DIR)
  --exclude GLOB         skip files matching GLOB (repeatable)
  --dialect GLOB=DIALECT  read files matching GLOB as postgres, mysql or sqlite (repeatable)
  --mysql-server mysql|mariadb
                         the server MySQL files target (column-level REFERENCES: ignored by mysql, a key on mariadb)
  --order auto|name|version
                         migration order: as the tool found in each folder (default), by path, or by leading number
  -h, --help             show this help
`;

class UsageError extends Error {}

interface CliArgs {
  command: string;
  dir: string;
  json: boolean;
  options: DiscoveryOptions;
  format: CheckFormat;
  failOn: FailOn;
  config?: string;
}

export function parseArgs(argv: string[]): CliArgs {
  const [command, ...rest] = argv;
  if (!command || command === '-h' || command === '--help') throw new UsageError('');
  if (command !== 'model' && command !== 'check') throw new UsageError(`unknown command '${command}'`);
  const args: CliArgs = { command, dir: '.', json: false, options: { include: [], exclude: [] }, format: 'text', failOn: 'error' };
  let dirSeen = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--json' && command === 'model') args.json = true;
    else if (a === '--format' && command === 'check') {
      const v = value();
      if (v !== 'text' && v !== 'json' && v !== 'sarif' && v !== 'github') throw new UsageError(`--format must be text, json, sarif or github, not '${v}'`);
      args.format = v;
    } else if (a === '--fail-on' && command === 'check') {
      const v = value();
      if (v !== 'error' && v !== 'warning' && v !== 'info' && v !== 'never') throw new UsageError(`--fail-on must be error, warning, info or never, not '${v}'`);
      args.failOn = v;
    } else if (a === '--config' && command === 'check') args.config = value();
    else if (a === '--include') args.options.include!.push(value());
    else if (a === '--exclude') args.options.exclude!.push(value());
    else if (a === '--order') {
      const v = value();
      if (v !== 'auto' && v !== 'name' && v !== 'version') throw new UsageError(`--order must be auto, name or version, not '${v}'`);
      args.options.order = v;
    } else if (a === '--dialect') {
      const v = value();
      const [glob, dialect] = [v.slice(0, v.lastIndexOf('=')), v.slice(v.lastIndexOf('=') + 1)];
      if (!glob || !isDialect(dialect)) throw new UsageError(`--dialect needs GLOB=postgres|mysql|sqlite, not '${v}'`);
      args.options.dialects = { ...args.options.dialects, [glob]: dialect };
    } else if (a === '--mysql-server') {
      const v = value();
      if (v !== 'mysql' && v !== 'mariadb') throw new UsageError(`--mysql-server must be mysql or mariadb, not '${v}'`);
      args.options.mysqlServer = v;
    } else if (a === '-h' || a === '--help') throw new UsageError('');
    else if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'`);
    else if (dirSeen) throw new UsageError(`unexpected argument '${a}'`);
    else {
      args.dir = a;
      dirSeen = true;
    }
  }
  return args;
}


function printModelText(workspace: Workspace, json: ModelJson, out: (line: string) => void): void {
  const model = workspace.model();
  for (const h of model.histories) {
    out(`${h.history.id || '.'}: ${h.history.tool}, ${h.steps.length} file(s), ${h.tables.length} tables, ${h.foreignKeys.length} foreign keys`);
  }
  for (const fk of json.foreignKeys) {
    const flags = [
      fk.indexed ? '' : 'no index',
      fk.validated ? '' : 'NOT VALID',
      fk.deferrable ? (fk.initiallyDeferred ? 'DEFERRABLE INITIALLY DEFERRED' : 'DEFERRABLE') : '',
    ].filter(Boolean);
    out(
      `${fk.location.file}:${fk.location.line}:${fk.location.column}  ${fk.schema}.${fk.table}(${fk.columns.join(', ')}) -> ` +
        `${fk.refSchema}.${fk.refTable}(${fk.refColumns.join(', ')})  ON DELETE ${fk.onDelete}  ON UPDATE ${fk.onUpdate}` +
        (flags.length ? `  [${flags.join(', ')}]` : ''),
    );
  }
  const unindexed = json.foreignKeys.filter((f) => !f.indexed).length;
  out(`${json.foreignKeys.length} foreign keys in ${json.tables.length} tables; ${unindexed} without a usable index.`);
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'reach') return reachMain(argv.slice(1));
  if (argv[0] === 'erd') return erdMain(argv.slice(1));
  if (argv[0] === 'locks') return locksMain(argv.slice(1));
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      if (e.message) {
        process.stderr.write(`fklens: ${e.message} (see fklens --help)\n`);
        return 2;
      }
      process.stdout.write(USAGE);
      return 0;
    }
    throw e;
  }
  const dir = resolve(args.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    process.stderr.write(`fklens: ${args.dir}: no such directory\n`);
    return 2;
  }
  if (args.command === 'check') {
    if (args.config && !existsSync(resolve(args.config))) {
      process.stderr.write(`fklens: ${args.config}: no such file\n`);
      return 2;
    }
    const flags = {
      migrations: {
        ...(args.options.include?.length ? { include: args.options.include } : {}),
        ...(args.options.exclude?.length ? { exclude: args.options.exclude } : {}),
        ...(args.options.order ? { order: args.options.order } : {}),
      },
    };
    const result = await runCheck({ dir, format: args.format, failOn: args.failOn, configFile: args.config, flags, version: process.env.FKLENS_VERSION ?? 'dev' });
    process.stdout.write(result.stdout && !result.stdout.endsWith('\n') ? result.stdout + '\n' : result.stdout);
    for (const line of result.stderr) process.stderr.write(`fklens: ${line}\n`);
    return result.exitCode;
  }
  const workspace = await openWorkspace(dir, args.options);
  const json = modelJson(workspace.model());
  if (args.json) process.stdout.write(JSON.stringify(json, null, 2) + '\n');
  else printModelText(workspace, json, (line) => process.stdout.write(line + '\n'));
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`fklens: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 3;
    },
  );
}
