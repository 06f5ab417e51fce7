/** The syntax tree of one `.prisma` file, every node with its UTF-16 range in the file. */
import type { Span } from '../text';

export interface Identifier {
  name: string;
  span: Span;
}

export type Expression =
  | { kind: 'string'; value: string; span: Span }
  | { kind: 'number'; value: string; span: Span }
  /** An identifier or a dotted path (`Cascade`, `true`, `db.VarChar`). */
  | { kind: 'path'; value: string; span: Span }
  | { kind: 'array'; items: Expression[]; span: Span }
  /** `now()`, `dbgenerated("...")`, and field references with arguments (`title(sort: Desc)`). */
  | { kind: 'call'; name: string; nameSpan: Span; args: Argument[]; span: Span };

export interface Argument {
  /** Undefined for a positional argument. */
  name?: Identifier;
  value: Expression;
  span: Span;
}

export interface Attribute {
  /** Without the `@` / `@@`: `relation`, `db.VarChar`, `@@index` -> `index`. */
  name: string;
  nameSpan: Span;
  args: Argument[];
  /** From `(` to `)`, when the attribute has an argument list. */
  argsSpan?: Span;
  span: Span;
}

export interface FieldType {
  name: string;
  span: Span;
  optional: boolean;
  list: boolean;
  /** `Unsupported("circle")`: the database type as written. */
  unsupported?: string;
}

export interface FieldDeclaration {
  name: Identifier;
  type: FieldType;
  attributes: Attribute[];
  span: Span;
}

export interface ModelBlock {
  kind: 'model' | 'view' | 'type';
  name: Identifier;
  fields: FieldDeclaration[];
  attributes: Attribute[];
  /** From the keyword to the closing `}` (or the point where the block was cut short). */
  span: Span;
  /** Offset of the closing `}`; undefined when it is missing. */
  closeBrace?: number;
}

export interface EnumValue {
  name: Identifier;
  attributes: Attribute[];
  span: Span;
}

export interface EnumBlock {
  kind: 'enum';
  name: Identifier;
  values: EnumValue[];
  attributes: Attribute[];
  span: Span;
  closeBrace?: number;
}

export interface ConfigProperty {
  key: Identifier;
  value: Expression;
  span: Span;
}

export interface ConfigBlock {
  kind: 'datasource' | 'generator';
  name: Identifier;
  properties: ConfigProperty[];
  span: Span;
  closeBrace?: number;
}

export type Block = ModelBlock | EnumBlock | ConfigBlock;

export interface PrismaSyntaxProblem {
  span: Span;
  message: string;
}

export interface PrismaFileSyntax {
  path: string;
  blocks: Block[];
  problems: PrismaSyntaxProblem[];
}

export function argument(attribute: Attribute | undefined, name: string, position?: number): Argument | undefined {
  if (!attribute) return undefined;
  const named = attribute.args.find((a) => a.name?.name === name);
  if (named || position === undefined) return named;
  return attribute.args.filter((a) => !a.name)[position];
}

export function stringValue(e: Expression | undefined): string | undefined {
  return e?.kind === 'string' ? e.value : undefined;
}

/** Names in `[a, b(sort: Desc)]` (or a lone `a`), with their ranges. */
export function fieldList(e: Expression | undefined): Identifier[] {
  if (!e) return [];
  const items = e.kind === 'array' ? e.items : [e];
  const out: Identifier[] = [];
  for (const item of items) {
    if (item.kind === 'path') out.push({ name: item.value, span: item.span });
    else if (item.kind === 'call') out.push({ name: item.name, span: item.nameSpan });
  }
  return out;
}
