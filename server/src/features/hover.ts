/**
 * Hover content as Markdown: on a table name, what one DELETE of its rows (or UPDATE of its key) does to
 * the rest of the database; on a foreign key, its target, actions, serving index, deferrability and
 * validation; on a column, who references it. Every hover leads with one summary line and its links (ERD,
 * peek, declaration) and stays short whatever the size of the schema: the whole picture is one click away.
 * Names and paths are escaped (markdown.ts); files are named by their shortest unique suffix (labels.ts).
 * Pure: the server turns the result into an LSP Hover.
 */
import { computeReach, referencingForeignKeys } from '../analysis/reach';
import { withArticle } from '../analysis/rule';
import type { HistoryModel } from '../model/replay';
import { indexesServing } from '../model/indexing';
import { qualifiedName, type Column, type ForeignKey, type Index, type SourceLocation, type Table } from '../model/schema';
import type { LineCol, Span } from '../sources/text';
import type { WorkspaceModel } from '../workspace/workspace';
import { actionDescription, columnsLabel, fkLabel, plural, positionOf, tableLabel } from './describe';
import { locationLabel } from './labels';
import { withLocks } from './lockView';
import { mdCode, mdCodeInLink, mdLink, mdText } from './markdown';
import { hoverSummary, reachHoverLines } from './reachView';
import { targetAt, type Target } from './target';

export interface HoverOptions {
  /** A link that opens a declaration (file, 0-based position); without it, file:line is shown as text. */
  link?: (file: string, position: LineCol) => string | undefined;
  /** A link that opens the ERD focused on a table (by its qualified name); without it, no ERD link. */
  erdLink?: (qualifiedName: string) => string | undefined;
  /** A link that opens the whole reach and references of a table (by its qualified name) in a peek. */
  peekLink?: (qualifiedName: string) => string | undefined;
  /** Most lines of cascade tree in a table hover (default 6). */
  treeLines?: number;
}

export interface HoverResult {
  markdown: string;
  span: Span;
}

/** Most FKs a column hover lists before "and N more". */
const MAX_LISTED = 6;

export function hoverAt(model: WorkspaceModel, file: string, offset: number, options: HoverOptions = {}): HoverResult | undefined {
  const target = targetAt(model, file, offset);
  const markdown = target && hoverFor(model, target, options, file);
  // On a migration statement, what it locks comes first (features/lockView.ts).
  return withLocks(model, file, offset, target && markdown ? { markdown, span: target.span } : undefined, options);
}

/** `file`: the file of the target's span (a hover on a table's own CREATE TABLE then leaves out "declared at"). */
export function hoverFor(model: WorkspaceModel, target: Target, options: HoverOptions = {}, file?: string): string | undefined {
  switch (target.kind) {
    case 'table': {
      // On the table's own CREATE TABLE, "declared at" would point at itself.
      const loc = target.table.location;
      const own = target.context === 'create' && loc.file === file && loc.span.start === target.span.start && loc.span.end === target.span.end;
      return tableHover(model, target.history, target.table, target.context === 'update' ? 'UPDATE' : 'DELETE', options, own);
    }
    case 'foreign-key':
      return fkHover(model, target.history, target.fk, options);
    case 'column':
      return columnHover(model, target.history, target.table, target.column, target.role === 'fk-columns' ? target.fk : undefined, options);
    case 'index':
      return indexHover(model, target.history, target.table, target.index, options);
  }
}

// ---------------------------------------------------------------------------------------------------------

/** `[label:line](uri)`, or the label as code when there is no link. */
function link(model: WorkspaceModel, loc: SourceLocation, options: HoverOptions): string {
  const text = locationLabel(model, loc);
  const position = positionOf(model, loc);
  const target = position && options.link?.(loc.file, position);
  return target ? mdLink(mdText(text), target) : mdCode(text);
}

