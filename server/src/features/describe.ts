/**
 * Words shared by hovers, completion, code lenses and the CLI: how tables, FKs and referential actions are
 * named to a user (files: labels.ts).
 */
import type { WorkspaceModel } from '../workspace/workspace';
import type { FkAction, ForeignKey, SourceLocation, Table } from '../model/schema';
import type { LineCol } from '../sources/text';
import type { ReachNode } from '../analysis/reach';

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
      return `the statement fails if child rows still point at the parent when it is checked, at the end of the statement; unlike NO ACTION it cannot be deferred`;
    case 'NO ACTION':
      return `the statement fails if child rows still point at the parent when it is checked, at the end of the statement (at commit if deferred)`;
  }
}

/** When the engine checks a blocking FK of a reach, in words (see BlockingEntry.checkedAt). */
export function checkedAtText(node: ReachNode, action: FkAction): string {
  if (node.checkedAt === 'immediately') return `${action}: checked at once, row by row`;
  if (node.checkedAt === 'commit') return 'NO ACTION, DEFERRABLE INITIALLY DEFERRED: checked at commit';
  if (action === 'RESTRICT') return 'RESTRICT: checked at the end of the statement (cannot be deferred)';
  return `NO ACTION: checked at the end of the statement${node.via.deferrable ? ' (DEFERRABLE: at commit when deferred)' : ''}`;
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
