/**
 * Resolves the parsed files of one Prisma schema (one `schema.prisma`, or every `.prisma` file of a schema
 * folder) into tables, columns, keys, indexes and foreign keys, applying Prisma's conventions: `@map` /
 * `@@map` names, default constraint names, default referential actions, implicit many-to-many join tables.
 * Names a construct it cannot resolve as a problem and goes on without it.
 */
import type { Span } from '../text';
import {
  argument,
  fieldList,
  stringValue,
  type Attribute,
  type ConfigBlock,
  type EnumBlock,
  type Expression,
  type FieldDeclaration,
  type ModelBlock,
  type PrismaFileSyntax,
} from './ast';
import type { PrismaEnum, PrismaIndex, PrismaModel, PrismaProblem, PrismaRelation, PrismaScalarField, PrismaSchema, ExplicitAction } from './schema';
import {
  PRISMA_ACTIONS,
  SCALAR_TYPES,
  defaultActions,
  foreignKeyName,
  indexName,
  postgresColumnType,
  primaryKeyName,
  uniqueIndexName,
  type PrismaAction,
} from './types';
import { quoteIdent } from '../../model/schema';

/** Defaults Prisma Client computes itself: the column gets no database default. */
const CLIENT_DEFAULTS = new Set(['uuid', 'cuid', 'nanoid', 'ulid', 'auto']);

export function resolvePrismaSchema(files: PrismaFileSyntax[]): PrismaSchema {
  return new Resolver(files).resolve();
}

class Resolver {
  private readonly problems: PrismaProblem[] = [];
  private readonly schema: PrismaSchema;
  private readonly modelByName = new Map<string, PrismaModel>();
  private readonly enumByName = new Map<string, PrismaEnum>();
  private readonly compositeTypes = new Set<string>();

  constructor(private readonly files: PrismaFileSyntax[]) {
    this.schema = { files, relationMode: 'foreignKeys', schemas: [], models: [], enums: [], joinTables: [], problems: this.problems };
  }

  private problem(file: string, span: Span, message: string, severity: PrismaProblem['severity'] = 'warning'): void {
    this.problems.push({ file, span, message, severity });
  }

  resolve(): PrismaSchema {
    for (const file of this.files) {
      for (const p of file.problems) this.problems.push({ file: file.path, span: p.span, message: p.message, severity: 'error', syntax: true });
    }
    const blocks = this.files.flatMap((f) => f.blocks.map((block) => ({ file: f.path, block })));
    for (const { file, block } of blocks) if (block.kind === 'datasource') this.datasource(file, block);
    for (const { block } of blocks) if (block.kind === 'type') this.compositeTypes.add(block.name.name);
    for (const { block } of blocks) if (block.kind === 'enum') this.enumBlock(block);
    for (const { file, block } of blocks) {
      if (block.kind !== 'model' && block.kind !== 'view') continue;
      if (this.modelByName.has(block.name.name)) {
        this.problem(file, block.name.span, `${block.kind} ${block.name.name} is defined twice; the first definition counts.`, 'error');
        continue;
      }
      const model = this.modelHead(file, block);
      this.modelByName.set(model.name, model);
      this.schema.models.push(model);
    }
    for (const model of this.schema.models) this.scalarsAndIndexes(model);
    for (const model of this.schema.models) this.relations(model);
    this.joinTables();
    return this.schema;
  }

  // ---------------------------------------------------------------------------------------- datasource, enums

  private datasource(file: string, block: ConfigBlock): void {
    if (this.schema.datasource) {
      this.problem(file, block.name.span, 'A Prisma schema has one datasource; this second one is ignored.', 'error');
      return;
    }
    this.schema.datasource = { file, span: block.span };
    for (const property of block.properties) {
      const value = stringValue(property.value);
      if (property.key.name === 'provider' && value !== undefined) this.schema.provider = value === 'postgres' ? 'postgresql' : value;
      if ((property.key.name === 'relationMode' || property.key.name === 'referentialIntegrity') && value !== undefined) {
        this.schema.relationMode = value === 'prisma' ? 'prisma' : 'foreignKeys';
        this.schema.relationModeSpan = { file, span: property.span };
      }
      if (property.key.name === 'schemas' && property.value.kind === 'array') {
        this.schema.schemas = property.value.items.map(stringValue).filter((s): s is string => s !== undefined);
      }
    }
  }