/** The links line: declaration, then the ERD and peek links of a table. `labels` are Markdown (names escaped). */
function linksLine(model: WorkspaceModel, table: Table | undefined, declared: SourceLocation, options: HoverOptions, labels: { erd?: string; peek?: string } = {}): string {
  const parts = [`declared at ${link(model, declared, options)}`];
  const erd = table && options.erdLink?.(qualifiedName(table));
  if (erd) parts.push(mdLink(labels.erd ?? 'Show in ERD', erd));
  const peek = table && labels.peek && options.peekLink?.(qualifiedName(table));
  if (peek) parts.push(mdLink(labels.peek!, peek));
  return parts.join(' · ');
}

function tableHover(model: WorkspaceModel, history: HistoryModel, table: Table, first: 'DELETE' | 'UPDATE', options: HoverOptions, atDeclaration = false): string {
  const reach = computeReach(history, table.id, first);
  const qn = qualifiedName(table);
  const lines = reachHoverLines(model, reach, {
    link: options.link,
    erdLink: options.erdLink?.(qn),
    peekLink: options.peekLink?.(qn),
    treeLines: options.treeLines,
    declaration: atDeclaration ? undefined : `declared at ${link(model, table.location, options)}`,
  });
  if (first === 'DELETE') {
    // The key UPDATE in one line, when it does anything (the peek shows its tree).
    const update = computeReach(history, table.id, 'UPDATE');
    if (update.children.length) lines.push('', `**UPDATE of the key**: ${hoverSummary(update)}`);
  }
  return lines.join('\n');
}

export function fkHover(model: WorkspaceModel, history: HistoryModel, fk: ForeignKey, options: HoverOptions): string {
  const child = history.tableById.get(fk.tableId);
  const parent = history.tableById.get(fk.refTableId);
  const lines: string[] = [];
  lines.push(`**FOREIGN KEY ${mdText(fk.name)}**: ${mdCode(fkLabel(fk, history.tableById))}\\`);
  lines.push(linksLine(model, parent, fk.location, options, { erd: parent ? `Show ${mdCodeInLink(tableLabel(parent))} in ERD` : undefined }));
  lines.push('');
  const setCols = fk.setColumns ? ` (${mdText(columnsLabel(fk.setColumns))})` : '';
  lines.push(`- **ON DELETE ${fk.onDelete}${setCols}**: ${actionDescription(fk.onDelete, 'DELETE')}`);
  lines.push(`- **ON UPDATE ${fk.onUpdate}**: ${actionDescription(fk.onUpdate, 'UPDATE')}`);
  if (child) {
    const serving = indexesServing(fk, child);
    if (serving.length) {
      const shown = serving.slice(0, 2).map((i) => `${mdCode(i.name)} (${link(model, i.location, options)})`);
      const more = serving.length > 2 ? ` and ${serving.length - 2} more` : '';
      lines.push(`- **Index**: ${shown.join(', ')}${more} ${serving.length === 1 ? 'serves' : 'serve'} it`);
    } else {
      lines.push(
        `- **No index** serves ${mdText(`${tableLabel(child)}(${columnsLabel(fk.columns)})`)}: every DELETE or key UPDATE of ${mdText(withArticle(parent ? tableLabel(parent) : 'parent'))} row scans ${mdText(tableLabel(child))}`,
      );
    }
  }
  if (parent) {
    lines.push(
      fk.refIndex
        ? `- **Referenced key**: ${mdCode(fk.refIndex.name)} on ${mdText(`${tableLabel(parent)}(${columnsLabel(fk.refColumns)})`)}`
        : `- **No unique key** of ${mdText(tableLabel(parent))} matches (${mdText(columnsLabel(fk.refColumns))}): PostgreSQL refuses this FK`,
    );
  }
  lines.push(`- **Deferrable**: ${fk.deferrable ? (fk.initiallyDeferred ? 'DEFERRABLE INITIALLY DEFERRED (checked at commit)' : 'DEFERRABLE INITIALLY IMMEDIATE') : 'no'}`);
  if (!fk.enforced) lines.push('- **NOT ENFORCED**: PostgreSQL does not check it');
  else if (fk.validated) lines.push(`- **Validated**: yes${fk.validatedAt ? ` (VALIDATE CONSTRAINT at ${link(model, fk.validatedAt, options)})` : ''}`);
  else lines.push('- **NOT VALID**: rows that existed when it was added were never checked');
  if (fk.match !== 'SIMPLE') lines.push(`- **MATCH ${fk.match}**`);
  return lines.join('\n');
}

