/**
 * `fk-missing-index`: create the index that serves the FK's referential-integrity query. In a migration
 * history, a new migration in the project's convention (CONCURRENTLY where the tool can run the file
 * outside a transaction, else plain CREATE INDEX); in schema files, the statement right after the one that
 * declares the FK. The index name follows the naming pattern the project's own indexes show, fits in 63
 * bytes and collides with no relation of the schema.
 */
import type { HistoryModel } from '../../model/replay';
import { clipBytes, chooseName, columnsAddition, MAX_IDENTIFIER_BYTES } from '../../model/names';
import { quoteIdent, type Table } from '../../model/schema';
import { allowsNoTransaction } from './convention';
import { childOf, identList, insertAfterStatement, isMigrationHistory, tableRef, titleName, type FixContext, type FixPlan } from './edit';

export const MISSING_INDEX = 'fk-missing-index';

type Pattern = 'postgres' | 'idx_prefix' | 'ix_prefix' | 'index_suffix' | 'rails';

const PATTERNS: Record<Pattern, (table: string, columns: string[]) => string> = {
  postgres: (t, c) => `${t}_${c.join('_')}_idx`,
  idx_prefix: (t, c) => `idx_${t}_${c.join('_')}`,
  ix_prefix: (t, c) => `ix_${t}_${c.join('_')}`,
  index_suffix: (t, c) => `${t}_${c.join('_')}_index`,
  rails: (t, c) => `index_${t}_on_${c.join('_and_')}`,
};

/** The naming pattern most of the history's own (non-constraint, plain-column) indexes follow. */
export function namingPattern(history: HistoryModel): Pattern {
  const counts = new Map<Pattern, number>();
  for (const table of history.tables) {
    for (const index of table.indexes) {
      if (index.constraint || index.columns.some((c) => c === null)) continue;
      const columns = index.columns as string[];
      for (const [pattern, make] of Object.entries(PATTERNS) as [Pattern, (t: string, c: string[]) => string][]) {
        if (make(table.name, columns) === index.name) counts.set(pattern, (counts.get(pattern) ?? 0) + 1);
      }
    }
  }
  let best: Pattern = 'postgres';
  for (const [pattern, n] of counts) if (n > (counts.get(best) ?? 0)) best = pattern;
  return best;
}

/** Every relation name (tables and indexes) of a schema: an index name must differ from all of them. */
export function relationNames(history: HistoryModel, schema: string): Set<string> {
  const names = new Set<string>();
  for (const t of history.tables) {
    if (t.schema !== schema) continue;
    names.add(t.name);
    for (const i of t.indexes) names.add(i.name);
  }
  return names;
}

export function indexName(history: HistoryModel, table: Table, columns: string[], reserved: Set<string> = new Set()): string {
  const used = relationNames(history, table.schema);
  const isUsed = (n: string) => used.has(n) || reserved.has(n);
  const pattern = namingPattern(history);
  if (pattern === 'postgres') return chooseName(table.name, columnsAddition(columns), 'idx', isUsed);
  const base = clipBytes(PATTERNS[pattern](table.name, columns), MAX_IDENTIFIER_BYTES);
  if (!isUsed(base)) return base;
  for (let n = 1; ; n++) {
    const suffix = `_${n}`;
    const candidate = clipBytes(base, MAX_IDENTIFIER_BYTES - suffix.length) + suffix;
    if (!isUsed(candidate)) return candidate;
  }
}

/** Names handed out to earlier fixes of the same "fix all", per history. */
const reservedNames = new WeakMap<object, Set<string>>();

export function missingIndexFix(ctx: FixContext): FixPlan | undefined {
  const { fk, history } = ctx;
  const child = childOf(ctx);
  if (!child) return undefined;
  let reserved = reservedNames.get(ctx.planner);
  if (!reserved) reservedNames.set(ctx.planner, (reserved = new Set()));
  const name = indexName(history, child, fk.columns, reserved);
  reserved.add(name);
  const target = `${tableRef(child)} (${identList(fk.columns)})`;
  const title = `Create index ${titleName(name)} on ${titleName(child.name)} (${titleName(fk.columns.join(', '))})`;
  const base = { title, rule: MISSING_INDEX, preferred: true };
  if (!isMigrationHistory(history)) {
    // A schema file: the statement right after the FK's (the table is new there, CONCURRENTLY gains nothing).
    const edit = insertAfterStatement(ctx, fk.location.file, fk.location.span.start, `CREATE INDEX ${quoteIdent(name)} ON ${target};`);
    return edit ? { ...base, edits: [edit], creates: [] } : undefined;
  }
  const tool = ctx.planner.migrationTool;
  const concurrently = (ctx.options.concurrentIndex ?? true) && allowsNoTransaction(tool);
  const up = concurrently
    ? `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${quoteIdent(name)} ON ${target};`
    : `CREATE INDEX IF NOT EXISTS ${quoteIdent(name)} ON ${target};`;
  const dropTarget = child.schema === 'public' ? quoteIdent(name) : `${quoteIdent(child.schema)}.${quoteIdent(name)}`;
  const down = concurrently ? `DROP INDEX CONCURRENTLY IF EXISTS ${dropTarget};` : `DROP INDEX IF EXISTS ${dropTarget};`;
  const slug = clipBytes(`add_index_${child.name}_${fk.columns.join('_')}`.replace(/[^A-Za-z0-9_]/g, '_').toLowerCase(), 80);
  const creates = ctx.planner.files({ slug, up, down, noTransaction: concurrently });
  return { ...base, edits: [], creates };
}
