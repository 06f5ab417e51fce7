/**
 * Table locks: for every statement of a PostgreSQL history that touches a table taking part in a foreign key
 * (as child or parent), the lock mode PostgreSQL 15 takes on each table, whether it reads every row or
 * rewrites the table while holding it, and the lock_timeout in effect. Recorded as a step fact before the
 * statement is applied, so tables are named as they were and the FKs are the ones PostgreSQL would find.
 *
 * The modes follow PostgreSQL's own rules (tablecmds.c AlterTableGetLockLevel and the commands it runs),
 * checked statement by statement against `pg_locks` in test/pg/locks.test.ts:
 * - CREATE TABLE: ACCESS EXCLUSIVE on the new table, SHARE ROW EXCLUSIVE on every table it REFERENCES (the
 *   FK's triggers are created there), SHARE UPDATE EXCLUSIVE on INHERITS parents, ACCESS EXCLUSIVE on the
 *   table it is a PARTITION OF, ACCESS SHARE on a LIKE source.
 * - ALTER TABLE: the strongest level of its subcommands on the table (ADD FOREIGN KEY: SHARE ROW EXCLUSIVE,
 *   VALIDATE CONSTRAINT: SHARE UPDATE EXCLUSIVE, everything else here: ACCESS EXCLUSIVE), recursing into
 *   partitions (and inheritance children for columns and CHECKs) unless ONLY; and on the other table of an FK:
 *   SHARE ROW EXCLUSIVE for ADD, ROW SHARE for VALIDATE, ACCESS EXCLUSIVE when the FK is dropped or re-created
 *   (DROP CONSTRAINT, DROP COLUMN, ALTER COLUMN TYPE) because its triggers on the parent go.
 * - DROP TABLE: ACCESS EXCLUSIVE on the table and on the parent of each of its FKs; with CASCADE on the tables
 *   whose FKs reference it. TRUNCATE: ACCESS EXCLUSIVE, with CASCADE on the referencing tables, recursively.
 * - CREATE INDEX: SHARE (CONCURRENTLY: SHARE UPDATE EXCLUSIVE); DROP INDEX: ACCESS EXCLUSIVE (CONCURRENTLY: SHARE
 *   UPDATE EXCLUSIVE); RENAME / SET SCHEMA: ACCESS EXCLUSIVE; LOCK TABLE: the mode it names.
 */
import type { AlterTableCommand, ConstraintDefinition, LockMode, QualifiedName, SchemaEvent } from '../../sources/events';
import { LOCK_MODES } from '../../sources/events';
import { quoteIdent, type ForeignKey, type Table } from '../schema';
import { findIndex } from './indexes';
import type { ReplayState } from './state';
import type { LockReason, LockTimeoutSetting, StatementLocks, TableLock } from './types';

export type { LockMode };

/** The session state a migration's statements share: the lock_timeout set so far (every migration starts afresh). */
export interface LockSession {
  step: number;
  /** SET / set_config(..., false): for the rest of the session (undone by ROLLBACK of the transaction it was in). */
  session?: LockTimeoutSetting & { enabled: boolean };
  /** SET LOCAL / set_config(..., true): until the transaction ends. */
  local?: LockTimeoutSetting & { enabled: boolean };
  /** The session setting when the explicit transaction began (ROLLBACK restores it). */
  atBegin?: LockTimeoutSetting & { enabled: boolean };
}

// ---------------------------------------------------------------------------------------------------------
// Lock modes

const RANK = new Map<LockMode, number>(LOCK_MODES.map((m, i) => [m, i]));

export function lockRank(mode: LockMode): number {
  return RANK.get(mode) ?? 0;
}

