/**
 * Quick-fixes for the Prisma rules, as pure functions from a finding (and the schema's text) to text edits
 * in the schema: add an `@@index([...])`, make a relation optional, change a referential action.
 * The language server turns them into code actions; tests apply them to the text.
 */
import type { PrismaFinding } from '../analysis/prisma';
import type { Span } from '../sources/text';
import type { PrismaModel, PrismaRelation } from '../sources/prisma/schema';
import type { PrismaAction } from '../sources/prisma/types';

export interface TextEdit {
  file: string;
  span: Span;
  newText: string;
}

export interface QuickFix {
  title: string;
  edits: TextEdit[];
  /** The fix an editor may apply on its own (VS Code's "preferred" fix). */
  preferred?: boolean;
}

/** The quick-fixes of one finding. `textOf` gives the current text of a schema file. */
export function prismaQuickFixes(finding: PrismaFinding, textOf: (file: string) => string | undefined): QuickFix[] {
  const relation = finding.relation;
  if (!relation) return [];
  const fixes: (QuickFix | undefined)[] = [];
  switch (finding.rule) {
    case 'prisma-missing-index':
      fixes.push(addIndexFix(relation.model, relation.fields, textOf(relation.model.file)));
      break;
    case 'prisma-set-null-required': {
      const optional = makeOptionalFix(relation);
      if (optional) fixes.push({ ...optional, preferred: true });
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
export function addIndexFix(model: PrismaModel, fields: string[], text: string | undefined): QuickFix | undefined {
  const close = model.block.closeBrace;
  if (close === undefined || text === undefined) return undefined;
  const firstField = model.block.fields[0] ?? model.block.attributes[0];
  const indent = firstField ? indentationAt(text, firstField.span.start) : '  ';
  const lineStart = text.lastIndexOf('\n', close - 1) + 1;
  const ownLine = /^[ \t]*$/.test(text.slice(lineStart, close));
  const line = `${indent}@@index([${fields.join(', ')}])`;
  const edit: TextEdit = ownLine
    ? { file: model.file, span: { start: lineStart, end: lineStart }, newText: `${line}\n` }
    : { file: model.file, span: { start: close, end: close }, newText: `\n${line}\n` };
  return { title: `Add @@index([${fields.join(', ')}]) to ${model.name}`, edits: [edit], preferred: true };
}

/** `?` after the type of each required scalar field of the relation, and of the relation field itself. */
export function makeOptionalFix(relation: PrismaRelation): QuickFix | undefined {
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
export function changeActionFix(relation: PrismaRelation, clause: 'onDelete' | 'onUpdate', action: PrismaAction): QuickFix | undefined {
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

/** Applies edits of one file to its text (edits must not overlap). */
export function applyTextEdits(text: string, edits: TextEdit[]): string {
  let out = text;
  for (const edit of [...edits].sort((a, b) => b.span.start - a.span.start || b.span.end - a.span.end)) {
    out = out.slice(0, edit.span.start) + edit.newText + out.slice(edit.span.end);
  }
  return out;
}

function insertAt(file: string, offset: number, newText: string): TextEdit {
  return { file, span: { start: offset, end: offset }, newText };
}

function indentationAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, offset))![0];
}
