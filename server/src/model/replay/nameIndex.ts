/**
 * The constraint names of each schema, kept in step with the replay (PostgreSQL's pg_constraint looked up by
 * (conname, connamespace)): choosing a default name (`_fkey`, `_fkey1`, ..., model/names.ts) asks whether a
 * candidate is taken in O(1) instead of scanning every table of the schema.
 *
 * Exactly the names `constraintNames(t)` of every table `t` of the replay (`s.tables`), counted per schema
 * (explicit names may repeat across tables: only index-backed ones are unique). A table's names enter with the
 * table (TableMap.set) and leave with it (TableMap.delete); in between every change goes through
 * `ReplayState.constraintAdded` / `constraintRemoved` / `setSchema` (or the helpers of constraints.ts that call
 * them). test/unit/name-index.test.ts compares it with a full scan after every statement of random histories.
 *
 * Checkpoints share it like the tables (ARCHITECTURE "Replay checkpoints share structure"): `clone` copies only
 * the map of schemas; a schema's names are copied by whichever replay writes to them first.
 */
import type { Table } from '../schema';

export class ConstraintNameIndex {
  private readonly bySchema: Map<string, Map<string, number>>;
  /** The schemas' name maps this index may change in place (created or copied by it). */
  private owned = new Set<Map<string, number>>();
  /**
   * Per schema and default-name family (names.ts nameFamily): a pass every earlier one of which is a taken name.
   * True while no name is removed (then all are forgotten); a clone starts without any.
   */
  private readonly hints = new Map<string, { pass: number }>();

  constructor(from?: ConstraintNameIndex) {
    this.bySchema = new Map(from?.bySchema);
  }

  has(schema: string, name: string): boolean {
    return this.bySchema.get(schema)?.has(name) ?? false;
  }

  add(schema: string, name: string): void {
    const names = this.own(schema);
    names.set(name, (names.get(name) ?? 0) + 1);
  }

  remove(schema: string, name: string): void {
    if (this.hints.size) this.hints.clear();
    const names = this.own(schema);
    const n = names.get(name) ?? 0;
    if (n > 1) names.set(name, n - 1);
    else names.delete(name);
  }

  /**
   * Where chooseName may start for a family of default names in a schema (see hints); chooseName moves it to
   * the pass it picks. A choice that keeps colliding (long names cut to the same 63 bytes) so tries each
   * candidate once per history, not once per constraint.
   */
  hint(schema: string, family: string): { pass: number } {
    const key = `${schema}\0${family}`;
    let hint = this.hints.get(key);
    if (!hint) this.hints.set(key, (hint = { pass: 0 }));
    return hint;
  }

  addTable(table: Table): void {
    forEachConstraintName(table, (name) => this.add(table.schema, name));
  }

  removeTable(table: Table): void {
    forEachConstraintName(table, (name) => this.remove(table.schema, name));
  }

  /** The names of one schema with how many constraints bear each (for tests). */
  names(schema: string): ReadonlyMap<string, number> {
    return this.bySchema.get(schema) ?? new Map();
  }

  /** Schemas holding at least one name (for tests). */
  schemas(): string[] {
    return [...this.bySchema].filter(([, names]) => names.size > 0).map(([schema]) => schema);
  }

  /** A copy that shares every schema's names with this index until one of them writes to it. */
  clone(): ConstraintNameIndex {
    this.owned = new Set();
    return new ConstraintNameIndex(this);
  }

  private own(schema: string): Map<string, number> {
    const names = this.bySchema.get(schema);
    if (names && this.owned.has(names)) return names;
    const copy = new Map(names);
    this.bySchema.set(schema, copy);
    this.owned.add(copy);
    return copy;
  }
}

/** Every constraint name of a table (see constraintNames in state.ts), without building an array. */
export function forEachConstraintName(table: Table, f: (name: string) => void): void {
  if (table.primaryKey) f(table.primaryKey.name);
  for (const u of table.uniques) f(u.name);
  for (const fk of table.foreignKeys) f(fk.name);
  for (const c of table.checks) f(c);
}
