/**
 * `fklens reach TABLE [DIR] [--update] [--json]`: what one DELETE of TABLE's rows (or, with --update, one
 * UPDATE of its key) does to the rest of the database, as the hover shows it: a summary line and the tree.
 * `--json` prints flat lists beside the tree:
 *   {"table","operation","deletes":[{"schema","table","depth","via"}],"setsNull":[{"schema","table","columns","via"}],
 *    "setsDefault":[...],"blockedBy":[{"schema","table","columns","action","checkedAt","deletedAt"?,"via"}],
 *    "conflicts":[{"schema","table","level","cascade","other","decidedBy","firstInHistory","failure"}],"tree":{...},
 *    "depth","cycles","truncated"}
 * (plus "updates" for --update: the tables whose FK columns ON UPDATE CASCADE rewrites). The lists are
 * complete; the tree is cut at 5000 nodes ("truncated"). Built and printed without recursion: a chain of any
 * depth prints (nesting deeper than 32 levels is not indented further).
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { computeReach, type Reach, type ReachEntry, type ReachNode } from '../analysis/reach';
import type { HistoryModel } from '../model/replay';
import type { ForeignKey, Table } from '../model/schema';
import { reachLines } from '../features/reachView';
import { lookupTable } from '../features/target';
import type { DiscoveryOptions } from '../workspace/discovery';
import { openWorkspace } from '../workspace/open';
import type { WorkspaceModel } from '../workspace/workspace';

export const REACH_USAGE = `Usage: fklens reach TABLE [DIR] [--update] [--json] [--include GLOB]... [--exclude GLOB]... [--order auto|name|version]

Prints what one DELETE of TABLE's rows does through the foreign keys (with --update: one UPDATE of its key):
the tables cascades delete, the columns set to NULL / DEFAULT, and the FKs that block the statement.
TABLE is a table name, schema-qualified or not (public first).
`;

interface ReachArgs {
  table: string;
  dir: string;
  operation: 'DELETE' | 'UPDATE';
  json: boolean;
  options: DiscoveryOptions;
}

class ReachUsageError extends Error {}

export function parseReachArgs(argv: string[]): ReachArgs {
  const positional: string[] = [];
  const args: ReachArgs = { table: '', dir: '.', operation: 'DELETE', json: false, options: { include: [], exclude: [] } };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new ReachUsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--json') args.json = true;
    else if (a === '--update') args.operation = 'UPDATE';
    else if (a === '--include') args.options.include!.push(value());
    else if (a === '--exclude') args.options.exclude!.push(value());
    else if (a === '--order') {
      const v = value();
      if (v !== 'auto' && v !== 'name' && v !== 'version') throw new ReachUsageError(`--order must be auto, name or version, not '${v}'`);
      args.options.order = v;
    } else if (a === '-h' || a === '--help') throw new ReachUsageError('');
    else if (a.startsWith('-')) throw new ReachUsageError(`unknown option '${a}'`);
    else positional.push(a);
  }
  if (!positional.length) throw new ReachUsageError('reach needs a TABLE');
  if (positional.length > 2) throw new ReachUsageError(`unexpected argument '${positional[2]}'`);
  args.table = positional[0];
  if (positional[1]) args.dir = positional[1];
  return args;
}

/** `users` or `billing.users`; a quoted part keeps its case and dots, an unquoted one folds to lower case (as SQL reads it) unless `foldCase` is false. */
export function parseTableName(text: string, foldCase = true): { schema?: string; name: string } {
  const parts: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|([^."]+))\s*(\.|$)/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text))) {
    parts.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : foldCase ? m[2].trim().toLowerCase() : m[2].trim());
    if (!m[3]) break;
  }
  return parts.length >= 2 ? { schema: parts[parts.length - 2], name: parts[parts.length - 1] } : { name: parts[0] ?? text };
}

