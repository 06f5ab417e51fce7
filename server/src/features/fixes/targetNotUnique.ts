/**
 * `fk-target-not-unique`: PostgreSQL refuses an FK whose referenced columns are not exactly a primary key or
 * unique constraint. The fix adds `ALTER TABLE parent ADD UNIQUE (cols)` right before the statement that
 * declares the FK (that statement fails as it is, so its migration cannot have been applied).
 */
import { statementAt } from '../target';
import { identList, parentOf, sourceOf, tableRef, titleName, type FixContext, type FixPlan } from './edit';

export const TARGET_NOT_UNIQUE = 'fk-target-not-unique';

export function targetNotUniqueFix(ctx: FixContext): FixPlan | undefined {
  const { fk, history } = ctx;
  const parent = parentOf(ctx);
  const file = fk.location.file;
  const source = sourceOf(ctx, file);
  const statement = source && statementAt(source, fk.location.span.start);
  if (!parent || !statement) return undefined;
  // The parent must exist before that statement (not for a table referencing its own columns as it is created).
  const parentStatement = parent.location.file === file ? statementAt(source, parent.location.span.start) : undefined;
  if (parentStatement && parentStatement.start === statement.start) return undefined;
  const declaredAt = history.steps.findIndex((s) => s.file === file);
  const parentAt = history.steps.findIndex((s) => s.file === parent.location.file);
  if (parentAt > declaredAt) return undefined;
  return {
    title: `Add UNIQUE (${titleName(fk.refColumns.join(', '))}) to ${titleName(parent.name)}`,
    rule: TARGET_NOT_UNIQUE,
    preferred: true,
    edits: [{ file, span: { start: statement.start, end: statement.start }, newText: `ALTER TABLE ${tableRef(parent)} ADD UNIQUE (${identList(fk.refColumns)});\n\n` }],
    creates: [],
  };
}