  private enumBlock(block: EnumBlock): void {
    const dbName = stringValue(argument(attr(block.attributes, 'map'), 'name', 0)?.value) ?? block.name.name;
    const schema = this.schemaOf(block.attributes);
    const e: PrismaEnum = { name: block.name.name, dbName, schema, block };
    this.enumByName.set(e.name, e);
    this.schema.enums.push(e);
  }

  private schemaOf(attributes: Attribute[]): string {
    return stringValue(argument(attr(attributes, 'schema'), 'name', 0)?.value) ?? 'public';
  }

  // ---------------------------------------------------------------------------------------- models

  private modelHead(file: string, block: ModelBlock): PrismaModel {
    const table = stringValue(argument(attr(block.attributes, 'map'), 'name', 0)?.value) ?? block.name.name;
    return { name: block.name.name, table, schema: this.schemaOf(block.attributes), block, file, view: block.kind === 'view', scalars: [], relations: [], indexes: [] };
  }

  private isRelationField(decl: FieldDeclaration): boolean {
    return this.modelByName.has(decl.type.name) && !SCALAR_TYPES.has(decl.type.name);
  }

  private scalarsAndIndexes(model: PrismaModel): void {
    const { block, file } = model;
    if (block.kind === 'type') return;
    for (const decl of block.fields) {
      if (this.isRelationField(decl) || this.compositeTypes.has(decl.type.name)) continue;
      const enumType = this.enumByName.get(decl.type.name);
      if (!SCALAR_TYPES.has(decl.type.name) && !enumType) {
        this.problem(file, decl.type.span, `Type ${decl.type.name} is not a Prisma scalar type, enum or model of this schema.`, 'error');
        continue;
      }
      model.scalars.push(this.scalarField(model, decl, enumType));
    }
    const columnOf = (name: string) => model.scalars.find((s) => s.name === name)?.column;
    for (const field of model.scalars) {
      const id = attr(field.decl.attributes, 'id');
      if (id) this.addIndex(model, 'primary', [field.name], id, argument(id, 'map')?.value);
      const unique = attr(field.decl.attributes, 'unique');
      if (unique) this.addIndex(model, 'unique', [field.name], unique, argument(unique, 'map')?.value);
    }
    for (const a of block.attributes) {
      const kind = a.name === 'id' ? 'primary' : a.name === 'unique' ? 'unique' : a.name === 'index' ? 'index' : undefined;
      if (!kind) continue;
      const list = fieldList((argument(a, 'fields') ?? a.args.find((x) => !x.name))?.value);
      const known = list.filter((f) => {
        if (columnOf(f.name) !== undefined) return true;
        this.problem(file, f.span, `Model ${model.name} has no scalar field ${f.name}.`, 'error');
        return false;
      });
      if (!known.length) continue;
      // `name:` is the client-side name of @@id / @@unique; on @@index it was the database name before Prisma 3.
      const map = argument(a, 'map')?.value ?? (kind === 'index' ? argument(a, 'name')?.value : undefined);
      const method = argument(a, 'type')?.value;
      this.addIndex(model, kind, known.map((f) => f.name), a, map, method?.kind === 'path' ? method.value.toLowerCase() : undefined);
    }
  }

  private addIndex(model: PrismaModel, kind: PrismaIndex['kind'], fields: string[], attribute: Attribute, map: Expression | undefined, method?: string): void {
    const columns = fields.map((f) => model.scalars.find((s) => s.name === f)!.column);
    const provider = this.schema.provider;
    const name =
      stringValue(map) ??
      (kind === 'primary' ? primaryKeyName(model.table, provider) : kind === 'unique' ? uniqueIndexName(model.table, columns, provider) : indexName(model.table, columns, provider));
    if (kind === 'primary' && model.indexes.some((i) => i.kind === 'primary')) {
      this.problem(model.file, attribute.span, `Model ${model.name} has more than one primary key.`, 'error');
      return;
    }
    model.indexes.push({ kind, fields, columns, name, method, attribute, file: model.file });
  }

