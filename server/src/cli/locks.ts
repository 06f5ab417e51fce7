/**
 * `fklens locks [DIR] [--json]`: for every statement of a PostgreSQL migration history that touches a table taking
 * part in a foreign key, the lock each table gets (the strongest mode per table), what that blocks, and whether
 * the table is scanned or rewritten under it (model/replay/locks.ts). `--json` prints
 *   {"statements": [{"file", "line", "column", "statement", "locks": [{"schema", "table", "mode", "blocks", "scan"}]}]}
 * with `blocks` a list of `reads` / `writes` / `ddl` and `scan` one of `none` / `scan` / `rewrite`.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { StatementLocks } from '../model/replay';
import { lockBlocks } from '../model/replay/lockModes';
import type { DiscoveryOptions } from '../workspace/discovery';
import { openWorkspace } from '../workspace/open';
import type { WorkspaceModel } from '../workspace/workspace';

export const LOCKS_USAGE = `Usage: fklens locks [DIR] [--json] [--include GLOB]... [--exclude GLOB]... [--order auto|name|version]

For every statement of the PostgreSQL migrations under DIR (default: .) that touches a table taking part in a
foreign key: the lock PostgreSQL takes on each table (both sides of the FK), what it blocks while held or
waited for (reads, writes, DDL), and whether the table is scanned or rewritten under it.
`;

interface LocksArgs {
  dir: string;
  json: boolean;
  options: DiscoveryOptions;
}

class LocksUsageError extends Error {}

export function parseLocksArgs(argv: string[]): LocksArgs {
  const args: LocksArgs = { dir: '.', json: false, options: { include: [], exclude: [] } };
  let dirSeen = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new LocksUsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--json') args.json = true;
    else if (a === '--include') args.options.include!.push(value());
    else if (a === '--exclude') args.options.exclude!.push(value());
    else if (a === '--order') {
      const v = value();
      if (v !== 'auto' && v !== 'name' && v !== 'version') throw new LocksUsageError(`--order must be auto, name or version, not '${v}'`);
      args.options.order = v;
    } else if (a === '-h' || a === '--help') throw new LocksUsageError('');
    else if (a.startsWith('-')) throw new LocksUsageError(`unknown option '${a}'`);
    else if (dirSeen) throw new LocksUsageError(`unexpected argument '${a}'`);
    else {
      args.dir = a;
      dirSeen = true;
    }
  }
  return args;
}

export interface LocksJson {
  statements: {
    file: string;
    line: number;
    column: number;
    statement: string;
    locks: { schema: string; table: string; mode: string; blocks: string[]; scan: string }[];
  }[];
}

/** Every recorded statement of every PostgreSQL history, in migration order (history by history). */
export function locksJson(model: WorkspaceModel): LocksJson {
  const statements: LocksJson['statements'] = [];
  for (const history of model.histories) {
    for (const s of history.locks) statements.push(statementJson(model, s));
  }
  return { statements };
}

function statementJson(model: WorkspaceModel, s: StatementLocks): LocksJson['statements'][number] {
  const p = model.sources.get(s.file)?.lines.position(s.statement.start);
  return {
    file: s.file,
    line: (p?.line ?? 0) + 1,
    column: (p?.character ?? 0) + 1,
    statement: s.summary,
    locks: s.locks.map((l) => ({ schema: l.schema, table: l.table, mode: l.mode, blocks: lockBlocks(l.mode), scan: l.scan })),
  };
}

/**
 * Control characters and the bidirectional controls shown as visible escapes, so that a name from a file
 * cannot move the cursor, rewrite the terminal or start a line that looks like output.
 * (A local twin of the terminal escaping the cli helper is adding to cli/; to be replaced by it.)
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
export function escapeTerminalText(text: string): string {
  return text.replace(UNSAFE, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\x1b' ? '\\e' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

const BLOCKS_TEXT = (blocks: string[]) => blocks.map((b) => (b === 'ddl' ? 'DDL' : b)).join(', ');
const SCAN_TEXT: Record<string, string> = { none: '-', scan: 'scan', rewrite: 'rewrite' };

/** One row per table a statement locks; the location and statement on the statement's first row. */
export function locksTable(json: LocksJson, maxStatement = 72): string[] {
  const rows: string[][] = [['LOCATION', 'STATEMENT', 'TABLE', 'MODE', 'BLOCKS', 'SCAN']];
  for (const s of json.statements) {
    const statement = s.statement.length > maxStatement ? `${s.statement.slice(0, maxStatement - 1)}…` : s.statement;
    s.locks.forEach((l, i) => {
      rows.push([
        i === 0 ? `${s.file}:${s.line}:${s.column}` : '',
        i === 0 ? statement : '',
        l.schema === 'public' ? l.table : `${l.schema}.${l.table}`,
        l.mode,
        BLOCKS_TEXT(l.blocks),
        SCAN_TEXT[l.scan] ?? l.scan,
      ].map(escapeTerminalText));
    });
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => [...r[c]].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell + ' '.repeat(widths[c] - [...cell].length))).join('  ').trimEnd());
}

export async function locksMain(argv: string[], out = process.stdout, err = process.stderr): Promise<number> {
  let args: LocksArgs;
  try {
    args = parseLocksArgs(argv);
  } catch (e) {
    if (!(e instanceof LocksUsageError)) throw e;
    if (!e.message) {
      out.write(LOCKS_USAGE);
      return 0;
    }
    err.write(`fklens: ${e.message} (see fklens locks --help)\n`);
    return 2;
  }
  const dir = resolve(args.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    err.write(`fklens: ${escapeTerminalText(args.dir)}: no such directory\n`);
    return 2;
  }
  const workspace = await openWorkspace(dir, args.options);
  const model = workspace.model();
  const json = locksJson(model);
  if (args.json) {
    out.write(JSON.stringify(json, null, 2) + '\n');
    return 0;
  }
  const postgres = model.histories.filter((h) => (h.history.dialect ?? 'postgres') === 'postgres');
  const others = model.histories.length - postgres.length;
  if (others) err.write(`fklens: lock modes are PostgreSQL's: ${others} MySQL / SQLite / CockroachDB ${others === 1 ? 'history is' : 'histories are'} not shown\n`);
  if (!json.statements.length) {
    out.write(`No statement of the PostgreSQL migrations under ${escapeTerminalText(args.dir)} locks a table that takes part in a foreign key.\n`);
    return 0;
  }
  out.write(locksTable(json).join('\n') + '\n');
  const tables = json.statements.reduce((n, s) => n + s.locks.length, 0);
  out.write(`${json.statements.length} statement(s), ${tables} table lock(s).\n`);
  return 0;
}
