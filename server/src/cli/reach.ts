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
import { join } from 'node:path';
import { computeReach, type Reach, type ReachEntry, type ReachNode } from '../analysis/reach';
import type { HistoryModel } from '../model/replay';
import type { ForeignKey, Table } from '../model/schema';
import { reachLines } from '../features/reachView';
import { lookupTable } from '../features/target';
import type { WorkspaceModel } from '../workspace/workspace';
import { defineCommand } from './command';
import { openSingleProject, PROJECT_OPTIONS } from './project';
import { closest } from './suggest';
import { displayPath, escapeTerminal, processIo, quotePath } from './terminal';

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

/** `path` shows a workspace file as the command prints paths (default: as the model names it). */
export function reachJson(model: WorkspaceModel, history: HistoryModel, reach: Reach, path: (file: string) => string = (f) => f) {
  const tables = history.tableById;
  const location = (fk: ForeignKey) => {
    const p = model.sources.get(fk.location.file)?.lines.position(fk.location.span.start);
    return { file: path(fk.location.file), line: (p?.line ?? 0) + 1, column: (p?.character ?? 0) + 1 };
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

export const reachCommand = defineCommand({
  name: 'reach',
  summary: 'what one DELETE of TABLE\'s rows (--update: one UPDATE of its key) does through the FKs',
  usage: 'reach TABLE [DIR] [options]',
  description: `Prints what one DELETE of TABLE's rows does through the foreign keys (with --update: one UPDATE of
its key): the tables cascades delete, the columns set to NULL / DEFAULT, and the FKs that block the statement.
TABLE is a table name, schema-qualified or not (public first); an unquoted name folds to lower case as SQL
reads it, and "User" (in shell quotes) keeps its case.`,
  arguments: [
    ['TABLE', 'users, billing.users, \'"User"\''],
    ['DIR', 'the project folder (default .)'],
  ],
  positionals: { min: 1, max: 2 },
  options: {
    update: { type: 'boolean', help: 'one UPDATE of the key instead of a DELETE' },
    json: { type: 'boolean', help: 'machine-readable output: flat lists (deletes, setsNull, setsDefault, blockedBy) and the tree' },
    ...PROJECT_OPTIONS,
  },
  examples: [
    ['fklens reach users', 'what DELETE FROM users does'],
    ['fklens reach billing.accounts db --update --json', 'what an UPDATE of the key does, as JSON'],
  ],
  exitCodes: [
    [0, 'printed'],
    [2, 'usage error, no such table (with the closest names), missing DIR, no schema or migration files, invalid --config'],
    [3, 'internal error'],
  ],
  async run(args, io) {
    const [tableArg, dirArg] = args.positionals;
    const cwd = process.cwd();
    const project = await openSingleProject(dirArg === undefined ? [] : [dirArg], args.values, (text) => io.err(text), cwd);
    const model = project.workspace.model();
    const found = findTables(model, tableArg);
    if (!found.length) {
      const wanted = parseTableName(tableArg).name.toLowerCase();
      const tables = model.histories.flatMap((h) => [...h.tableById.values()]);
      // As the name would be typed: plain when SQL reads it unquoted, else in double quotes.
      const typed = (name: string) => (/^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`);
      const sameName = tables.filter((t) => t.name.toLowerCase() === wanted).map((t) => t.name);
      const similar = sameName.length ? sameName : closest(wanted, tables.map((t) => t.name));
      const hint = similar.length ? ` (did you mean ${[...new Set(similar)].map((n) => escapeTerminal(typed(n))).join(' or ')}?)` : '';
      io.err(`fklens reach: no table ${escapeTerminal(tableArg)} in the schema and migration files under ${quotePath(displayPath(project.root, cwd))}${hint}\n`);
      return 2;
    }
    const { history, table } = found[0];
    if (found.length > 1 && !args.values.json) {
      const ids = found.map((f) => escapeTerminal(f.history.history.id || '.'));
      io.err(`fklens reach: ${escapeTerminal(tableArg)} exists in ${found.length} databases (${ids.join(', ')}); showing ${ids[0]}\n`);
    }
    const reach = computeReach(history, table.id, args.values.update ? 'UPDATE' : 'DELETE');
    const path = (file: string) => displayPath(join(project.root, ...file.split('/')), cwd);
    if (args.values.json) io.out(stringifyDeep(reachJson(model, history, reach, path)) + '\n');
    else io.out(reachLines(model, reach, { markdown: false, maxShown: 500, path: (f) => quotePath(path(f)) }).map(escapeTerminal).join('\n') + '\n');
    return 0;
  },
});

/** `fklens reach ...` (the arguments after `reach`). */
export const reachMain = (argv: string[], io = processIo()) => reachCommand.main(argv, io);