  private scalarField(model: PrismaModel, decl: FieldDeclaration, enumType: PrismaEnum | undefined): PrismaScalarField {
    const column = stringValue(argument(attr(decl.attributes, 'map'), 'name', 0)?.value) ?? decl.name.name;
    const nativeAttr = decl.attributes.find((a) => a.name.startsWith('db.'));
    const native = nativeAttr ? { name: nativeAttr.name.slice(3), args: nativeAttr.args.map((a) => expressionText(a.value)) } : undefined;
    let type = postgresColumnType(decl.type.name, native, enumType && { name: enumType.dbName, schema: enumType.schema }, decl.type.unsupported);
    if (decl.type.list) type += '[]';
    const defaultAttr = attr(decl.attributes, 'default');
    const value = argument(defaultAttr, 'value', 0)?.value;
    let sqlDefault: string | undefined;
    let autoincrement = false;
    if (value?.kind === 'call') {
      if (value.name === 'autoincrement' || value.name === 'sequence') {
        autoincrement = true;
        sqlDefault = `nextval('${model.table}_${column}_seq'::regclass)`;
      } else if (value.name === 'now') sqlDefault = 'CURRENT_TIMESTAMP';
      else if (value.name === 'dbgenerated') sqlDefault = stringValue(value.args[0]?.value) ?? '(dbgenerated)';
      else if (!CLIENT_DEFAULTS.has(value.name)) sqlDefault = expressionText(value);
    } else if (value?.kind === 'string') sqlDefault = `'${value.value.replace(/'/g, "''")}'::${type}`;
    else if (value?.kind === 'path' && enumType) sqlDefault = `'${value.value}'::${quoteIdent(enumType.dbName)}`;
    else if (value) sqlDefault = expressionText(value);
    return {
      name: decl.name.name,
      column,
      decl,
      file: model.file,
      optional: decl.type.optional,
      list: decl.type.list,
      type,
      default: sqlDefault,
      hasDefault: !!defaultAttr,
      defaultSpan: defaultAttr?.span,
      autoincrement,
    };
  }

  // ---------------------------------------------------------------------------------------- relations

  private relations(model: PrismaModel): void {
    const provider = this.schema.provider;
    for (const decl of model.block.fields) {
      if (!this.isRelationField(decl)) continue;
      const relation = attr(decl.attributes, 'relation');
      const fieldsArg = argument(relation, 'fields');
      if (!relation || !fieldsArg) continue;
      const target = this.modelByName.get(decl.type.name)!;
      const fields = fieldList(fieldsArg.value);
      const references = fieldList(argument(relation, 'references')?.value);
      const scalars = fields.map((f) => {
        const s = model.scalars.find((x) => x.name === f.name);
        if (!s) this.problem(model.file, f.span, `Model ${model.name} has no scalar field ${f.name} for relation ${decl.name.name}.`, 'error');
        return s;
      });
      const refScalars = references.map((f) => {
        const s = target.scalars.find((x) => x.name === f.name);
        if (!s) this.problem(model.file, f.span, `Model ${target.name} has no scalar field ${f.name}.`, 'error');
        return s;
      });
      if (!references.length) {
        this.problem(model.file, relation.span, `Relation ${decl.name.name} names its fields but not the fields they reference (\`references: [...]\`).`, 'error');
        continue;
      }
      if (scalars.some((s) => !s) || refScalars.some((s) => !s)) continue;
      if (fields.length !== references.length) {
        this.problem(model.file, relation.span, `Relation ${decl.name.name} has ${fields.length} field(s) but ${references.length} referenced field(s).`, 'error');
        continue;
      }
      const required = scalars.some((s) => !s!.optional);
      const defaults = defaultActions(required, provider);
      const explicitOnDelete = this.action(model.file, relation, 'onDelete');
      const explicitOnUpdate = this.action(model.file, relation, 'onUpdate');
      const columns = scalars.map((s) => s!.column);
      const relationInfo: PrismaRelation = {
        model,
        field: decl,
        relation,
        target,
        fields: fields.map((f) => f.name),
        references: references.map((f) => f.name),
        columns,
        refColumns: refScalars.map((s) => s!.column),
        required,
        onDelete: explicitOnDelete?.action ?? defaults.onDelete,
        onUpdate: explicitOnUpdate?.action ?? defaults.onUpdate,
        explicitOnDelete,
        explicitOnUpdate,
        name: stringValue(argument(relation, 'map')?.value) ?? foreignKeyName(model.table, columns, provider),
        file: model.file,
      };
      model.relations.push(relationInfo);
    }
  }

