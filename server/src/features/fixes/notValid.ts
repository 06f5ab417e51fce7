/**
 * `fk-added-without-not-valid`: the FK is added as `NOT VALID` in place (named with PostgreSQL's default
 * name when it had none, so that VALIDATE can name it), and validated by `ALTER TABLE ... VALIDATE
 * CONSTRAINT` in its own transaction: a new migration in a history, or after the enclosing COMMIT (else right
 * after the statement) in a plain script. `ADD COLUMN ... REFERENCES` (reported only with a DEFAULT) becomes
 * `ADD COLUMN` plus `ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID` in the same statement, since NOT VALID cannot
 * be written on a column; with `DEFAULT NULL`, leaving that clause out is enough (PostgreSQL then skips the check).
 */
import { isNullDefault, quoteIdent } from '../../model/schema';
import { tokenize } from '../../sources/sql/lexer';
import { statementAt } from '../target';
import type { Span } from '../../sources/text';
import { childOf, insertAfterStatement, isMigrationHistory, sourceOf, tableRef, type FixContext, type FixPlan, type TextEditPlan } from './edit';

export const ADDED_WITHOUT_NOT_VALID = 'fk-added-without-not-valid';

export function notValidFix(ctx: FixContext): FixPlan | undefined {
  const { fk, history } = ctx;
  const child = childOf(ctx);
  const file = fk.location.file;
  const text = ctx.textOf(file);
  const source = sourceOf(ctx, file);
  if (!child || text === undefined || !source) return undefined;
  const declaration = history.declarations.find((d) => d.fk === fk);
  if (declaration && !declaration.byAlter) return undefined;
  const span = fk.location.span;
  if (declaration?.addColumn?.default !== undefined && isNullDefault(declaration.addColumn.default)) return withoutDefaultNull(ctx, text, span);
  const clause = text.slice(span.start, span.end);
  const tokens = tokenize(clause);
  if (!tokens.length) return undefined;
  const named = tokens[0].kind === 'word' && tokens[0].value === 'constraint';
  const body = named ? tokens[2] : tokens[0];
  const edits: TextEditPlan[] = [];
  const name = quoteIdent(fk.name);
  if (body?.kind === 'word' && body.value === 'foreign') {
    if (!named) edits.push({ file, span: { start: span.start, end: span.start }, newText: `CONSTRAINT ${name} ` });
    edits.push({ file, span: { start: span.end, end: span.end }, newText: ' NOT VALID' });
  } else if (body?.kind === 'word' && body.value === 'references') {
    // A column constraint of ADD COLUMN: move it to a table constraint of the same statement.
    const statement = statementAt(source, span.start);
    if (!statement) return undefined;
    let from = span.start;
    while (from > 0 && /[ \t]/.test(text[from - 1])) from--;
    edits.push({ file, span: { start: from, end: span.end }, newText: '' });
    const references = clause.slice(body.start);
    edits.push({
      file,
      span: { start: statement.end, end: statement.end },
      newText: `,\n    ADD CONSTRAINT ${name} FOREIGN KEY (${fk.columns.map(quoteIdent).join(', ')}) ${references} NOT VALID`,
    });
  } else return undefined;

  const validate = `ALTER TABLE ${tableRef(child)} VALIDATE CONSTRAINT ${name};`;
  const title = `Add ${fk.name} as NOT VALID and validate it in its own transaction`;
  if (isMigrationHistory(history)) {
    const creates = ctx.planner.files({ slug: `validate_${fk.name}`.toLowerCase().replace(/[^a-z0-9_]/g, '_'), up: validate });
    return { title, rule: ADDED_WITHOUT_NOT_VALID, preferred: true, edits, creates };
  }
  // A plain script: after the COMMIT that closes the statement's transaction, else right after the statement.
  const commit = declaration?.inExplicitTransaction
    ? source.events.find((e) => e.kind === 'commit' && e.statement.start > span.end)
    : undefined;
  const after = insertAfterStatement(ctx, file, commit ? commit.statement.start : span.start, validate);
  if (!after) return undefined;
  return { title, rule: ADDED_WITHOUT_NOT_VALID, preferred: true, edits: [...edits, after], creates: [] };
}

/** `ADD COLUMN c bigint DEFAULT NULL REFERENCES p`: the same without `DEFAULT NULL` (and a cast of it, if any). */
function withoutDefaultNull(ctx: FixContext, text: string, references: Span): FixPlan | undefined {
  const source = sourceOf(ctx, ctx.fk.location.file);
  const statement = source && statementAt(source, references.start);
  if (!statement) return undefined;
  const tokens = tokenize(text, statement.start, references.start);
  for (let i = tokens.length - 2; i >= 0; i--) {
    const t = tokens[i];
    if (t.kind === 'op' && t.value === ',') return undefined; // another command of the statement
    if (!(t.kind === 'word' && t.value === 'default' && tokens[i + 1].kind === 'word' && tokens[i + 1].value === 'null')) continue;
    let end = tokens[i + 1].end;
    // `DEFAULT NULL::bigint`
    for (let j = i + 2; j + 1 < tokens.length && tokens[j].kind === 'op' && tokens[j].value === '::'; j += 2) end = tokens[j + 1].end;
    let from = t.start;
    while (from > statement.start && /[ \t]/.test(text[from - 1])) from--;
    return {
      title: `Leave out DEFAULT NULL, so PostgreSQL adds ${ctx.fk.name} without checking every row`,
      rule: ADDED_WITHOUT_NOT_VALID,
      preferred: true,
      edits: [{ file: ctx.fk.location.file, span: { start: from, end }, newText: '' }],
      creates: [],
    };
  }
  return undefined;
}
