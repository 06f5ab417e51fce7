/**
 * Fixes of the FK's referential action and of the columns it writes:
 * - `set-null-on-not-null`: make the columns nullable, or switch the action to CASCADE or RESTRICT (all
 *   offered, none preferred: each changes what a DELETE does).
 * - `set-default-without-default`: give the columns a DEFAULT (a placeholder to fill in), or switch to SET NULL.
 * In plain schema files the declaration is edited in place; in a migration history applied migrations are
 * left alone and a new migration re-creates the FK (NOT VALID, then VALIDATE in another migration).
 */
import type { FkAction, ForeignKey } from '../../model/schema';
import { quoteIdent } from '../../model/schema';
import type { Column } from '../../model/schema';
import { castableType, childOf, fkDefinition, insertAfterStatement, isMigrationHistory, parentOf, sqlComment, tableRef, titleName, type FixContext, type FixPlan, type TextEditPlan } from './edit';

export const SET_NULL_ON_NOT_NULL = 'set-null-on-not-null';
export const SET_DEFAULT_WITHOUT_DEFAULT = 'set-default-without-default';

/** The columns an action of the FK writes (SET NULL (cols) / SET DEFAULT (cols) on delete: only those). */
function writtenColumns(ctx: FixContext, action: 'SET NULL' | 'SET DEFAULT'): Column[] {
  const { fk } = ctx;
  const child = childOf(ctx);
  const names = fk.onDelete === action && fk.setColumns && fk.onUpdate !== action ? fk.setColumns : fk.columns;
  return names.map((n) => child.columns.find((c) => c.name === n)).filter((c): c is Column => !!c);
}

const slugOf = (s: string) => s.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 80);

export function setNullOnNotNullFixes(ctx: FixContext): FixPlan[] {
  const fixes: FixPlan[] = [];
  const child = childOf(ctx);
  const notNull = writtenColumns(ctx, 'SET NULL').filter((c) => c.notNull);
  const pk = child.primaryKey?.columns ?? [];
  if (notNull.length && notNull.every((c) => !pk.includes(c.name))) {
    const fix = dropNotNull(ctx, notNull);
    if (fix) fixes.push(fix);
  }
  for (const action of ['CASCADE', 'RESTRICT'] as const) {
    const fix = changeAction(ctx, 'SET NULL', action, SET_NULL_ON_NOT_NULL);
    if (fix) fixes.push(fix);
  }
  return fixes;
}

export function setDefaultWithoutDefaultFixes(ctx: FixContext): FixPlan[] {
  const fixes: FixPlan[] = [];
  const missing = writtenColumns(ctx, 'SET DEFAULT').filter((c) => c.default === undefined);
  if (missing.length) {
    const fix = addDefault(ctx, missing);
    if (fix) fixes.push(fix);
  }
  if (writtenColumns(ctx, 'SET DEFAULT').every((c) => !c.notNull)) {
    const fix = changeAction(ctx, 'SET DEFAULT', 'SET NULL', SET_DEFAULT_WITHOUT_DEFAULT);
    if (fix) fixes.push(fix);
  }
  return fixes;
}

function dropNotNull(ctx: FixContext, columns: Column[]): FixPlan | undefined {
  const child = childOf(ctx);
  const title = `Make ${columns.map((c) => titleName(`${child.name}.${c.name}`)).join(', ')} nullable`;
  const base = { title, rule: SET_NULL_ON_NOT_NULL, preferred: false };
  const alter = (verb: string) => columns.map((c) => `ALTER TABLE ${tableRef(child)} ALTER COLUMN ${quoteIdent(c.name)} ${verb} NOT NULL;`).join('\n');
  if (isMigrationHistory(ctx.history)) {
    const creates = ctx.planner.files({ slug: slugOf(`make_${child.name}_${columns.map((c) => c.name).join('_')}_nullable`), up: alter('DROP'), down: alter('SET') });
    return { ...base, edits: [], creates };
  }
  const edits: TextEditPlan[] = [];
  for (const c of columns) {
    const loc = c.notNullLocation;
    const text = loc && ctx.textOf(loc.file);
    if (loc && text !== undefined && /^not\s+null$/i.test(text.slice(loc.span.start, loc.span.end))) {
      let from = loc.span.start;
      while (from > 0 && /[ \t]/.test(text[from - 1])) from--;
      edits.push({ file: loc.file, span: { start: from, end: loc.span.end }, newText: '' });
    } else {
      const edit = insertAfterStatement(ctx, ctx.fk.location.file, ctx.fk.location.span.start, `ALTER TABLE ${tableRef(child)} ALTER COLUMN ${quoteIdent(c.name)} DROP NOT NULL;`);
      if (!edit) return undefined;
      edits.push(edit);
    }
  }
  return { ...base, edits, creates: [] };
}