/**
 * A column: the FK whose column list holds it (when hovered there), else its type; then the FKs it is part
 * of, and the FKs that reference it, each list cut after a few with a peek link to all.
 */
function columnHover(model: WorkspaceModel, history: HistoryModel, table: Table, column: Column, fk: ForeignKey | undefined, options: HoverOptions): string {
  const parts: string[] = [];
  if (fk) parts.push(fkHover(model, history, fk, options));
  else parts.push(`${columnHeader(table, column)}\\\n${linksLine(model, table, column.location, options)}`);
  const own = table.foreignKeys.filter((f) => f.columns.includes(column.name) && f !== fk);
  if (own.length && !fk) parts.push(fkList(model, history, `References (${plural(own.length, 'foreign key')}):`, own, (f) => `${mdCode(fkLabel(f, history.tableById))} ON DELETE ${f.onDelete}, ON UPDATE ${f.onUpdate}`, table, options));
  const referencing = referencingForeignKeys(history, table.id).filter((f) => f.refColumns.includes(column.name));
  if (referencing.length) {
    const title = `**${mdText(`${tableLabel(table)}.${column.name}`)}** is referenced by ${plural(referencing.length, 'foreign key')}:`;
    parts.push(
      fkList(model, history, title, referencing, (f) => {
        const child = history.tableById.get(f.tableId);
        return `${mdCode(`${child ? tableLabel(child) : '?'}(${columnsLabel(f.columns)})`)}: ON DELETE ${f.onDelete}, ON UPDATE ${f.onUpdate}`;
      }, table, options),
    );
  }
  return parts.join('\n\n');
}

function columnHeader(table: Table, column: Column): string {
  const flags = [column.type, column.notNull ? 'NOT NULL' : '', column.default !== undefined ? `DEFAULT ${column.default}` : ''].filter(Boolean);
  return `**${mdText(`${tableLabel(table)}.${column.name}`)}** ${mdCode(flags.join(' '))}`;
}

/** A list of FKs, at most MAX_LISTED, then "and N more" with the peek link of the table. */
function fkList(model: WorkspaceModel, history: HistoryModel, title: string, fks: ForeignKey[], describe: (fk: ForeignKey) => string, table: Table, options: HoverOptions): string {
  void history;
  const lines = [title];
  const shown = fks.length > MAX_LISTED ? fks.slice(0, MAX_LISTED - 1) : fks;
  for (const fk of shown) lines.push(`- ${describe(fk)} (${link(model, fk.location, options)})`);
  const rest = fks.length - shown.length;
  if (rest) {
    const peek = options.peekLink?.(qualifiedName(table));
    lines.push(`- … and ${rest} more${peek ? ` · ${mdLink(`Peek all ${fks.length}`, peek)}` : ''}`);
  }
  return lines.join('\n');
}

function indexHover(model: WorkspaceModel, history: HistoryModel, table: Table, index: Index, options: HoverOptions): string {
  const columns = index.columns.map((c, i) => c ?? index.expressions[i] ?? 'expr');
  const lines = [
    `**INDEX ${mdText(index.name)}** on ${mdCode(`${tableLabel(table)}(${columnsLabel(columns)})`)}${index.unique ? ' (unique)' : ''}${index.where ? ` WHERE ${mdCode(index.where)}` : ''}\\`,
    `declared at ${link(model, index.location, options)}`,
  ];
  const serves = table.foreignKeys.filter((fk) => indexesServing(fk, table).includes(index));
  if (serves.length) {
    lines.push('');
    const shown = serves.slice(0, MAX_LISTED).map((fk) => mdCode(fkLabel(fk, history.tableById)));
    lines.push(`Serves ${shown.join(', ')}${serves.length > shown.length ? ` and ${serves.length - shown.length} more` : ''}`);
  }
  return lines.join('\n');
}
