/**
 * `fklens locks [DIR] [--json]`: for every statement of a PostgreSQL migration history that touches a table taking
 * part in a foreign key, the lock each table gets (the strongest mode per table), what that blocks, and whether
 * the table is scanned or rewritten under it (model/replay/locks.ts). `--json` prints
 *   {"statements": [{"file", "line", "column", "statement", "locks": [{"schema", "table", "mode", "blocks", "scan"}]}]}
 * with `blocks` a list of `reads` / `writes` / `ddl` and `scan` one of `none` / `scan` / `rewrite`.
 */
import { join } from 'node:path';
import type { StatementLocks } from '../model/replay';
import { lockBlocks } from '../model/replay/lockModes';
import type { WorkspaceModel } from '../workspace/workspace';
import { defineCommand } from './command';
import { openSingleProject, PROJECT_OPTIONS } from './project';
import { displayPath, escapeTerminal, processIo, quotePath } from './terminal';

export interface LocksJson {
  statements: {
    file: string;
    line: number;
    column: number;
    statement: string;
    locks: { schema: string; table: string; mode: string; blocks: string[]; scan: string }[];
  }[];
}

/** Every recorded statement of every PostgreSQL history, in migration order (history by history). `path` shows a file as the command prints paths. */
export function locksJson(model: WorkspaceModel, path: (file: string) => string = (f) => f): LocksJson {
  const statements: LocksJson['statements'] = [];
  for (const history of model.histories) for (const s of history.locks) statements.push(statementJson(model, s, path));
  return { statements };
}

function statementJson(model: WorkspaceModel, s: StatementLocks, path: (file: string) => string): LocksJson['statements'][number] {
  const p = model.sources.get(s.file)?.lines.position(s.statement.start);
  return {
    file: path(s.file),
    line: (p?.line ?? 0) + 1,
    column: (p?.character ?? 0) + 1,
    statement: s.summary,
    locks: s.locks.map((l) => ({ schema: l.schema, table: l.table, mode: l.mode, blocks: lockBlocks(l.mode), scan: l.scan })),
  };
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
        i === 0 ? `${quotePath(s.file)}:${s.line}:${s.column}` : '',
        i === 0 ? escapeTerminal(statement) : '',
        escapeTerminal(l.schema === 'public' ? l.table : `${l.schema}.${l.table}`),
        l.mode,
        BLOCKS_TEXT(l.blocks),
        SCAN_TEXT[l.scan] ?? l.scan,
      ]);
    });
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => [...r[c]].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell + ' '.repeat(widths[c] - [...cell].length))).join('  ').trimEnd());
}

export const locksCommand = defineCommand({
  name: 'locks',
  summary: 'what each FK migration statement locks, on both tables of the FK',
  usage: 'locks [DIR] [options]',
  description: `For every statement of the PostgreSQL migrations under DIR (default: .) that touches a table taking
part in a foreign key: the lock PostgreSQL takes on each table (both sides of the FK, the strongest mode per
table), what it blocks while held or waited for (reads, writes, DDL), and whether the table is scanned or
rewritten under it. --json prints {"statements": [{file, line, column, statement, locks: [{schema, table,
mode, blocks, scan}]}]}.`,
  arguments: [['DIR', 'the project folder (default .)']],
  positionals: { min: 0, max: 1 },
  options: { json: { type: 'boolean', help: 'machine-readable output' }, ...PROJECT_OPTIONS },
  examples: [
    ['fklens locks', 'the locks of every FK statement of the migrations under the current directory'],
    ['fklens locks db --json | jq \'.statements[] | select(any(.locks[]; .mode == "ACCESS EXCLUSIVE"))\'', 'the statements that block reads'],
  ],
  exitCodes: [
    [0, 'printed'],
    [2, 'usage error, missing DIR, no schema or migration files under DIR, missing or invalid --config'],
    [3, 'internal error'],
  ],
  async run(args, io) {
    const cwd = process.cwd();
    const project = await openSingleProject(args.positionals, args.values, (text) => io.err(text), cwd);
    const model = project.workspace.model();
    const json = locksJson(model, (file) => displayPath(join(project.root, ...file.split('/')), cwd));
    if (args.values.json) {
      io.out(JSON.stringify(json, null, 2) + '\n');
      return 0;
    }
    const others = model.histories.filter((h) => (h.history.dialect ?? 'postgres') !== 'postgres').length;
    if (others) io.err(`fklens locks: lock modes are PostgreSQL's: ${others} MySQL / SQLite / CockroachDB ${others === 1 ? 'history is' : 'histories are'} not shown\n`);
    if (!json.statements.length) {
      io.out(`No statement of the PostgreSQL migrations under ${quotePath(displayPath(project.root, cwd))} locks a table that takes part in a foreign key.\n`);
      return 0;
    }
    io.out(locksTable(json).join('\n') + '\n');
    io.out(`${json.statements.length} statement(s), ${json.statements.reduce((n, s) => n + s.locks.length, 0)} table lock(s).\n`);
    return 0;
  },
});

/** `fklens locks ...` (the arguments after `locks`). */
export const locksMain = (argv: string[], io = processIo()) => locksCommand.main(argv, io);