/** A value of the column's type to stand in for the key a reset row should point to. */
function placeholder(type: string): string {
  if (/^(smallint|integer|bigint|numeric|real|double precision)\b/.test(type)) return '0';
  if (type === 'uuid') return "'00000000-0000-0000-0000-000000000000'";
  if (/^(text|character varying|character|varchar|char)\b/.test(type)) return "''";
  return castableType(type) ? `NULL::${type}` : 'NULL';
}

function addDefault(ctx: FixContext, columns: Column[]): FixPlan | undefined {
  const child = childOf(ctx);
  const parent = parentOf(ctx);
  const note = sqlComment(`FK Lens: placeholder. Replace it with the key of the ${tableRef(parent)} row that rows of ${tableRef(child)} should point to once theirs is deleted; that row must exist.`);
  const sql = (verb: 'SET' | 'DROP') =>
    columns.map((c) => `ALTER TABLE ${tableRef(child)} ALTER COLUMN ${quoteIdent(c.name)} ${verb === 'SET' ? `SET DEFAULT ${placeholder(c.type)}` : 'DROP DEFAULT'};`).join('\n');
  const title = `Add a DEFAULT to ${columns.map((c) => titleName(`${child.name}.${c.name}`)).join(', ')} (placeholder to fill in)`;
  const base = { title, rule: SET_DEFAULT_WITHOUT_DEFAULT, preferred: false };
  if (isMigrationHistory(ctx.history)) {
    const creates = ctx.planner.files({ slug: slugOf(`default_for_${child.name}_${columns.map((c) => c.name).join('_')}`), up: `${note}\n${sql('SET')}`, down: sql('DROP') });
    return { ...base, edits: [], creates };
  }
  const edit = insertAfterStatement(ctx, ctx.fk.location.file, ctx.fk.location.span.start, `${note}\n${sql('SET')}`);
  return edit ? { ...base, edits: [edit], creates: [] } : undefined;
}

/** Replaces `from` by `to` in whichever of ON DELETE / ON UPDATE has it. */
export function changeAction(ctx: FixContext, from: FkAction, to: FkAction, rule: string): FixPlan | undefined {
  const { fk } = ctx;
  const which = (['DELETE', 'UPDATE'] as const).filter((op) => (op === 'DELETE' ? fk.onDelete : fk.onUpdate) === from);
  if (!which.length) return undefined;
  const title = `Change ${which.map((op) => `ON ${op} ${from}`).join(' and ')} to ${to}`;
  const base = { title, rule, preferred: false };
  if (isMigrationHistory(ctx.history)) return { ...base, edits: [], creates: recreate(ctx, fk, which.includes('DELETE') ? to : undefined, which.includes('UPDATE') ? to : undefined) };
  const edits: TextEditPlan[] = [];
  const file = fk.location.file;
  for (const op of which) {
    const span = op === 'DELETE' ? fk.location.onDeleteSpan : fk.location.onUpdateSpan;
    if (!span) return undefined;
    edits.push({ file, span, newText: `ON ${op} ${to}` });
  }
  return { ...base, edits, creates: [] };
}

/** New migrations that re-create the FK with other actions: NOT VALID first, VALIDATE in the next one. */
function recreate(ctx: FixContext, fk: ForeignKey, onDelete: string | undefined, onUpdate: string | undefined): FixPlan['creates'] {
  const child = childOf(ctx);
  const name = quoteIdent(fk.name);
  const definition = fkDefinition(ctx, fk, { onDelete, onUpdate });
  const old = fkDefinition(ctx, fk);
  const change = slugOf(`${fk.name}_on_${onDelete ? 'delete_' + onDelete : 'update_' + onUpdate}`);
  const replace = (def: string) => `ALTER TABLE ${tableRef(child)} DROP CONSTRAINT ${name}, ADD CONSTRAINT ${name} ${def} NOT VALID;`;
  return [
    ...ctx.planner.files({ slug: change, up: replace(definition), down: replace(old) }),
    ...ctx.planner.files({ slug: `validate_${slugOf(fk.name)}`, up: `ALTER TABLE ${tableRef(child)} VALIDATE CONSTRAINT ${name};` }),
  ];
}
