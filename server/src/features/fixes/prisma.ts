/**
 * Quick-fixes for the Prisma rules: from a finding (and the schema's text) to edits of the schema, in the
 * same `FixPlan` shape as the SQL fixes (so `fixesFor` / `fixAll` and the server treat both alike): add an
 * `@@index([...])`, make a relation optional, change a referential action. Prisma schema fixes never create
 * files: `prisma migrate dev` writes the migration from the edited schema.
 */
import { prismaFindings, type PrismaFinding } from '../../analysis/prisma';
import type { Span } from '../../sources/text';
import type { PrismaModel, PrismaRelation } from '../../sources/prisma/schema';
import type { PrismaAction } from '../../sources/prisma/types';
import type { WorkspaceModel } from '../../workspace/workspace';
import type { FixPlan, TextEditPlan } from './edit';

type TextEdit = TextEditPlan;

/** The fix before it is tied to its rule: `prismaQuickFixes` completes it into a `FixPlan`. */
interface QuickFix {
  title: string;
  edits: TextEdit[];
  preferred?: boolean;
}

/** The Prisma rules with quick-fixes. */
export const PRISMA_FIXABLE_RULES: readonly string[] = ['prisma-missing-index', 'prisma-set-null-required', 'prisma-set-default-without-default', 'prisma-drift'];

/**
 * The finding a diagnostic of `rule` at `span` in `file` shows: the one with exactly that span, else the
 * first one overlapping it.
 */
export function prismaFindingAt(model: WorkspaceModel, rule: string, file: string, span: Span): PrismaFinding | undefined {
  const candidates = prismaFindings(model).filter((f) => f.rule === rule && f.file === file);
  return (
    candidates.find((f) => f.span.start === span.start && f.span.end === span.end) ??
    candidates.find((f) => f.span.start <= span.end && span.start <= f.span.end)
  );
}

/** The quick-fixes of one finding. `textOf` gives the current text of a schema file. */
export function prismaQuickFixes(finding: PrismaFinding, textOf: (file: string) => string | undefined): FixPlan[] {
  return prismaFixes(finding, textOf).map((f) => ({ title: f.title, rule: finding.rule, preferred: !!f.preferred, edits: f.edits, creates: [] }));
}

function prismaFixes(finding: PrismaFinding, textOf: (file: string) => string | undefined): QuickFix[] {
  const relation = finding.relation;
  if (!relation) return [];
  const fixes: (QuickFix | undefined)[] = [];
  switch (finding.rule) {
    case 'prisma-missing-index':
      fixes.push(addIndexFix(relation.model, relation.fields, textOf(relation.model.file)));
      break;
    case 'prisma-set-null-required': {
      // None preferred (as for set-null-on-not-null): each changes the data model or what a delete does.
      fixes.push(makeOptionalFix(relation));
      for (const action of ['Cascade', 'Restrict'] as const) fixes.push(changeActionFix(relation, finding.clause ?? 'onDelete', action));
      break;
    }
    case 'prisma-set-default-without-default':
      for (const action of ['Restrict', 'Cascade'] as const) fixes.push(changeActionFix(relation, finding.clause ?? 'onDelete', action));
      break;
    case 'prisma-drift':
      if (finding.clause && finding.migratedAction) {
        const fix = changeActionFix(relation, finding.clause, finding.migratedAction);
        fixes.push(fix && { ...fix, title: `${fix.title} (as the migrated database has it)` });
      }
      break;
  }
  return fixes.filter((f): f is QuickFix => !!f);
}

/** `@@index([fields])` on its own line before the model's closing `}`, indented like the model's fields. */
function addIndexFix(model: PrismaModel, fields: string[], text: string | undefined): QuickFix | undefined {
  const close = model.block.closeBrace;
  if (close === undefined || text === undefined) return undefined;
  const firstField = model.block.fields[0] ?? model.block.attributes[0];
  const indent = firstField ? indentationAt(text, firstField.span.start) : '  ';
  const lineStart = text.lastIndexOf('\n', close - 1) + 1;
  const ownLine = /^[ \t]*$/.test(text.slice(lineStart, close));
  const line = `${indent}@@index([${fields.join(', ')}])`;
  const edit: TextEdit = ownLine
    ? { file: model.file, span: { start: lineStart, end: lineStart }, newText: `${line}\n` }
    : { file: model.file, span: { start: trailingBlanks(text, close), end: close }, newText: `\n${line}\n` };
  return { title: `Add @@index([${fields.join(', ')}]) to ${model.name}`, edits: [edit], preferred: true };
}

/** `?` after the type of each required scalar field of the relation, and of the relation field itself. */
function makeOptionalFix(relation: PrismaRelation): QuickFix | undefined {
  const edits: TextEdit[] = [];
  for (const name of relation.fields) {
    const scalar = relation.model.scalars.find((s) => s.name === name);
    if (scalar && !scalar.optional && !scalar.list) edits.push(insertAt(relation.file, scalar.decl.type.span.end, '?'));
  }
  if (!relation.field.type.optional && !relation.field.type.list) edits.push(insertAt(relation.file, relation.field.type.span.end, '?'));
  if (!edits.length) return undefined;
  return { title: `Make relation ${relation.model.name}.${relation.field.name.name} optional (${relation.fields.join(', ')} nullable)`, edits };
}

/** Replaces the written action, or adds `onDelete: X` / `onUpdate: X` to the `@relation(...)` arguments. */
function changeActionFix(relation: PrismaRelation, clause: 'onDelete' | 'onUpdate', action: PrismaAction): QuickFix | undefined {
  const explicit = clause === 'onDelete' ? relation.explicitOnDelete : relation.explicitOnUpdate;
  const title = `Use ${clause}: ${action}`;
  if (explicit) {
    if (explicit.action === action) return undefined;
    return { title, edits: [{ file: relation.file, span: explicit.valueSpan, newText: action }] };
  }
  const args = relation.relation.argsSpan;
  if (!args) return undefined;
  const closeParen = args.end - 1;
  const separator = relation.relation.args.length ? ', ' : '';
  return { title, edits: [insertAt(relation.file, closeParen, `${separator}${clause}: ${action}`)] };
}

function insertAt(file: string, offset: number, newText: string): TextEdit {
  return { file, span: { start: offset, end: offset }, newText };
}

/** Where the spaces and tabs right before `offset` begin. */
function trailingBlanks(text: string, offset: number): number {
  let at = offset;
  while (at > 0 && (text[at - 1] === ' ' || text[at - 1] === '\t')) at--;
  return at;
}

function indentationAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, offset))![0];
}
