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
import type { ForeignKey, Table } from '../schema';
import { findIndex } from './indexes';
import { lockRank } from './lockModes';
import { statementSummary } from './lockSummary';
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
  /**
   * Tables some FK references, and tables with partitions or inheritance children: built on first use in a step,
   * kept up to date as statements add FKs and partitions, dropped (built again when asked) after a statement that
   * may remove some. A history of thousands of tables then costs no scan of them per statement.
   */
  referenced?: Set<number>;
  parents?: Set<number>;
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
  /** Tables the statement makes referenced by an FK it adds (the session's cache learns them after it). */
  readonly newlyReferenced: number[] = [];

  constructor(
    private readonly s: ReplayState,
    private readonly session: LockSession,
  ) {}

  /** Is the table referenced by some FK just before the statement? */
  isReferenced(id: number): boolean {
    if (!this.session.referenced) {
      this.session.referenced = new Set();
      for (const t of this.s.tables.peekValues()) for (const fk of t.foreignKeys) this.session.referenced.add(fk.refTableId);
    }
    return this.session.referenced.has(id);
  }

  /** Partitions (and inheritance children), recursively. */
  descendants(table: Table, inheritance: boolean): Table[] {
    if (!this.session.parents) {
      this.session.parents = new Set();
      for (const t of this.s.tables.peekValues()) {
        if (t.partitionOf !== undefined) this.session.parents.add(t.partitionOf);
        for (const id of t.inherits) this.session.parents.add(id);
      }
    }
    return this.session.parents.has(table.id) ? descendants(this.s, table, inheritance) : [];
  }

  /** The FKs that reference a table (none without a scan when the table is referenced by nothing). */
  referencing(table: Table): ForeignKey[] {
    return this.isReferenced(table.id) ? fksReferencing(this.s, table) : [];
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
        via,
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
      found.via = via;
    }
    if (reason === 'fk-parent') found.referenced = true;
  }

  /** A table the statement holds in `mode`, and its partitions (and, with `inheritance`, its inheritance children). */
  addTree(table: Table, mode: LockMode, reason: LockReason, scan: Scan, inheritance: boolean, recurse: boolean): void {
    this.add(table, mode, reason, table.partitioned ? 'none' : scan);
    if (!recurse) return;
    for (const child of this.descendants(table, inheritance)) this.add(child, mode, 'partition', child.partitioned ? 'none' : scan);
  }

  /** The FK's referenced table (not the table itself: a self-reference adds nothing). */
  parent(fk: ForeignKey, mode: LockMode, scan: Scan = 'none'): void {
    const parent = this.s.tables.peek(fk.refTableId);
    if (parent && parent.id !== fk.tableId) this.add(parent, mode, 'fk-parent', scan, fk.name);
  }

  child(fk: ForeignKey, mode: LockMode, scan: Scan = 'none'): void {
    const child = this.s.tables.peek(fk.tableId);
    if (child && child.id !== fk.refTableId) this.add(child, mode, 'fk-child', scan, fk.name);
  }

  /** Does some locked table take part in a foreign key (before the statement, or through it)? */
  touchesForeignKey(): boolean {
    if (this.declaresForeignKey) return true;
    for (const lock of this.byTable.values()) {
      if (lock.reason === 'fk-parent' || lock.reason === 'fk-child' || lock.referenced) return true;
      if (this.s.tables.peek(lock.tableId)?.foreignKeys.length) return true;
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
    for (const t of s.tables.peekValues()) {
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

const fksReferencing = (s: ReplayState, table: Table): ForeignKey[] => [...s.tables.peekValues()].flatMap((t) => t.foreignKeys.filter((f) => f.refTableId === table.id));

/**
 * Records what `event` locks, before the replay applies it (called for every event of a PostgreSQL history).
 * Also follows SET lock_timeout and the transaction boundaries of the migration's session.
 */
export function recordLocks(s: ReplayState, event: SchemaEvent): void {
  // PostgreSQL's locks (CockroachDB reads PostgreSQL's DDL but changes schemas online, without these locks).
  if (s.policy.dialect !== 'postgres' || (s.history.dialect ?? 'postgres') !== 'postgres') return;
  const session = sessionOf(s);
  if (followSession(s, session, event)) return;
  const locks = new Locks(s, session);
  try {
    recordStatement(s, session, locks, event);
  } finally {
    learn(session, locks, event);
  }
}

/** Keeps the session's caches true for the next statement: what `event` adds is learnt, what it may remove drops them. */
function learn(session: LockSession, locks: Locks, event: SchemaEvent): void {
  const removes =
    event.kind === 'drop_table' ||
    event.kind === 'drop_schema' ||
    event.kind === 'drop_index' ||
    (event.kind === 'alter_table' && event.commands.some((c) => c.kind === 'drop_constraint' || c.kind === 'drop_column' || c.kind === 'attach_partition' || c.kind === 'detach_partition' || c.kind === 'inherit' || c.kind === 'no_inherit'));
  if (removes) {
    session.referenced = undefined;
    session.parents = undefined;
    return;
  }
  for (const id of locks.newlyReferenced) session.referenced?.add(id);
  if (event.kind === 'create_table') {
    for (const lock of locks.byTable.values()) if (lock.reason === 'partition') session.parents?.add(lock.tableId);
  }
}

function recordStatement(s: ReplayState, session: LockSession, locks: Locks, event: SchemaEvent): void {
  const names: QualifiedName[] = [];
  let concurrently = false;
  switch (event.kind) {
    case 'create_table':
      if (!createTable(s, locks, event)) return;
      names.push(event.table);
      break;
    case 'alter_table': {
      const table = s.peekLookup(event.table);
      if (!table) return;
      names.push(event.table);
      for (const command of event.commands) alterCommand(s, locks, table, command, !event.only);
      break;
    }
    case 'create_index': {
      const table = s.peekLookup(event.table);
      if (!table) return;
      names.push(event.table);
      concurrently = event.concurrently;
      locks.addTree(table, event.concurrently ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE', 'named', 'scan', false, !event.only);
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
        if (event.cascade) for (const fk of locks.referencing(found.table).filter((f) => f.refIndex === found.index)) locks.child(fk, 'ACCESS EXCLUSIVE');
      }
      break;
    }
    case 'drop_table': {
      const dropped = event.names.map((n) => s.peekLookup(n)).filter((t): t is Table => !!t);
      names.push(...event.names);
      dropTables(s, locks, dropped, event.cascade);
      break;
    }
    case 'drop_schema': {
      const dropped = [...s.tables.peekValues()].filter((t) => event.names.some((n) => n.name === t.schema));
      dropTables(s, locks, dropped, event.cascade);
      break;
    }
    case 'truncate': {
      const queue = event.names.map((n) => s.peekLookup(n)).filter((t): t is Table => !!t);
      names.push(...event.names);
      const done = new Set<number>();
      for (let i = 0; i < queue.length; i++) {
        const table = queue[i];
        if (done.has(table.id)) continue;
        done.add(table.id);
        locks.addTree(table, 'ACCESS EXCLUSIVE', i < event.names.length ? 'named' : 'fk-child', 'none', true, true);
        // CASCADE empties every table that references a truncated one, and the tables referencing those.
        if (event.cascade) for (const fk of locks.referencing(table)) if (!done.has(fk.tableId)) {
          locks.child(fk, 'ACCESS EXCLUSIVE');
          const child = s.tables.peek(fk.tableId);
          if (child) queue.push(child);
        }
      }
      break;
    }
    case 'lock_table':
      for (const name of event.names) {
        const table = s.peekLookup(name);
        if (!table) continue;
        names.push(name);
        locks.addTree(table, event.mode, 'named', 'none', true, true);
      }
      break;
    case 'rename_table':
    case 'rename_column':
    case 'rename_constraint': {
      const table = s.peekLookup(event.target);
      if (!table) return; // an index renamed with ALTER TABLE locks no table
      names.push(event.target);
      locks.add(table, 'ACCESS EXCLUSIVE', 'named');
      break;
    }
    case 'set_schema': {
      if (event.objectKind !== 'table') return;
      const table = s.peekLookup(event.target);
      if (!table) return;
      names.push(event.target);
      locks.add(table, 'ACCESS EXCLUSIVE', 'named');
      break;
    }
    default:
      return;
  }
  if (!locks.byTable.size || !locks.touchesForeignKey()) return;
  const timeout = session.local?.enabled ? session.local : session.local ? undefined : session.session?.enabled ? session.session : undefined;
  s.statementLocks.push({
    step: s.step,
    file: s.file,
    statement: event.statement,
    summary: statementSummary(event),
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


function createTable(s: ReplayState, locks: Locks, event: Extract<SchemaEvent, { kind: 'create_table' }>): boolean {
  const schema = s.creationSchema(event.table);
  if (s.tableIds.has(`${schema}.${event.table.name}`)) return false; // IF NOT EXISTS: nothing happens; else it fails
  // The id the replay is about to give the new table.
  locks.add({ id: s.nextId, schema, name: event.table.name, createdStep: s.step }, 'ACCESS EXCLUSIVE', 'created');
  const constraints = [...event.columns.flatMap((c) => c.constraints), ...event.constraints];
  for (const c of constraints) {
    if (c.kind !== 'foreign' || !c.foreign) continue;
    locks.declaresForeignKey = true;
    const parent = s.peekLookup(c.foreign.refTable);
    const self = (c.foreign.refTable.schema ?? schema) === schema && c.foreign.refTable.name === event.table.name;
    if (parent || self) locks.newlyReferenced.push(parent?.id ?? s.nextId);
    if (parent && !c.notEnforced) locks.add(parent, 'SHARE ROW EXCLUSIVE', 'fk-parent', 'none', c.name);
  }
  if (event.partitionOf) {
    const parent = s.peekLookup(event.partitionOf);
    if (parent) {
      locks.add(parent, 'ACCESS EXCLUSIVE', 'partition');
      // The partition gets a copy of each of the partitioned table's FKs.
      for (const fk of parent.foreignKeys) locks.parent(fk, 'SHARE ROW EXCLUSIVE');
    }
  }
  for (const name of event.inherits) {
    const parent = s.peekLookup(name);
    if (parent) locks.add(parent, 'SHARE UPDATE EXCLUSIVE', 'partition');
  }
  for (const like of event.like) {
    const source = s.peekLookup(like.table);
    if (source) locks.add(source, 'ACCESS SHARE', 'like');
  }
  return true;
}

function dropTables(s: ReplayState, locks: Locks, named: Table[], cascade: boolean): void {
  const dropped = new Set<number>();
  const all: Table[] = [];
  for (const table of named) {
    for (const t of [table, ...locks.descendants(table, cascade)]) {
      if (dropped.has(t.id)) continue;
      dropped.add(t.id);
      all.push(t);
    }
  }
  for (const t of all) locks.add(t, 'ACCESS EXCLUSIVE', named.includes(t) ? 'dropped' : 'partition');
  for (const t of all) {
    // The FK's triggers on its parent are dropped with it.
    for (const fk of t.foreignKeys) if (!dropped.has(fk.refTableId)) locks.parent(fk, 'ACCESS EXCLUSIVE');
    if (cascade) for (const fk of locks.referencing(t)) if (!dropped.has(fk.tableId)) locks.child(fk, 'ACCESS EXCLUSIVE');
  }
}

/** The locks of one ALTER TABLE subcommand. */
function alterCommand(s: ReplayState, locks: Locks, table: Table, command: AlterTableCommand, recurse: boolean): void {
  const AE: LockMode = 'ACCESS EXCLUSIVE';
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
        const parent = s.peekLookup(c.foreign!.refTable);
        if (parent) locks.newlyReferenced.push(parent.id);
        if (parent && parent.id !== table.id) locks.add(parent, 'SHARE ROW EXCLUSIVE', 'fk-parent', 'none', c.name);
      }
      return;
    }
    case 'drop_column': {
      locks.addTree(table, AE, 'named', 'none', true, recurse);
      // Constraints on the column go with it: its FKs' triggers on their parents; with CASCADE, the FKs that reference it.
      for (const fk of table.foreignKeys) if (fk.columns.includes(command.column)) locks.parent(fk, AE);
      if (command.cascade) for (const fk of locks.referencing(table)) if (fk.refColumns.includes(command.column)) locks.child(fk, AE);
      return;
    }
    case 'alter_type': {
      const column = table.columns.find((c) => c.name === command.column);
      const rewrite = !column || rewritesOnTypeChange(column.type, command.type);
      locks.addTree(table, AE, 'named', rewrite ? 'rewrite' : 'none', true, recurse);
      // FKs on the column (either side) are dropped and re-created: ACCESS EXCLUSIVE on the other table, which is
      // checked again when the values were rewritten.
      for (const fk of table.foreignKeys) if (fk.columns.includes(command.column)) locks.parent(fk, AE);
      for (const fk of locks.referencing(table)) {
        if (fk.refColumns.includes(command.column)) locks.child(fk, AE, rewrite && fk.validated && fk.enforced ? 'scan' : 'none');
      }
      return;
    }
    case 'set_not_null':
      locks.addTree(table, AE, 'named', 'scan', true, recurse);
      return;
    case 'drop_not_null':
      locks.addTree(table, AE, 'named', 'none', true, recurse);
      return;
    case 'set_default':
    case 'drop_default':
      locks.addTree(table, AE, 'named', 'none', true, recurse);
      return;
    case 'add_identity':
    case 'drop_identity':
      locks.addTree(table, AE, 'named', 'none', true, recurse);
      return;
    case 'add_constraint':
      return addConstraint(s, locks, table, command.constraint, recurse);
    case 'drop_constraint': {
      locks.addTree(table, AE, 'named', 'none', table.checks.includes(command.name), recurse);
      const fk = table.foreignKeys.find((f) => f.name === command.name);
      if (fk) locks.parent(fk, AE);
      const key = table.primaryKey?.name === command.name ? table.primaryKey : table.uniques.find((u) => u.name === command.name);
      const index = key && table.indexes.find((i) => i.constraint === key.name);
      if (index && command.cascade) for (const f of locks.referencing(table)) if (f.refIndex === index) locks.child(f, AE);
      return;
    }
    case 'validate_constraint': {
      const fk = table.foreignKeys.find((f) => f.name === command.name);
      // An FK that is valid already is not checked again.
      const scan: Scan = fk && (fk.validated || !fk.enforced) ? 'none' : 'scan';
      locks.addTree(table, 'SHARE UPDATE EXCLUSIVE', 'named', scan, !fk, recurse);
      if (fk && scan === 'scan') locks.parent(fk, 'ROW SHARE');
      return;
    }
    case 'alter_constraint':
      locks.add(table, AE, 'named');
      return;
    case 'attach_partition': {
      const partition = s.peekLookup(command.partition);
      locks.add(table, 'SHARE UPDATE EXCLUSIVE', 'named');
      if (partition) {
        // The partition's rows are checked against its bounds, and against the FKs it inherits.
        locks.add(partition, AE, 'partition', 'scan');
        for (const fk of table.foreignKeys) locks.parent(fk, 'SHARE ROW EXCLUSIVE');
      }
      return;
    }
    case 'detach_partition': {
      const partition = s.peekLookup(command.partition);
      locks.add(table, AE, 'named');
      if (partition) locks.add(partition, AE, 'partition');
      return;
    }
    case 'inherit':
    case 'no_inherit': {
      const parent = s.peekLookup(command.parent);
      locks.add(table, AE, 'named');
      if (parent) locks.add(parent, command.kind === 'inherit' ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS SHARE', 'partition');
      return;
    }
    case 'redefine_column':
      return;
  }
}

function addConstraint(s: ReplayState, locks: Locks, table: Table, c: ConstraintDefinition, recurse: boolean): void {
  switch (c.kind) {
    case 'foreign': {
      const clause = c.foreign!;
      const parent = s.peekLookup(clause.refTable);
      // NOT VALID (and NOT ENFORCED) skip the check of the existing rows.
      const scan: Scan = c.notValid || c.notEnforced ? 'none' : 'scan';
      locks.addTree(table, 'SHARE ROW EXCLUSIVE', 'named', scan, false, recurse);
      if (parent) locks.newlyReferenced.push(parent.id);
      if (parent && parent.id !== table.id) locks.add(parent, 'SHARE ROW EXCLUSIVE', 'fk-parent', 'none', c.name);
      return;
    }
    case 'check':
      locks.addTree(table, 'ACCESS EXCLUSIVE', 'named', c.notValid ? 'none' : 'scan', true, recurse);
      return;
    case 'primary':
    case 'unique':
    case 'exclusion': {
      // USING INDEX turns an index built earlier into the constraint's; otherwise the index is built here.
      locks.addTree(table, 'ACCESS EXCLUSIVE', 'named', c.usingIndex && c.kind !== 'primary' ? 'none' : 'scan', false, recurse);
      return;
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
