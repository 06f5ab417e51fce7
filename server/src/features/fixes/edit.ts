/**
 * What a quick-fix does, editor-neutral: text edits in existing files and files to create. The server turns
 * it into an LSP WorkspaceEdit; tests apply it to the texts and run the result in PostgreSQL.
 */
import type { HistoryModel } from '../../model/replay';
import type { ForeignKey, Table } from '../../model/schema';
import { quoteIdent } from '../../model/schema';
import type { SourceFile } from '../../sources/events';
import type { Span } from '../../sources/text';
import type { WorkspaceModel } from '../../workspace/workspace';
import { tokenize } from '../../sources/sql/lexer';
import { visible } from '../markdown';
import { statementAt } from '../target';
import { MigrationPlanner } from './convention';

export interface TextEditPlan {
  file: string;
  span: Span;
  newText: string;
}

export interface FixPlan {
  title: string;
  rule: string;
  /** Safe to apply without thinking (the editor may apply it on "fix all" / auto-fix). */
  preferred: boolean;
  edits: TextEditPlan[];
  creates: { file: string; text: string }[];
}

export interface FixOptions {
  /** Create indexes with CONCURRENTLY where the migration tool allows it (default true). */
  concurrentIndex?: boolean;
  /** Clock for new migration versions (tests pass a fixed one). */
  now?: Date;
}

export interface FixContext {
  model: WorkspaceModel;
  history: HistoryModel;
  fk: ForeignKey;
  /** Every path the workspace holds (down files included), to pick names that collide with nothing. */
  files: string[];
  textOf: (file: string) => string | undefined;
  options: FixOptions;
  /** Shared by the fixes of one "fix all", so that their new migrations get successive versions. */
  planner: MigrationPlanner;
}

export function newContext(
  model: WorkspaceModel,
  history: HistoryModel,
  fk: ForeignKey,
  files: string[],
  textOf: (file: string) => string | undefined,
  options: FixOptions = {},
  planner?: MigrationPlanner,
): FixContext {
  return { model, history, fk, files, textOf, options, planner: planner ?? new MigrationPlanner(history, files, options.now ?? new Date(), textOf) };
}

/** The table as a fresh session names it: qualified unless it lives in public. */
export function tableRef(t: Table): string {
  return t.schema === 'public' ? quoteIdent(t.name) : `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
}

export const identList = (columns: string[]) => columns.map(quoteIdent).join(', ');

/**
 * An SQL line comment whose text may hold names: one line whatever the names hold (line breaks and other
 * invisible characters are escaped), so nothing of it can become a statement.
 */
export function sqlComment(text: string): string {
  return `-- ${visible(text)}`;
}

/**
 * A column type as the model spells it, when it can be written after `::` as it is: names, quoted names,
 * numbers and `( ) , . [ ]` only, on one line. A type from a reader that kept something else (a string typmod,
 * an expression) is not written into generated SQL.
 */
export function castableType(type: string): boolean {
  if (/[\r\n;]/.test(type) || visible(type) !== type) return false;
  let depth = 0;
  for (const t of tokenize(type)) {
    if (t.kind === 'word' || t.kind === 'quoted' || t.kind === 'number') continue;
    if (t.kind !== 'op' || !['(', ')', ',', '.', '[', ']'].includes(t.value)) return false;
    if (t.value === '(') depth++;
    if (t.value === ')' && --depth < 0) return false;
  }
  return depth === 0 && !/--|\/\*/.test(type);
}

/** A name as a fix's title shows it: one line, invisible characters escaped. */
export const titleName = (name: string) => visible(name);

export function childOf(ctx: FixContext): Table {
  return ctx.history.tableById.get(ctx.fk.tableId)!;
}

export function parentOf(ctx: FixContext): Table {
  return ctx.history.tableById.get(ctx.fk.refTableId)!;
}

/** A migration history (new files), or plain schema files (edits in place)? */
export function isMigrationHistory(history: HistoryModel): boolean {
  return history.history.tool !== 'schema';
}

export function sourceOf(ctx: FixContext, file: string): SourceFile | undefined {
  return ctx.model.sources.get(file);
}

/** Offset just past the statement holding `offset`, after its semicolon. */
export function afterStatement(ctx: FixContext, file: string, offset: number): number | undefined {
  const source = sourceOf(ctx, file);
  const text = ctx.textOf(file);
  const statement = source && statementAt(source, offset);
  if (!statement || text === undefined) return undefined;
  let at = statement.end;
  while (at < text.length && /[ \t]/.test(text[at])) at++;
  if (text[at] === ';') at++;
  return at;
}

/** Inserts a statement on its own lines after the statement holding `offset`. */
export function insertAfterStatement(ctx: FixContext, file: string, offset: number, sql: string): TextEditPlan | undefined {
  const at = afterStatement(ctx, file, offset);
  if (at === undefined) return undefined;
  return { file, span: { start: at, end: at }, newText: `\n\n${sql}` };
}

/** The complete definition of an FK, for re-creating it with other actions. */
export function fkDefinition(ctx: FixContext, fk: ForeignKey, changes: { onDelete?: string; onUpdate?: string } = {}): string {
  const parent = ctx.history.tableById.get(fk.refTableId)!;
  const onDelete = changes.onDelete ?? `${fk.onDelete}${fk.setColumns && (fk.onDelete === 'SET NULL' || fk.onDelete === 'SET DEFAULT') ? ` (${identList(fk.setColumns)})` : ''}`;
  const parts = [
    `FOREIGN KEY (${identList(fk.columns)}) REFERENCES ${tableRef(parent)} (${identList(fk.refColumns)})`,
    fk.match !== 'SIMPLE' ? `MATCH ${fk.match}` : '',
    `ON DELETE ${onDelete}`,
    `ON UPDATE ${changes.onUpdate ?? fk.onUpdate}`,
    fk.deferrable ? (fk.initiallyDeferred ? 'DEFERRABLE INITIALLY DEFERRED' : 'DEFERRABLE') : '',
  ];
  return parts.filter(Boolean).join(' ');
}

/** Applies a fix to a map of texts (tests, the CLI): edits from the end so offsets stay valid. */
export function applyFix(texts: Map<string, string>, fix: Pick<FixPlan, 'edits' | 'creates'>): Map<string, string> {
  const out = new Map(texts);
  const byFile = new Map<string, TextEditPlan[]>();
  for (const e of fix.edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  for (const [file, edits] of byFile) {
    let text = out.get(file) ?? '';
    // Stable for equal offsets: insertions at one point keep their order.
    const ordered = edits.map((e, i) => ({ e, i })).sort((a, b) => b.e.span.start - a.e.span.start || b.i - a.i);
    for (const { e } of ordered) text = text.slice(0, e.span.start) + e.newText + text.slice(e.span.end);
    out.set(file, text);
  }
  for (const c of fix.creates) out.set(c.file, c.text);
  return out;
}
