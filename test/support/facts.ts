/**
 * Flattens what the reader extracted from one file into the fact vocabulary of shared/ddl-cases
 * (fk, col, pk, unique, idx, table, stmts and the ALTER operations), so each case can be checked.
 */
import type { ColumnDefinition, ConstraintDefinition, QualifiedName, SourceFile } from '../../server/src/sources/events';

export type Fact = Record<string, unknown> & { kind: string };

const ACTION: Record<string, string> = { 'NO ACTION': 'noaction', RESTRICT: 'restrict', CASCADE: 'cascade', 'SET NULL': 'setnull', 'SET DEFAULT': 'setdefault' };

export function factsOf(source: SourceFile): Fact[] {
  const facts: Fact[] = [{ kind: 'stmts', count: source.statementCount }];
  const schemaOf = (n: QualifiedName) => n.schema ?? 'public';
  const constraint = (table: QualifiedName, c: ConstraintDefinition) => {
    if (c.kind === 'foreign' && c.foreign) {
      const f = c.foreign;
      facts.push({
        kind: 'fk', schema: schemaOf(table), table: table.name, name: c.name, cols: c.columns,
        refSchema: schemaOf(f.refTable), refTable: f.refTable.name, refCols: f.refColumns,
        onDelete: ACTION[f.onDelete], onUpdate: ACTION[f.onUpdate], setCols: f.setColumns ?? undefined,
        deferrable: c.deferrable, initDeferred: c.initiallyDeferred, match: f.match.toLowerCase(),
        notValid: c.notValid, notEnforced: c.notEnforced,
      });
    } else if (c.kind === 'primary' || c.kind === 'unique') {
      facts.push({ kind: c.kind === 'primary' ? 'pk' : 'unique', table: table.name, name: c.name, cols: c.columns, usingIndex: c.usingIndex });
    }
  };
  const column = (table: QualifiedName, col: ColumnDefinition) => {
    facts.push({
      kind: 'col', schema: schemaOf(table), table: table.name, name: col.name, type: col.declaredType.replace(/^pg_catalog\./, ''),
      formattedType: col.type, notNull: col.notNull, hasDefault: col.default !== undefined, identity: !!col.identity, generated: col.generated,
    });
    for (const c of col.constraints) constraint(table, c);
  };
  for (const e of source.events) {
    switch (e.kind) {
      case 'create_table':
        facts.push({
          kind: 'table', schema: schemaOf(e.table), name: e.table.name, partitioned: e.partitioned,
          partitionOf: e.partitionOf?.name, like: e.like[0]?.table.name, inherits: e.inherits[0]?.name,
        });
        for (const c of e.columns) column(e.table, c);
        for (const c of e.constraints) constraint(e.table, c);
        break;
      case 'alter_table':
        for (const cmd of e.commands) {
          const table = e.table.name;
          if (cmd.kind === 'add_column') column(e.table, cmd.column);
          else if (cmd.kind === 'add_constraint') constraint(e.table, cmd.constraint);
          else if (cmd.kind === 'drop_constraint' || cmd.kind === 'validate_constraint') facts.push({ kind: cmd.kind, table, name: cmd.name });
          else if ('column' in cmd && typeof cmd.column === 'string') facts.push({ kind: cmd.kind, table, col: cmd.column });
        }
        break;
      case 'create_index':
        facts.push({
          kind: 'idx', schema: schemaOf(e.table), table: e.table.name, name: e.name,
          cols: e.elements.map((x) => x.column ?? '<expr>'), unique: e.unique, partial: e.where !== undefined,
          concurrently: e.concurrently, ifNotExists: e.ifNotExists, method: e.method,
        });
        break;
      case 'rename_table':
        facts.push({ kind: 'rename_table', table: e.target.name, to: e.to });
        break;
      case 'rename_column':
      case 'rename_constraint':
        facts.push({ kind: e.kind, table: e.target.name, from: e.from, to: e.to });
        break;
    }
  }
  return facts;
}

/** Does `actual` satisfy the expected fact (ddl-cases README matching rules)? */
export function matches(expected: Fact, actual: Fact): boolean {
  if (expected.kind !== actual.kind) return false;
  for (const [field, want] of Object.entries(expected)) {
    if (field === 'kind') continue;
    let got = actual[field];
    if (field === 'type' && typeof want === 'string' && got !== want) got = want.toLowerCase() === String(actual.formattedType).toLowerCase() ? want : got;
    if (want === false && (got === undefined || got === false)) continue;
    if (!same(want, got)) return false;
  }
  return true;
}

function same(want: unknown, got: unknown): boolean {
  if (Array.isArray(want)) return Array.isArray(got) && want.length === got.length && want.every((w, i) => same(w, got[i]));
  if (typeof want === 'string' && typeof got === 'string') return want === got || want.toLowerCase() === got.toLowerCase();
  return want === got;
}