/** PostgreSQL's conflict table ("Table-Level Lock Modes"): which modes cannot be held at once with `mode`. */
const CONFLICTS: Record<LockMode, readonly LockMode[]> = {
  'ACCESS SHARE': ['ACCESS EXCLUSIVE'],
  'ROW SHARE': ['EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'ROW EXCLUSIVE': ['SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'SHARE UPDATE EXCLUSIVE': ['SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  SHARE: ['ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'SHARE ROW EXCLUSIVE': ['ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  EXCLUSIVE: ['ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'ACCESS EXCLUSIVE': [...LOCK_MODES],
};

export function lockConflicts(a: LockMode, b: LockMode): boolean {
  return CONFLICTS[a].includes(b);
}

/**
 * What a lock keeps other sessions from doing on the table while it is held (or waited for: later requests
 * queue behind a waiting one they conflict with): `reads` (SELECT, ACCESS SHARE), `writes` (INSERT / UPDATE /
 * DELETE, ROW EXCLUSIVE), `ddl` (ALTER / DROP and the other statements that take ACCESS EXCLUSIVE; every mode
 * blocks them).
 */
export type Blocked = 'reads' | 'writes' | 'ddl';

export function lockBlocks(mode: LockMode): Blocked[] {
  const out: Blocked[] = [];
  if (lockConflicts(mode, 'ACCESS SHARE')) out.push('reads');
  if (lockConflicts(mode, 'ROW EXCLUSIVE')) out.push('writes');
  out.push('ddl');
  return out;
}

/** Does the mode make the FK checks of other tables' writes wait (their FOR KEY SHARE row locks take ROW SHARE here)? */
export function blocksForeignKeyChecks(mode: LockMode): boolean {
  return lockConflicts(mode, 'ROW SHARE');
}

// ---------------------------------------------------------------------------------------------------------
// Recording

type Scan = TableLock['scan'];
const SCAN_RANK: Record<Scan, number> = { none: 0, scan: 1, rewrite: 2 };
const REASON_RANK: Record<LockReason, number> = { created: 5, dropped: 5, named: 5, partition: 3, 'fk-parent': 2, 'fk-child': 2, like: 1 };

/** The locks of one statement being collected, one entry per table. */
class Locks {
  readonly byTable = new Map<number, TableLock>();
  /** The statement declares an FK (CREATE TABLE with REFERENCES, even to itself). */
  declaresForeignKey = false;
  /** Whether a table is referenced by some FK just before the statement (asked for the few tables a statement locks). */
  private readonly referenced = new Map<number, boolean>();

  constructor(private readonly s: ReplayState) {}

  isReferenced(id: number): boolean {
    let known = this.referenced.get(id);
    if (known === undefined) {
      known = false;
      for (const t of this.s.tables.values()) {
        if (t.foreignKeys.some((fk) => fk.refTableId === id)) {
          known = true;
          break;
        }
      }
      this.referenced.set(id, known);
    }
    return known;
  }

  add(table: Pick<Table, 'id' | 'schema' | 'name' | 'createdStep'>, mode: LockMode, reason: LockReason, scan: Scan = 'none', via?: string): void {
    const found = this.byTable.get(table.id);
    if (!found) {
      this.byTable.set(table.id, {
        tableId: table.id,
        schema: table.schema,
        table: table.name,
        mode,
        scan,
        reason,
        ...(via ? { via } : {}),
        createdStep: table.createdStep,
        // A table the statement creates is referenced by nothing yet.
        referenced: reason === 'fk-parent' || (reason !== 'created' && this.isReferenced(table.id)),
      });
      return;
    }
    if (lockRank(mode) > lockRank(found.mode)) found.mode = mode;
    if (SCAN_RANK[scan] > SCAN_RANK[found.scan]) found.scan = scan;
    if (REASON_RANK[reason] > REASON_RANK[found.reason]) {
      found.reason = reason;
      if (via) found.via = via;
      else delete found.via;
    }
    if (reason === 'fk-parent') found.referenced = true;
  }

  /** A table the statement holds in `mode`, and its partitions (and, with `inheritance`, its inheritance children). */
  addTree(table: Table, mode: LockMode, reason: LockReason, scan: Scan, inheritance: boolean, recurse: boolean): void {
    this.add(table, mode, reason, table.partitioned ? 'none' : scan);
    if (!recurse) return;
    for (const child of descendants(this.s, table, inheritance)) this.add(child, mode, 'partition', child.partitioned ? 'none' : scan);
  }

  /** The FK's referenced table (not the table itself: a self-reference adds nothing). */
  parent(fk: ForeignKey, mode: LockMode, scan: Scan = 'none'): void {
    const parent = this.s.tables.get(fk.refTableId);
    if (parent && parent.id !== fk.tableId) this.add(parent, mode, 'fk-parent', scan, fk.name);
  }

  child(fk: ForeignKey, mode: LockMode, scan: Scan = 'none'): void {
    const child = this.s.tables.get(fk.tableId);
    if (child && child.id !== fk.refTableId) this.add(child, mode, 'fk-child', scan, fk.name);
  }

  /** Does some locked table take part in a foreign key (before the statement, or through it)? */
  touchesForeignKey(): boolean {
    if (this.declaresForeignKey) return true;
    for (const lock of this.byTable.values()) {
      if (lock.reason === 'fk-parent' || lock.reason === 'fk-child' || lock.referenced) return true;
      if (this.s.tables.get(lock.tableId)?.foreignKeys.length) return true;
    }
    return false;
  }

  list(): TableLock[] {
    return [...this.byTable.values()].sort((a, b) => lockRank(b.mode) - lockRank(a.mode));
  }
}

/** Partitions (and inheritance children), recursively. */
function descendants(s: ReplayState, table: Table, inheritance: boolean): Table[] {
  if (!table.partitioned && !inheritance) return [];
  const out: Table[] = [];
  const seen = new Set<number>([table.id]);
  const walk = (id: number) => {
    for (const t of s.tables.values()) {
      if (seen.has(t.id)) continue;
      if (t.partitionOf === id || (inheritance && t.inherits.includes(id))) {
        seen.add(t.id);
        out.push(t);
        walk(t.id);
      }
    }
  };
  walk(table.id);
  return out;
}

const fksReferencing = (s: ReplayState, table: Table): ForeignKey[] => [...s.tables.values()].flatMap((t) => t.foreignKeys.filter((f) => f.refTableId === table.id));

/**
 * Records what `event` locks, before the replay applies it (called for every event of a PostgreSQL history).
 * Also follows SET lock_timeout and the transaction boundaries of the migration's session.
 */
export function recordLocks(s: ReplayState, event: SchemaEvent): void {
  // PostgreSQL's locks (CockroachDB reads PostgreSQL's DDL but changes schemas online, without these locks).
  if (s.policy.dialect !== 'postgres' || (s.history.dialect ?? 'postgres') !== 'postgres') return;
  const session = sessionOf(s);
  if (followSession(s, session, event)) return;
  const locks = new Locks(s);
  const names: QualifiedName[] = [];
  let summary: string | undefined;
  let concurrently = false;
  switch (event.kind) {
    case 'create_table':
      summary = createTable(s, locks, event);
      names.push(event.table);
      break;
    case 'alter_table': {
      const table = s.lookup(event.table, false);
      if (!table) return;
      names.push(event.table);
      const words = event.commands.map((c) => alterCommand(s, locks, table, c, !event.only)).filter(Boolean);
      // Long ALTER TABLEs (Prisma writes one per table) are named by their first changes.
      const shown = words.length > 3 ? [...words.slice(0, 2), `… (${words.length - 2} more)`] : words;
      summary = `ALTER TABLE ${event.only ? 'ONLY ' : ''}${sqlName(event.table)} ${shown.join(', ')}`;
      break;
    }
    case 'create_index': {
      const table = s.lookup(event.table, false);
      if (!table) return;
      names.push(event.table);
      concurrently = event.concurrently;
      locks.addTree(table, event.concurrently ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE', 'named', 'scan', false, !event.only);
      const columns = event.elements.map((e) => (e.column ? quoteIdent(e.column) : (e.expression ?? 'expr'))).join(', ');
      summary = `CREATE ${event.unique ? 'UNIQUE ' : ''}INDEX ${event.concurrently ? 'CONCURRENTLY ' : ''}${event.name ? quoteIdent(event.name) + ' ' : ''}ON ${sqlName(event.table)} (${columns})`;
      break;
    }
    case 'drop_index': {
      concurrently = !!event.concurrently;
      for (const name of event.names) {
        if (event.table) continue; // MySQL
        const found = findIndex(s, name);
        if (!found) continue;
        names.push(name);
        locks.addTree(found.table, concurrently ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE', 'named', 'none', false, true);
        if (event.cascade) for (const fk of fksReferencing(s, found.table).filter((f) => f.refIndex === found.index)) locks.child(fk, 'ACCESS EXCLUSIVE');
      }
      summary = `DROP INDEX ${concurrently ? 'CONCURRENTLY ' : ''}${event.names.map(sqlName).join(', ')}${event.cascade ? ' CASCADE' : ''}`;
      break;
    }
    case 'drop_table': {
      const dropped = event.names.map((n) => s.lookup(n, false)).filter((t): t is Table => !!t);
      names.push(...event.names);
      dropTables(s, locks, dropped, event.cascade);
      summary = `DROP TABLE ${event.names.map(sqlName).join(', ')}${event.cascade ? ' CASCADE' : ''}`;
      break;
    }
    case 'drop_schema': {
      const dropped = [...s.tables.values()].filter((t) => event.names.some((n) => n.name === t.schema));
      dropTables(s, locks, dropped, event.cascade);
      summary = `DROP SCHEMA ${event.names.map((n) => quoteIdent(n.name)).join(', ')}${event.cascade ? ' CASCADE' : ''}`;
      break;
    }
    case 'truncate': {
      const queue = event.names.map((n) => s.lookup(n, false)).filter((t): t is Table => !!t);
      names.push(...event.names);
      const done = new Set<number>();
      for (let i = 0; i < queue.length; i++) {
        const table = queue[i];
        if (done.has(table.id)) continue;
        done.add(table.id);
        locks.addTree(table, 'ACCESS EXCLUSIVE', i < event.names.length ? 'named' : 'fk-child', 'none', true, true);
        // CASCADE empties every table that references a truncated one, and the tables referencing those.
        if (event.cascade) for (const fk of fksReferencing(s, table)) if (!done.has(fk.tableId)) {
          locks.child(fk, 'ACCESS EXCLUSIVE');
          const child = s.tables.get(fk.tableId);
          if (child) queue.push(child);
        }
      }
      summary = `TRUNCATE ${event.names.map(sqlName).join(', ')}${event.cascade ? ' CASCADE' : ''}`;
      break;
    }
    case 'lock_table':
      for (const name of event.names) {
        const table = s.lookup(name, false);
        if (!table) continue;
        names.push(name);
        locks.addTree(table, event.mode, 'named', 'none', true, true);
      }
      summary = `LOCK TABLE ${event.names.map(sqlName).join(', ')} IN ${event.mode} MODE`;
      break;
    case 'rename_table':
    case 'rename_column':
    case 'rename_constraint': {
      const table = s.lookup(event.target, false);
      if (!table) return; // an index renamed with ALTER TABLE locks no table
      names.push(event.target);
      locks.add(table, 'ACCESS EXCLUSIVE', 'named');
      summary =
        event.kind === 'rename_table'
          ? `ALTER TABLE ${sqlName(event.target)} RENAME TO ${quoteIdent(event.to)}`
          : `ALTER TABLE ${sqlName(event.target)} RENAME ${event.kind === 'rename_column' ? 'COLUMN' : 'CONSTRAINT'} ${quoteIdent(event.from)} TO ${quoteIdent(event.to)}`;
      break;
    }
    case 'set_schema': {
      if (event.objectKind !== 'table') return;
      const table = s.lookup(event.target, false);
      if (!table) return;
      names.push(event.target);
      locks.add(table, 'ACCESS EXCLUSIVE', 'named');
      summary = `ALTER TABLE ${sqlName(event.target)} SET SCHEMA ${quoteIdent(event.newSchema)}`;
      break;
    }
    default:
      return;
  }
  if (!summary || !locks.byTable.size || !locks.touchesForeignKey()) return;
  const timeout = session.local?.enabled ? session.local : session.local ? undefined : session.session?.enabled ? session.session : undefined;
  s.statementLocks.push({
    step: s.step,
    file: s.file,
    statement: event.statement,
    summary,
    names: names.map((n) => n.span),
    locks: locks.list(),
    concurrently,
    inExplicitTransaction: s.inTransaction,
    ...(timeout ? { lockTimeout: { file: timeout.file, span: timeout.span, value: timeout.value, local: timeout.local, inExplicitTransaction: timeout.inExplicitTransaction } } : {}),
  });
}

// ---------------------------------------------------------------------------------------------------------
// The session: lock_timeout and transactions

function sessionOf(s: ReplayState): LockSession {
  if (s.lockSession.step !== s.step) s.lockSession = { step: s.step };
  return s.lockSession;
}

/** Updates the session for SET lock_timeout / BEGIN / COMMIT / ROLLBACK; true when the event is one of those. */
function followSession(s: ReplayState, session: LockSession, event: SchemaEvent): boolean {
  switch (event.kind) {
    case 'set_lock_timeout': {
      const setting = { file: s.file, span: event.statement, value: event.value, local: event.local, inExplicitTransaction: s.inTransaction, enabled: event.enabled };
      if (event.local) session.local = setting;
      else {
        session.session = setting;
        // A session-level SET also replaces the transaction's SET LOCAL value.
        session.local = undefined;
      }
      return true;
    }
    case 'begin':
      session.atBegin = session.session;
      return true;
    case 'commit':
      session.local = undefined;
      return true;
    case 'rollback':
      session.local = undefined;
      session.session = session.atBegin;
      return true;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Statements

function sqlName(name: { schema?: string; name: string }): string {
  return name.schema ? `${quoteIdent(name.schema)}.${quoteIdent(name.name)}` : quoteIdent(name.name);
}

function createTable(s: ReplayState, locks: Locks, event: Extract<SchemaEvent, { kind: 'create_table' }>): string | undefined {
  const schema = s.creationSchema(event.table);
  if (s.tableIds.has(`${schema}.${event.table.name}`)) return undefined; // IF NOT EXISTS: nothing happens; else it fails
  // The id the replay is about to give the new table.
  locks.add({ id: s.nextId, schema, name: event.table.name, createdStep: s.step }, 'ACCESS EXCLUSIVE', 'created');
  const constraints = [...event.columns.flatMap((c) => c.constraints), ...event.constraints];
  for (const c of constraints) {
    if (c.kind !== 'foreign' || !c.foreign || c.notEnforced) continue;
    locks.declaresForeignKey = true;
    const parent = s.lookup(c.foreign.refTable, false);
    if (parent) locks.add(parent, 'SHARE ROW EXCLUSIVE', 'fk-parent', 'none', c.name);
  }
  if (event.partitionOf) {
    const parent = s.lookup(event.partitionOf, false);
    if (parent) {
      locks.add(parent, 'ACCESS EXCLUSIVE', 'partition');
      // The partition gets a copy of each of the partitioned table's FKs.
      for (const fk of parent.foreignKeys) locks.parent(fk, 'SHARE ROW EXCLUSIVE');
    }
  }
  for (const name of event.inherits) {
    const parent = s.lookup(name, false);
    if (parent) locks.add(parent, 'SHARE UPDATE EXCLUSIVE', 'partition');
  }
  for (const like of event.like) {
    const source = s.lookup(like.table, false);
    if (source) locks.add(source, 'ACCESS SHARE', 'like');
  }
  return `CREATE TABLE ${sqlName(event.table)}${event.partitionOf ? ` PARTITION OF ${sqlName(event.partitionOf)}` : ''}`;
}

function dropTables(s: ReplayState, locks: Locks, named: Table[], cascade: boolean): void {
  const dropped = new Set<number>();
  const all: Table[] = [];
  for (const table of named) {
    for (const t of [table, ...descendants(s, table, cascade)]) {
      if (dropped.has(t.id)) continue;
      dropped.add(t.id);
      all.push(t);
    }
  }
  for (const t of all) locks.add(t, 'ACCESS EXCLUSIVE', named.includes(t) ? 'dropped' : 'partition');
  for (const t of all) {
    // The FK's triggers on its parent are dropped with it.
    for (const fk of t.foreignKeys) if (!dropped.has(fk.refTableId)) locks.parent(fk, 'ACCESS EXCLUSIVE');
    if (cascade) for (const fk of fksReferencing(s, t)) if (!dropped.has(fk.tableId)) locks.child(fk, 'ACCESS EXCLUSIVE');
  }
}

/** One ALTER TABLE subcommand: its locks, and its words for the summary. */
function alterCommand(s: ReplayState, locks: Locks, table: Table, command: AlterTableCommand, recurse: boolean): string {
  const AE: LockMode = 'ACCESS EXCLUSIVE';
  const col = (name: string) => quoteIdent(name);
  switch (command.kind) {
    case 'add_column': {
      const column = command.column;
      const fks = column.constraints.filter((c) => c.kind === 'foreign' && c.foreign && !c.notEnforced);
      let scan: Scan = 'none';
      if (column.identity || column.generated || (column.default !== undefined && VOLATILE_DEFAULT.test(column.default))) scan = 'rewrite';
      else if (
        column.constraints.some((c) => c.kind === 'check' || c.kind === 'primary' || c.kind === 'unique' || c.kind === 'exclusion') ||
        (column.notNull && column.default === undefined) ||
        // A new column's FK is checked only when the column gets a default (else every value is NULL).
        (fks.length && column.default !== undefined)
      )
        scan = 'scan';
      locks.addTree(table, AE, 'named', scan, true, recurse);
      for (const c of fks) {
        const parent = s.lookup(c.foreign!.refTable, false);
        if (parent && parent.id !== table.id) locks.add(parent, 'SHARE ROW EXCLUSIVE', 'fk-parent', 'none', c.name);
      }
      return `ADD COLUMN ${col(column.name)}${fks.map((c) => ` REFERENCES ${sqlName(c.foreign!.refTable)}`).join('')}`;
    }
    case 'drop_column': {
      locks.addTree(table, AE, 'named', 'none', true, recurse);
      // Constraints on the column go with it: its FKs' triggers on their parents; with CASCADE, the FKs that reference it.
      for (const fk of table.foreignKeys) if (fk.columns.includes(command.column)) locks.parent(fk, AE);
      if (command.cascade) for (const fk of fksReferencing(s, table)) if (fk.refColumns.includes(command.column)) locks.child(fk, AE);
      return `DROP COLUMN ${col(command.column)}${command.cascade ? ' CASCADE' : ''}`;
    }
    case 'alter_type': {
      const column = table.columns.find((c) => c.name === command.column);
      const rewrite = !column || rewritesOnTypeChange(column.type, command.type);
      locks.addTree(table, AE, 'named', rewrite ? 'rewrite' : 'none', true, recurse);
      // FKs on the column (either side) are dropped and re-created: ACCESS EXCLUSIVE on the other table, which is
      // checked again when the values were rewritten.
      for (const fk of table.foreignKeys) if (fk.columns.includes(command.column)) locks.parent(fk, AE);
      for (const fk of fksReferencing(s, table)) {
        if (fk.refColumns.includes(command.column)) locks.child(fk, AE, rewrite && fk.validated && fk.enforced ? 'scan' : 'none');
      }
      return `ALTER COLUMN ${col(command.column)} TYPE ${command.type}`;
    }
    case 'set_not_null':
      locks.addTree(table, AE, 'named', 'scan', true, recurse);
      return `ALTER COLUMN ${col(command.column)} SET NOT NULL`;
    case 'drop_not_null':
      locks.addTree(table, AE, 'named', 'none', true, recurse);
      return `ALTER COLUMN ${col(command.column)} DROP NOT NULL`;
    case 'set_default':
    case 'drop_default':
      locks.addTree(table, AE, 'named', 'none', true, recurse);
      return `ALTER COLUMN ${col(command.column)} ${command.kind === 'set_default' ? 'SET' : 'DROP'} DEFAULT`;
    case 'add_identity':
    case 'drop_identity':
      locks.addTree(table, AE, 'named', 'none', true, recurse);
      return `ALTER COLUMN ${col(command.column)} ${command.kind === 'add_identity' ? 'ADD' : 'DROP'} IDENTITY`;
    case 'add_constraint':
      return addConstraint(s, locks, table, command.constraint, recurse);
    case 'drop_constraint': {
      locks.addTree(table, AE, 'named', 'none', table.checks.includes(command.name), recurse);
      const fk = table.foreignKeys.find((f) => f.name === command.name);
      if (fk) locks.parent(fk, AE);
      const key = table.primaryKey?.name === command.name ? table.primaryKey : table.uniques.find((u) => u.name === command.name);
      const index = key && table.indexes.find((i) => i.constraint === key.name);
      if (index && command.cascade) for (const f of fksReferencing(s, table)) if (f.refIndex === index) locks.child(f, AE);
      return `DROP CONSTRAINT ${col(command.name)}${command.cascade ? ' CASCADE' : ''}`;
    }
    case 'validate_constraint': {
      const fk = table.foreignKeys.find((f) => f.name === command.name);
      // An FK that is valid already is not checked again.
      const scan: Scan = fk && (fk.validated || !fk.enforced) ? 'none' : 'scan';
      locks.addTree(table, 'SHARE UPDATE EXCLUSIVE', 'named', scan, !fk, recurse);
      if (fk && scan === 'scan') locks.parent(fk, 'ROW SHARE');
      return `VALIDATE CONSTRAINT ${col(command.name)}`;
    }
    case 'alter_constraint':
      locks.add(table, AE, 'named');
      return `ALTER CONSTRAINT ${col(command.name)}`;
    case 'attach_partition': {
      const partition = s.lookup(command.partition, false);
      locks.add(table, 'SHARE UPDATE EXCLUSIVE', 'named');
      if (partition) {
        // The partition's rows are checked against its bounds, and against the FKs it inherits.
        locks.add(partition, AE, 'partition', 'scan');
        for (const fk of table.foreignKeys) locks.parent(fk, 'SHARE ROW EXCLUSIVE');
      }
      return `ATTACH PARTITION ${sqlName(command.partition)}`;
    }
    case 'detach_partition': {
      const partition = s.lookup(command.partition, false);
      locks.add(table, AE, 'named');
      if (partition) locks.add(partition, AE, 'partition');
      return `DETACH PARTITION ${sqlName(command.partition)}`;
    }
    case 'inherit':
    case 'no_inherit': {
      const parent = s.lookup(command.parent, false);
      locks.add(table, AE, 'named');
      if (parent) locks.add(parent, command.kind === 'inherit' ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS SHARE', 'partition');
      return `${command.kind === 'inherit' ? 'INHERIT' : 'NO INHERIT'} ${sqlName(command.parent)}`;
    }
    case 'redefine_column':
      return '';
  }
}

function addConstraint(s: ReplayState, locks: Locks, table: Table, c: ConstraintDefinition, recurse: boolean): string {
  const name = c.name ? `CONSTRAINT ${quoteIdent(c.name)} ` : '';
  const cols = c.columns.map(quoteIdent).join(', ');
  switch (c.kind) {
    case 'foreign': {
      const clause = c.foreign!;
      const parent = s.lookup(clause.refTable, false);
      // NOT VALID (and NOT ENFORCED) skip the check of the existing rows.
      const scan: Scan = c.notValid || c.notEnforced ? 'none' : 'scan';
      locks.addTree(table, 'SHARE ROW EXCLUSIVE', 'named', scan, false, recurse);
      if (parent && parent.id !== table.id) locks.add(parent, 'SHARE ROW EXCLUSIVE', 'fk-parent', 'none', c.name);
      return `ADD ${name}FOREIGN KEY (${cols}) REFERENCES ${sqlName(clause.refTable)}${c.notValid ? ' NOT VALID' : ''}`;
    }
    case 'check':
      locks.addTree(table, 'ACCESS EXCLUSIVE', 'named', c.notValid ? 'none' : 'scan', true, recurse);
      return `ADD ${name}CHECK${c.notValid ? ' NOT VALID' : ''}`;
    case 'primary':
    case 'unique':
    case 'exclusion': {
      // USING INDEX turns an index built earlier into the constraint's; otherwise the index is built here.
      locks.addTree(table, 'ACCESS EXCLUSIVE', 'named', c.usingIndex && c.kind !== 'primary' ? 'none' : 'scan', false, recurse);
      const what = c.kind === 'primary' ? 'PRIMARY KEY' : c.kind === 'unique' ? 'UNIQUE' : 'EXCLUDE';
      return `ADD ${name}${what}${cols ? ` (${cols})` : ''}`;
    }
  }
}

/** Defaults PostgreSQL evaluates once per row (volatile functions): ADD COLUMN must then rewrite the table. */
const VOLATILE_DEFAULT = /\b(random|gen_random_uuid|uuid_generate_v1|uuid_generate_v1mc|uuid_generate_v4|nextval|clock_timestamp|timeofday)\s*\(/i;

/**
 * Does changing a column's type rewrite the table? Not when the new type is binary-coercible from the old one
 * with no length check: the same type, a varchar made longer or unbounded (or text), numeric with more digits
 * and the same scale, or unconstrained.
 */
export function rewritesOnTypeChange(from: string, to: string): boolean {
  if (from === to) return false;
  const varchar = /^character varying(?:\((\d+)\))?$/;
  const a = varchar.exec(from);
  const b = varchar.exec(to);
  if ((a || from === 'text') && (to === 'text' || (b && !b[1]))) return false;
  if (a?.[1] && b?.[1] && Number(b[1]) >= Number(a[1])) return false;
  const numeric = /^numeric(?:\((\d+),(\d+)\))?$/;
  const n = numeric.exec(from);
  const m = numeric.exec(to);
  if (n && m && (!m[1] || (n[1] && n[2] === m[2] && Number(m[1]) >= Number(n[1])))) return false;
  return true;
}
