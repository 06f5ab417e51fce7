/**
 * Hover content as Markdown: on a table name, what one DELETE of its rows (or UPDATE of its key) does to
 * the rest of the database; on a foreign key, its target, actions, serving index, deferrability and
 * validation; on a column, who references it. Pure: the server turns the result into an LSP Hover.
 */
import { computeReach, referencingForeignKeys } from '../analysis/reach';
import { withArticle } from '../analysis/rule';
import type { HistoryModel } from '../model/replay';
import { indexesServing } from '../model/indexing';
import { qualifiedName, type Column, type ForeignKey, type Index, type SourceLocation, type Table } from '../model/schema';
import type { LineCol, Span } from '../sources/text';
import type { WorkspaceModel } from '../workspace/workspace';
import { actionDescription, columnsLabel, fileLine, fkLabel, plural, positionOf, tableLabel } from './describe';
import { withLocks } from './lockView';
import { DEFAULT_MAX_SHOWN, reachLines } from './reachView';
import { targetAt, type Target } from './target';

export interface HoverOptions {
  /** A link that opens a declaration (file, 0-based position); without it, file:line is shown as text. */
  link?: (file: string, position: LineCol) => string | undefined;
  /** A link that opens the ERD focused on a table (by its qualified name); without it, no ERD link. */
  erdLink?: (qualifiedName: string) => string | undefined;
  /** Most reach-tree nodes shown (default 40). */
  maxShown?: number;
}

export interface HoverResult {
  markdown: string;
  span: Span;
}

export function hoverAt(model: WorkspaceModel, file: string, offset: number, options: HoverOptions = {}): HoverResult | undefined {
  const target = targetAt(model, file, offset);
  const markdown = target && hoverFor(model, target, options);
  // On a migration statement, what it locks comes first (features/lockView.ts).
  return withLocks(model, file, offset, target && markdown ? { markdown, span: target.span } : undefined, options);
}

export function hoverFor(model: WorkspaceModel, target: Target, options: HoverOptions = {}): string | undefined {
  switch (target.kind) {
    case 'table':
      return tableHover(model, target.history, target.table, target.context === 'update' ? 'UPDATE' : 'DELETE', options);
    case 'foreign-key':
      return fkHover(model, target.history, target.fk, options);
    case 'column': {
      const parts: string[] = [];
      if (target.role === 'fk-columns' && target.fk) parts.push(fkHover(model, target.history, target.fk, options));
      else parts.push(columnHeader(target.table, target.column));
      const own = ownForeignKeys(target.table, target.column).filter((fk) => fk !== target.fk);
      if (own.length && target.role !== 'fk-columns') parts.push(ownList(model, target.history, own, options));
      const referencing = referencedBy(target.history, target.table, target.column);
      if (referencing.length) parts.push(referencedByList(model, target.history, target.table, target.column, referencing, options));
      return parts.join('\n\n');
    }
    case 'index':
      return indexHover(model, target.history, target.table, target.index, options);
  }
}

// ---------------------------------------------------------------------------------------------------------

function link(model: WorkspaceModel, loc: SourceLocation, options: HoverOptions): string {
  const text = fileLine(model, loc);
  const position = positionOf(model, loc);
  const target = position && options.link?.(loc.file, position);
  return target ? `[${text}](${target})` : `\`${text}\``;
}

function tableHover(model: WorkspaceModel, history: HistoryModel, table: Table, first: 'DELETE' | 'UPDATE', options: HoverOptions): string {
  const maxShown = options.maxShown ?? DEFAULT_MAX_SHOWN;
  const view = { markdown: true, link: options.link, maxShown };
  const reach = computeReach(history, table.id, first);
  const lines = reachLines(model, reach, view);
  if (first === 'DELETE') {
    // The same for UPDATE of the key, when it does anything.
    const update = computeReach(history, table.id, 'UPDATE');
    if (update.children.length) {
      lines.push('', '---', '');
      lines.push(...reachLines(model, update, { ...view, maxShown: Math.max(5, maxShown >> 2) }));
    }
  }
  lines.push('', '---', '');
  const footer = [`${tableLabel(table)} declared at ${link(model, table.location, options)}`];
  const erd = options.erdLink?.(qualifiedName(table));
  if (erd) footer.push(`[Show in ERD](${erd})`);
  lines.push(footer.join(' · '));
  return lines.join('\n');
}