/**
 * The tables a name given on the command line means: as SQL reads it (unquoted parts fold to lower case), or,
 * when nothing matches, as typed: `fklens reach User` finds Prisma's "User" without shell-quoted double quotes.
 */
export function findTables(model: WorkspaceModel, text: string): { history: HistoryModel; table: Table }[] {
  const lookup = (name: { schema?: string; name: string }) =>
    model.histories.flatMap((h) => {
      const table = lookupTable(h, name);
      return table ? [{ history: h, table }] : [];
    });
  const found = lookup(parseTableName(text));
  if (found.length || /"/.test(text)) return found;
  return lookup(parseTableName(text, false));
}

// ---------------------------------------------------------------------------------------------------------
// JSON

export function reachJson(model: WorkspaceModel, history: HistoryModel, reach: Reach) {
  const tables = history.tableById;
  const location = (fk: ForeignKey) => {
    const p = model.sources.get(fk.location.file)?.lines.position(fk.location.span.start);
    return { file: fk.location.file, line: (p?.line ?? 0) + 1, column: (p?.character ?? 0) + 1 };
  };
  const via = (fk: ForeignKey) => {
    const child = tables.get(fk.tableId);
    const parent = tables.get(fk.refTableId);
    return {
      name: fk.name,
      schema: child?.schema,
      table: child?.name,
      columns: fk.columns,
      refSchema: parent?.schema,
      refTable: parent?.name,
      refColumns: fk.refColumns,
      onDelete: fk.onDelete,
      onUpdate: fk.onUpdate,
      deferrable: fk.deferrable,
      initiallyDeferred: fk.initiallyDeferred,
      location: location(fk),
    };
  };
  const named = (t: Table) => ({ schema: t.schema, table: t.name });
  const entry = (e: ReachEntry) => ({ ...named(e.table), columns: e.columns, via: via(e.via) });
  const node = (n: ReachNode): Record<string, unknown> => ({
    effect: n.effect,
    ...named(n.table),
    columns: n.columns,
    depth: n.depth,
    via: via(n.via),
    ...(n.cycle ? { cycle: true } : {}),
    ...(n.repeated ? { repeated: true } : {}),
    ...(n.timing ? { timing: n.timing } : {}),
    ...(n.deletedAt !== undefined ? { deletedAt: n.deletedAt } : {}),
    ...(n.checkedAt ? { checkedAt: n.checkedAt } : {}),
    ...(n.conflict ? { conflict: true } : {}),
  });
  // The tree, breadth first with an explicit queue: each JSON node gets its children array filled in turn.
  const tree: Record<string, unknown>[] = [];
  const queue: { nodes: ReachNode[]; into: Record<string, unknown>[] }[] = [{ nodes: reach.children, into: tree }];
  for (let head = 0; head < queue.length; head++) {
    for (const n of queue[head].nodes) {
      const children: Record<string, unknown>[] = [];
      queue[head].into.push({ ...node(n), children });
      if (n.children.length) queue.push({ nodes: n.children, into: children });
    }
  }
  const fkName = (fk: ForeignKey) => fk.name;
  return {
    table: `${reach.root.schema}.${reach.root.name}`,
    operation: reach.operation,
    deletes: reach.deletes.map((e) => ({ ...named(e.table), depth: e.depth, via: via(e.via) })),
    ...(reach.operation === 'UPDATE' ? { updates: reach.updates.map((e) => ({ ...named(e.table), columns: e.columns, depth: e.depth, via: via(e.via) })) } : {}),
    setsNull: reach.setsNull.map(entry),
    setsDefault: reach.setsDefault.map(entry),
    blockedBy: reach.blockedBy.map((b) => ({ ...entry(b), action: b.action, checkedAt: b.checkedAt, ...(b.deletedAt !== undefined ? { deletedAt: b.deletedAt } : {}) })),
    conflicts: reach.conflicts.map((c) => ({
      ...named(c.table),
      level: c.level,
      cascade: via(c.cascade),
      other: via(c.other),
      decidedBy: c.decidedBy.map(fkName),
      firstInHistory: c.firstInHistory,
      failure: c.failure,
    })),
    tree: { ...named(reach.root), children: tree },
    depth: reach.depth,
    cycles: reach.cycleCount,
    truncated: reach.truncated,
  };
}

/** Past this nesting depth the JSON text is not indented further (a 5,000-deep tree would otherwise print gigabytes of spaces). */
const MAX_INDENT_LEVELS = 32;

/**
 * JSON text of plain data (objects, arrays, strings, numbers, booleans, null), indented by two spaces like
 * JSON.stringify(value, null, 2) but without recursion, so that any nesting depth prints.
 */
export function stringifyDeep(value: unknown): string {
  const out: string[] = [];
  const pad = (level: number) => '  '.repeat(Math.min(level, MAX_INDENT_LEVELS));
  type Frame = { entries: [string | undefined, unknown][]; next: number; level: number; close: string };
  const stack: Frame[] = [];
  const open = (v: unknown, level: number) => {
    if (v === null || typeof v !== 'object') {
      out.push(v === undefined ? 'null' : JSON.stringify(v));
      return;
    }
    const isArray = Array.isArray(v);
    const entries: [string | undefined, unknown][] = isArray
      ? (v as unknown[]).map((x): [undefined, unknown] => [undefined, x])
      : Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    if (!entries.length) {
      out.push(isArray ? '[]' : '{}');
      return;
    }
    out.push(isArray ? '[' : '{');
    stack.push({ entries, next: 0, level: level + 1, close: isArray ? ']' : '}' });
  };
  open(value, 0);
  while (stack.length) {
    const frame = stack[stack.length - 1];
    if (frame.next === frame.entries.length) {
      stack.pop();
      out.push(`\n${pad(frame.level - 1)}${frame.close}`);
      continue;
    }
    const [key, v] = frame.entries[frame.next];
    out.push(`${frame.next++ ? ',' : ''}\n${pad(frame.level)}${key !== undefined ? `${JSON.stringify(key)}: ` : ''}`);
    open(v, frame.level);
  }
  return out.join('');
}

// ---------------------------------------------------------------------------------------------------------

export async function reachMain(argv: string[], out = process.stdout, err = process.stderr): Promise<number> {
  let args: ReachArgs;
  try {
    args = parseReachArgs(argv);
  } catch (e) {
    if (!(e instanceof ReachUsageError)) throw e;
    if (!e.message) {
      out.write(REACH_USAGE);
      return 0;
    }
    err.write(`fklens: ${e.message} (see fklens reach --help)\n`);
    return 2;
  }
  const dir = resolve(args.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    err.write(`fklens: ${args.dir}: no such directory\n`);
    return 2;
  }
  const workspace = await openWorkspace(dir, args.options);
  const model = workspace.model();
  const found = findTables(model, args.table);
  if (!found.length) {
    const similar = model.histories.flatMap((h) => [...h.tableById.values()].filter((t) => t.name.toLowerCase() === parseTableName(args.table).name.toLowerCase()));
    const hint = similar.length ? ` (did you mean ${similar.map((t) => `"${t.name}"`).join(', ')}?)` : '';
    err.write(`fklens: no table ${args.table} in the schema and migration files under ${args.dir}${hint}\n`);
    return 2;
  }
  const { history, table } = found[0];
  if (found.length > 1 && !args.json) {
    err.write(`fklens: ${args.table} exists in ${found.length} databases (${found.map((f) => f.history.history.id || '.').join(', ')}); showing ${history.history.id || '.'}\n`);
  }
  const reach = computeReach(history, table.id, args.operation);
  if (args.json) out.write(stringifyDeep(reachJson(model, history, reach)) + '\n');
  else out.write(reachLines(model, reach, { markdown: false, maxShown: 500 }).join('\n') + '\n');
  return 0;
}