  private action(file: string, relation: Attribute, name: 'onDelete' | 'onUpdate'): ExplicitAction | undefined {
    const arg = argument(relation, name);
    if (!arg) return undefined;
    const value = arg.value.kind === 'path' ? arg.value.value : undefined;
    if (!value || !(PRISMA_ACTIONS as readonly string[]).includes(value)) {
      this.problem(file, arg.value.span, `${name} must be one of ${PRISMA_ACTIONS.join(', ')}.`, 'error');
      return undefined;
    }
    return { action: value as PrismaAction, span: arg.span, valueSpan: arg.value.span };
  }

  /** Implicit many-to-many: list fields on both sides, no `fields:`; Prisma keeps the links in `_{relation}`. */
  private joinTables(): void {
    const seen = new Set<string>();
    for (const model of this.schema.models) {
      for (const decl of model.block.fields) {
        if (!decl.type.list || !this.isRelationField(decl)) continue;
        const relation = attr(decl.attributes, 'relation');
        if (argument(relation, 'fields')) continue;
        const target = this.modelByName.get(decl.type.name)!;
        const name = relationName(relation);
        const opposite = target.block.fields.find(
          (f) => f !== decl && f.type.name === model.name && relationName(attr(f.attributes, 'relation')) === name,
        );
        if (!opposite?.type.list || model.view || target.view) continue;
        const [a, b] = model.name <= target.name ? [model, target] : [target, model];
        const table = `_${name ?? `${a.name}To${b.name}`}`;
        if (seen.has(table)) continue;
        seen.add(table);
        const idType = (m: PrismaModel) => {
          const pk = m.indexes.find((i) => i.kind === 'primary');
          return pk && pk.fields.length === 1 ? m.scalars.find((s) => s.name === pk.fields[0]) : undefined;
        };
        const idA = idType(a);
        const idB = idType(b);
        if (!idA || !idB) {
          this.problem(model.file, decl.name.span, `The implicit many-to-many relation ${table.slice(1)} needs a single-field @id on ${a.name} and ${b.name}.`, 'error');
          continue;
        }
        const [fieldA, fieldB] = a === model ? [decl, opposite] : [opposite, decl];
        this.schema.joinTables.push({
          table,
          schema: a.schema,
          a,
          b,
          fieldA,
          fileA: a.file,
          fieldB,
          fileB: b.file,
          typeA: idA.type,
          typeB: idB.type,
        });
      }
    }
  }
}

function attr(attributes: Attribute[], name: string): Attribute | undefined {
  return attributes.find((a) => a.name === name);
}

function relationName(relation: Attribute | undefined): string | undefined {
  return stringValue(argument(relation, 'name', 0)?.value);
}

/** An expression as SQL-ish text (defaults, native type arguments). */
function expressionText(e: Expression): string {
  switch (e.kind) {
    case 'string':
      return e.value;
    case 'number':
    case 'path':
      return e.value;
    case 'array':
      return `ARRAY[${e.items.map(expressionText).join(', ')}]`;
    case 'call':
      return `${e.name}(${e.args.map((a) => expressionText(a.value)).join(', ')})`;
  }
}