export function fkHover(model: WorkspaceModel, history: HistoryModel, fk: ForeignKey, options: HoverOptions): string {
  const child = history.tableById.get(fk.tableId);
  const parent = history.tableById.get(fk.refTableId);
  const lines: string[] = [];
  lines.push(`**FOREIGN KEY ${fk.name}**: \`${fkLabel(fk, history.tableById)}\``);
  lines.push('');
  const setCols = fk.setColumns ? ` (${columnsLabel(fk.setColumns)})` : '';
  lines.push(`- **ON DELETE ${fk.onDelete}${setCols}**: ${actionDescription(fk.onDelete, 'DELETE')}`);
  lines.push(`- **ON UPDATE ${fk.onUpdate}**: ${actionDescription(fk.onUpdate, 'UPDATE')}`);
  if (child) {
    const serving = indexesServing(fk, child);
    if (serving.length) {
      lines.push(`- **Index**: ${serving.map((i) => `\`${i.name}\` (${link(model, i.location, options)})`).join(', ')} serves it`);
    } else {
      lines.push(
        `- **No index** serves ${tableLabel(child)}(${columnsLabel(fk.columns)}): every DELETE or key UPDATE of ${withArticle(parent ? tableLabel(parent) : 'parent')} row scans ${tableLabel(child)}`,
      );
    }
  }
  if (parent) {
    lines.push(
      fk.refIndex
        ? `- **Referenced key**: \`${fk.refIndex.name}\` on ${tableLabel(parent)}(${columnsLabel(fk.refColumns)})`
        : `- **No unique key** of ${tableLabel(parent)} matches (${columnsLabel(fk.refColumns)}): PostgreSQL refuses this FK`,
    );
  }
  lines.push(`- **Deferrable**: ${fk.deferrable ? (fk.initiallyDeferred ? 'DEFERRABLE INITIALLY DEFERRED (checked at commit)' : 'DEFERRABLE INITIALLY IMMEDIATE') : 'no'}`);
  if (!fk.enforced) lines.push('- **NOT ENFORCED**: PostgreSQL does not check it');
  else if (fk.validated) lines.push(`- **Validated**: yes${fk.validatedAt ? ` (VALIDATE CONSTRAINT at ${link(model, fk.validatedAt, options)})` : ''}`);
  else lines.push('- **NOT VALID**: rows that existed when it was added were never checked');
  if (fk.match !== 'SIMPLE') lines.push(`- **MATCH ${fk.match}**`);
  lines.push('');
  lines.push(`Declared at ${link(model, fk.location, options)}`);
  return lines.join('\n');
}

function columnHeader(table: Table, column: Column): string {
  const flags = [column.type, column.notNull ? 'NOT NULL' : '', column.default !== undefined ? `DEFAULT ${column.default}` : ''].filter(Boolean);
  return `**${tableLabel(table)}.${column.name}** \`${flags.join(' ')}\``;
}

function ownForeignKeys(table: Table, column: Column): ForeignKey[] {
  return table.foreignKeys.filter((fk) => fk.columns.includes(column.name));
}

function referencedBy(history: HistoryModel, table: Table, column: Column): ForeignKey[] {
  return referencingForeignKeys(history, table.id).filter((fk) => fk.refColumns.includes(column.name));
}

function ownList(model: WorkspaceModel, history: HistoryModel, fks: ForeignKey[], options: HoverOptions): string {
  const lines = [`References (${plural(fks.length, 'foreign key')}):`];
  for (const fk of fks) lines.push(`- \`${fkLabel(fk, history.tableById)}\` ON DELETE ${fk.onDelete}, ON UPDATE ${fk.onUpdate} (${link(model, fk.location, options)})`);
  return lines.join('\n');
}

function referencedByList(model: WorkspaceModel, history: HistoryModel, table: Table, column: Column, fks: ForeignKey[], options: HoverOptions): string {
  const lines = [`**${tableLabel(table)}.${column.name}** is referenced by ${plural(fks.length, 'foreign key')}:`];
  for (const fk of fks) {
    const child = history.tableById.get(fk.tableId);
    lines.push(
      `- ${child ? tableLabel(child) : '?'}(${columnsLabel(fk.columns)}): ON DELETE ${fk.onDelete}, ON UPDATE ${fk.onUpdate} (${link(model, fk.location, options)})`,
    );
  }
  return lines.join('\n');
}

function indexHover(model: WorkspaceModel, history: HistoryModel, table: Table, index: Index, options: HoverOptions): string {
  const columns = index.columns.map((c, i) => c ?? index.expressions[i] ?? 'expr');
  const lines = [`**INDEX ${index.name}** on \`${tableLabel(table)}(${columnsLabel(columns)})\`${index.unique ? ' (unique)' : ''}${index.where ? ` WHERE ${index.where}` : ''}`];
  const serves = table.foreignKeys.filter((fk) => indexesServing(fk, table).includes(index));
  if (serves.length) {
    lines.push('');
    lines.push(`Serves ${serves.map((fk) => `\`${fkLabel(fk, history.tableById)}\``).join(', ')}`);
  }
  lines.push('');
  lines.push(`Declared at ${link(model, index.location, options)}`);
  return lines.join('\n');
}
