/**
 * Words shared by hovers, completion, code lenses and the CLI: how tables, FKs and referential actions are
 * named to a user (files: labels.ts).
 */
import type { WorkspaceModel } from '../workspace/workspace';
import type { FkAction, ForeignKey, SourceLocation, Table } from '../model/schema';
import type { LineCol } from '../sources/text';

/** `orders`, or `billing.orders` outside the public schema. */
export function tableLabel(t: { schema: string; name: string }): string {
  return t.schema === 'public' ? t.name : `${t.schema}.${t.name}`;
}

export function columnsLabel(columns: string[]): string {
  return columns.join(', ');
}

export const ACTIONS: readonly FkAction[] = ['NO ACTION', 'RESTRICT', 'CASCADE', 'SET NULL', 'SET DEFAULT'];

/** One line per action: what happens to a child row when its parent row is deleted / its key updated. */
export function actionDescription(action: FkAction, operation: 'DELETE' | 'UPDATE'): string {
  const parentEvent = operation === 'DELETE' ? 'the parent row is deleted' : "the parent's key changes";
  switch (action) {
    case 'CASCADE':
      return operation === 'DELETE' ? 'child rows are deleted with the parent row' : "child rows' FK columns take the new key";
    case 'SET NULL':
      return `child rows' FK columns are set to NULL when ${parentEvent}`;
    case 'SET DEFAULT':
      return `child rows' FK columns are reset to their DEFAULT when ${parentEvent}`;
    case 'RESTRICT':
      return `the statement fails at once while child rows still point at the parent`;
    case 'NO ACTION':
      return `the statement fails at the end of the statement (at commit if deferred) while child rows still point at the parent`;
  }
}

/** When PostgreSQL checks a blocking FK, in words. */
export function checkedAtText(fk: ForeignKey, action: FkAction): string {
  if (action === 'RESTRICT') return 'RESTRICT: checked at once';
  if (fk.deferrable && fk.initiallyDeferred) return 'NO ACTION, DEFERRABLE INITIALLY DEFERRED: checked at commit';
  return 'NO ACTION: checked at the end of the statement';
}

/** 0-based line/character of a location, from the line index of the text the reader saw. */
export function positionOf(model: WorkspaceModel, loc: SourceLocation): LineCol | undefined {
  const lines = model.sources.get(loc.file)?.lines;
  return lines?.position(loc.span.start);
}

/** `orders(user_id) → users(id)` */
export function fkLabel(fk: ForeignKey, tableById: Map<number, Table>): string {
  const child = tableById.get(fk.tableId);
  const parent = tableById.get(fk.refTableId);
  return `${child ? tableLabel(child) : '?'}(${columnsLabel(fk.columns)}) → ${parent ? tableLabel(parent) : '?'}(${columnsLabel(fk.refColumns)})`;
}

export const plural = (n: number, one: string, many = one + 's') => `${n} ${n === 1 ? one : many}`;
