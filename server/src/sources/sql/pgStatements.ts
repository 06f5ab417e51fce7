/**
 * libpg_query statement nodes -> schema events. Statements that do not touch tables, columns, keys,
 * indexes, schemas or the search_path produce nothing (functions, triggers, DML, grants, comments...).
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import type {
  AlterTableCommand,
  ColumnDefinition,
  ConstraintDefinition,
  FkAction,
  FkMatch,
  IndexElement,
  QualifiedName,
  SchemaEvent,
} from '../events';
import type { Span } from '../text';
import { isOp, isWord, type Token } from './lexer';
import { formatType } from './pgTypes';

export interface StatementContext {
  readonly text: string;
  /** The statement's range in the file. */
  readonly span: Span;
  /** A node location (UTF-8 bytes into the parsed text) as a UTF-16 file offset. */
  offset(byteLocation: number | undefined): number | undefined;
  /** The statement's tokens (computed on first use). */
  tokens(): Token[];
}

type Node = Record<string, any>;

const ACTIONS: Record<string, FkAction> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};
const MATCHES: Record<string, FkMatch> = { s: 'SIMPLE', f: 'FULL', p: 'PARTIAL' };

// CREATE TABLE ... (LIKE t INCLUDING ...) option bits, as in PostgreSQL's parsenodes.h.
const LIKE_OPTIONS: [string, number][] = [
  ['constraints', 1 << 2],
  ['defaults', 1 << 3],
  ['generated', 1 << 4],
  ['identity', 1 << 5],
  ['indexes', 1 << 6],
];

export function statementEvents(stmt: Node, ctx: StatementContext, out: SchemaEvent[]): void {
  const kind = Object.keys(stmt)[0];
  const node = stmt[kind] as Node;
  const statement = ctx.span;
  switch (kind) {
    case 'CreateStmt':
      return createTable(node, ctx, out);
    case 'CreateTableAsStmt': {
      if (!node.into?.rel) return;
      if (node.objtype === 'OBJECT_MATVIEW') {
        out.push({ kind: 'untracked_relation', relation: 'materialized view', statement, table: qualified(node.into.rel, ctx) });
        return;
      }
      if (node.objtype !== 'OBJECT_TABLE') return;
      if (node.into.rel.relpersistence === 't') {
        out.push({ kind: 'untracked_relation', relation: 'temporary table', statement, table: qualified(node.into.rel, ctx) });
        return;
      }
      out.push({
        kind: 'create_table',
        statement,
        table: qualified(node.into.rel, ctx),
        ifNotExists: !!node.if_not_exists,
        columns: [],
        constraints: [],
        like: [],
        inherits: [],
        partitioned: false,
        asQuery: true,
      });
      return;
    }
    case 'AlterTableStmt':
      return alterTable(node, ctx, out);
    case 'IndexStmt':
      return createIndex(node, ctx, out);
    case 'DropStmt':
      return drop(node, ctx, out);
    case 'RenameStmt':
      return rename(node, ctx, out);
    case 'AlterObjectSchemaStmt': {
      if (!node.relation) return;
      const objectKind = node.objectType === 'OBJECT_TABLE' ? 'table' : node.objectType === 'OBJECT_INDEX' ? 'index' : 'other';
      if (objectKind === 'other') return;
      out.push({
        kind: 'set_schema',
        statement,
        objectKind,
        target: qualified(node.relation, ctx),
        ifExists: !!node.missing_ok,
        newSchema: node.newschema,
      });
      return;
    }
    case 'CreateSchemaStmt': {
      if (!node.schemaname) return;
      out.push({ kind: 'create_schema', statement, name: node.schemaname, ifNotExists: !!node.if_not_exists });
      for (const element of node.schemaElts ?? []) {
        const inner = element.CreateStmt ?? element.IndexStmt;
        if (inner?.relation && !inner.relation.schemaname) inner.relation.schemaname = node.schemaname;
        statementEvents(element, ctx, out);
      }
      return;
    }
    case 'VariableSetStmt': {
      if (node.name !== 'search_path') return;
      if (node.kind === 'VAR_SET_VALUE') {
        const schemas = (node.args ?? []).flatMap((a: Node) => splitSearchPath(a.A_Const?.sval?.sval ?? ''));
        out.push({ kind: 'set_search_path', statement, schemas });
      } else if (node.kind === 'VAR_SET_DEFAULT' || node.kind === 'VAR_RESET' || node.kind === 'VAR_RESET_ALL') {
        out.push({ kind: 'set_search_path', statement, schemas: ['$user', 'public'] });
      }
      return;
    }
    case 'SelectStmt': {
      // pg_dump: SELECT pg_catalog.set_config('search_path', '', false);
      for (const target of node.targetList ?? []) {
        const call = target.ResTarget?.val?.FuncCall;
        const fname = call?.funcname?.[call.funcname.length - 1]?.String?.sval;
        const args = call?.args ?? [];
        if (fname === 'set_config' && args[0]?.A_Const?.sval?.sval === 'search_path' && args[1]?.A_Const?.sval) {
          out.push({ kind: 'set_search_path', statement, schemas: splitSearchPath(args[1].A_Const.sval.sval) });
        }
      }
      return;
    }
    case 'TransactionStmt': {
      const k = node.kind as string;
      if (k === 'TRANS_STMT_BEGIN' || k === 'TRANS_STMT_START') out.push({ kind: 'begin', statement });
      else if (k === 'TRANS_STMT_COMMIT') out.push({ kind: 'commit', statement });
      else if (k === 'TRANS_STMT_ROLLBACK') out.push({ kind: 'rollback', statement });
      return;
    }
    default:
      return;
  }
}

function splitSearchPath(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => (s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s.toLowerCase()));
}

// ---------------------------------------------------------------------------------------------- tables

function createTable(node: Node, ctx: StatementContext, out: SchemaEvent[]): void {
  if (node.relation?.relpersistence === 't') {
    // Temporary tables vanish with the session: not schema, but known to the rest of the migration.
    out.push({ kind: 'untracked_relation', relation: 'temporary table', statement: ctx.span, table: qualified(node.relation, ctx) });
    return;
  }
  const columns: ColumnDefinition[] = [];
  const constraints: ConstraintDefinition[] = [];
  const like: { table: QualifiedName; including: string[]; excluding: string[] }[] = [];
  for (const element of node.tableElts ?? []) {
    if (element.ColumnDef) columns.push(columnDefinition(element.ColumnDef, ctx));
    else if (element.Constraint) {
      const c = constraintDefinition(element.Constraint, ctx);
      if (c) constraints.push(c);
    } else if (element.TableLikeClause) {
      const options = element.TableLikeClause.options ?? 0;
      like.push({
        table: qualified(element.TableLikeClause.relation, ctx),
        including: LIKE_OPTIONS.filter(([, bit]) => (options & bit) !== 0).map(([name]) => name),
        excluding: [],
      });
    }
  }
  const parents = (node.inhRelations ?? []).map((r: Node) => qualified(r.RangeVar ?? r, ctx));
  out.push({
    kind: 'create_table',
    statement: ctx.span,
    table: qualified(node.relation, ctx),
    ifNotExists: !!node.if_not_exists,
    columns,
    constraints,
    like,
    inherits: node.partbound ? [] : parents,
    partitionOf: node.partbound ? parents[0] : undefined,
    partitioned: !!node.partspec,
    asQuery: false,
  });
}

function columnDefinition(def: Node, ctx: StatementContext): ColumnDefinition {
  const nameToken = tokenAtOffset(ctx, ctx.offset(def.location));
  const nameSpan = nameToken ? { start: nameToken.start, end: nameToken.end } : ctx.span;
  const t = formatType(def.typeName);
  const column: ColumnDefinition = {
    name: def.colname,
    nameSpan,
    type: t.type,
    declaredType: t.declared,
    typeSpan: spanOfToken(ctx, ctx.offset(def.typeName?.location)),
    notNull: false,
    serial: t.serial,
    generated: false,
    constraints: [],
    span: { start: nameSpan.start, end: nameSpan.end },
  };
  if (t.serial) {
    column.notNull = true;
    column.default = `nextval(...)`;
  }
  let previous: ConstraintDefinition | undefined;
  for (const item of def.constraints ?? []) {
    const c = item.Constraint as Node;
    switch (c.contype) {
      case 'CONSTR_NOTNULL':
        column.notNull = true;
        column.notNullSpan = keywordSpan(ctx, c.location, 2);
        break;
      case 'CONSTR_NULL':
        break;
      case 'CONSTR_DEFAULT': {
        const e = expressionAfterKeyword(ctx, c.location);
        column.default = e?.text ?? 'DEFAULT';
        column.defaultSpan = e?.span;
        break;
      }
      case 'CONSTR_IDENTITY':
        column.identity = c.generated_when === 'a' ? 'ALWAYS' : 'BY DEFAULT';
        column.notNull = true;
        break;
      case 'CONSTR_GENERATED':
        column.generated = true;
        break;
      case 'CONSTR_ATTR_DEFERRABLE':
        if (previous) previous.deferrable = true;
        break;
      case 'CONSTR_ATTR_NOT_DEFERRABLE':
        if (previous) previous.deferrable = false;
        break;
      case 'CONSTR_ATTR_DEFERRED':
        if (previous) {
          previous.initiallyDeferred = true;
          previous.deferrable = true;
        }
        break;
      case 'CONSTR_ATTR_IMMEDIATE':
        if (previous) previous.initiallyDeferred = false;
        break;
      default: {
        const constraint = constraintDefinition(c, ctx, { name: def.colname, span: nameSpan });
        if (constraint) {
          column.constraints.push(constraint);
          previous = constraint;
          if (constraint.kind === 'primary') {
            column.notNull = true;
            column.notNullSpan ??= constraint.span;
          }
        }
      }
    }
  }
  const lastEnd = Math.max(
    column.span.end,
    column.typeSpan?.end ?? 0,
    column.defaultSpan?.end ?? 0,
    column.notNullSpan?.end ?? 0,
    ...column.constraints.map((c) => c.span.end),
  );
  column.span = { start: nameSpan.start, end: lastEnd };
  return column;
}

function constraintDefinition(
  c: Node,
  ctx: StatementContext,
  column?: { name: string; span: Span },
): ConstraintDefinition | undefined {
  const kind =
    c.contype === 'CONSTR_PRIMARY'
      ? 'primary'
      : c.contype === 'CONSTR_UNIQUE'
        ? 'unique'
        : c.contype === 'CONSTR_FOREIGN'
          ? 'foreign'
          : c.contype === 'CONSTR_CHECK'
            ? 'check'
            : c.contype === 'CONSTR_EXCLUSION'
              ? 'exclusion'
              : undefined;
  if (!kind) return undefined;
  const names = (list: Node[] | undefined) => (list ?? []).map((n) => n.String?.sval ?? '').filter(Boolean);
  const columns = column ? [column.name] : kind === 'foreign' ? names(c.fk_attrs) : names(c.keys);
  const scan = scanConstraint(ctx, ctx.offset(c.location));
  const result: ConstraintDefinition = {
    kind,
    name: c.conname,
    nameSpan: scan?.nameSpan,
    columns,
    columnsSpan: column ? column.span : scan?.columnsSpan,
    span: scan?.span ?? ctx.span,
    columnConstraint: !!column,
    usingIndex: c.indexname,
    include: c.including ? names(c.including) : undefined,
    nullsNotDistinct: !!c.nulls_not_distinct,
    deferrable: !!c.deferrable,
    initiallyDeferred: !!c.initdeferred,
    notValid: !!c.skip_validation,
    notEnforced: kind === 'foreign' && c.is_enforced !== true,
  };
  if (kind === 'check') result.expressionColumns = columnRefs(c.raw_expr);
  if (kind === 'foreign') {
    result.foreign = {
      refTable: qualified(c.pktable, ctx),
      refColumns: names(c.pk_attrs),
      refColumnsSpan: scan?.refColumnsSpan,
      onDelete: ACTIONS[c.fk_del_action ?? 'a'] ?? 'NO ACTION',
      onUpdate: ACTIONS[c.fk_upd_action ?? 'a'] ?? 'NO ACTION',
      onDeleteSpan: scan?.onDeleteSpan,
      onUpdateSpan: scan?.onUpdateSpan,
      setColumns: c.fk_del_set_cols ? names(c.fk_del_set_cols) : null,
      match: MATCHES[c.fk_matchtype ?? 's'] ?? 'SIMPLE',
      period: !!c.fk_with_period || !!c.pk_with_period,
    };
    // NOT ENFORCED constraints are never validated; libpg_query marks them skip_validation too.
    if (result.notEnforced) result.notValid = false;
  }
  return result;
}

interface ConstraintScan {
  span: Span;
  nameSpan?: Span;
  columnsSpan?: Span;
  refColumnsSpan?: Span;
  onDeleteSpan?: Span;
  onUpdateSpan?: Span;
}

/** Walks a constraint clause's tokens from its start to find the ranges the parse tree does not give. */
function scanConstraint(ctx: StatementContext, start: number | undefined): ConstraintScan | undefined {
  if (start === undefined) return undefined;
  const tokens = ctx.tokens();
  let k = indexAtOffset(tokens, start);
  if (k >= tokens.length) return undefined;
  const first = k;
  const scan: ConstraintScan = { span: { start: tokens[k].start, end: tokens[k].end } };
  if (isWord(tokens[k], 'constraint') && tokens[k + 1]) {
    scan.nameSpan = spanOf(tokens[k + 1]);
    k += 2;
  }
  const group = (at: number): number => {
    const close = matchParen(tokens, at);
    if (close > at + 1) scan.columnsSpan ??= { start: tokens[at + 1].start, end: tokens[close - 1].end };
    return close + 1;
  };
  if (isWord(tokens[k], 'primary')) {
    k += 2;
    if (isOp(tokens[k], '(')) k = group(k);
  } else if (isWord(tokens[k], 'unique')) {
    k++;
    if (isWord(tokens[k], 'nulls')) k += isWord(tokens[k + 1], 'not') ? 3 : 2;
    if (isOp(tokens[k], '(')) k = group(k);
  } else if (isWord(tokens[k], 'check', 'exclude')) {
    k++;
    while (k < tokens.length && !isOp(tokens[k], '(')) k++;
    if (k < tokens.length) k = matchParen(tokens, k) + 1;
  } else if (isWord(tokens[k], 'foreign')) {
    k += 2;
    if (isOp(tokens[k], '(')) k = group(k);
  }
  if (isWord(tokens[k], 'references')) {
    k++;
    k = skipQualifiedName(tokens, k);
    if (isOp(tokens[k], '(')) {
      const close = matchParen(tokens, k);
      if (close > k + 1) scan.refColumnsSpan = { start: tokens[k + 1].start, end: tokens[close - 1].end };
      k = close + 1;
    }
  }
  // Trailing options: MATCH, ON DELETE/UPDATE, DEFERRABLE, INITIALLY, NOT VALID, [NOT] ENFORCED, INCLUDE, ...
  for (;;) {
    const t = tokens[k];
    if (isWord(t, 'match')) k += 2;
    else if (isWord(t, 'on') && isWord(tokens[k + 1], 'delete', 'update')) {
      const which = tokens[k + 1].value;
      let e = k + 2;
      if (isWord(tokens[e], 'no', 'set')) e += 2;
      else e += 1;
      if (isOp(tokens[e], '(')) e = matchParen(tokens, e) + 1;
      const span = { start: t!.start, end: tokens[Math.min(e, tokens.length) - 1].end };
      if (which === 'delete') scan.onDeleteSpan = span;
      else scan.onUpdateSpan = span;
      k = e;
    } else if (isWord(t, 'deferrable', 'enforced')) k++;
    else if (isWord(t, 'not') && isWord(tokens[k + 1], 'deferrable', 'valid', 'enforced')) k += 2;
    else if (isWord(t, 'initially')) k += 2;
    else if (isWord(t, 'include', 'with') && isOp(tokens[k + 1], '(')) k = matchParen(tokens, k + 1) + 1;
    else if (isWord(t, 'using') && isWord(tokens[k + 1], 'index')) k += isWord(tokens[k + 2], 'tablespace') ? 4 : 3;
    else break;
  }
  const last = tokens[Math.min(k, tokens.length) - 1] ?? tokens[first];
  scan.span.end = Math.max(scan.span.end, last.end);
  return scan;
}

// ---------------------------------------------------------------------------------------------- ALTER TABLE

function alterTable(node: Node, ctx: StatementContext, out: SchemaEvent[]): void {
  if (node.objtype && node.objtype !== 'OBJECT_TABLE' && node.objtype !== 'OBJECT_FOREIGN_TABLE') return;
  const commands: AlterTableCommand[] = [];
  for (const item of node.cmds ?? []) {
    const cmd = item.AlterTableCmd as Node;
    const command = alterCommand(cmd, ctx);
    if (command) commands.push(command);
  }
  if (!commands.length) return;
  out.push({
    kind: 'alter_table',
    statement: ctx.span,
    table: qualified(node.relation, ctx),
    only: node.relation?.inh !== true,
    ifExists: !!node.missing_ok,
    commands,
  });
}

function alterCommand(cmd: Node, ctx: StatementContext): AlterTableCommand | undefined {
  const span = ctx.span;
  const column = cmd.name as string;
  switch (cmd.subtype) {
    case 'AT_AddColumn': {
      const def = columnDefinition(cmd.def.ColumnDef, ctx);
      return { kind: 'add_column', column: def, ifNotExists: !!cmd.missing_ok, span: def.span };
    }
    case 'AT_DropColumn':
      return { kind: 'drop_column', column, ifExists: !!cmd.missing_ok, cascade: cmd.behavior === 'DROP_CASCADE', span: nameSpanIn(ctx, column) ?? span };
    case 'AT_AlterColumnType': {
      const t = formatType(cmd.def?.ColumnDef?.typeName);
      return { kind: 'alter_type', column, type: t.type, declaredType: t.declared, span: nameSpanIn(ctx, column) ?? span };
    }
    case 'AT_SetNotNull':
      return { kind: 'set_not_null', column, span: nameSpanIn(ctx, column) ?? span };
    case 'AT_DropNotNull':
      return { kind: 'drop_not_null', column, span: nameSpanIn(ctx, column) ?? span };
    case 'AT_ColumnDefault': {
      const at = nameSpanIn(ctx, column) ?? span;
      if (!cmd.def) return { kind: 'drop_default', column, span: at };
      const tokens = ctx.tokens();
      const d = tokens.findIndex((t, i) => i > 0 && isWord(t, 'default') && isWord(tokens[i - 1], 'set') && t.start >= at.start);
      const e = d >= 0 ? expressionAfterKeyword(ctx, undefined, d) : undefined;
      return { kind: 'set_default', column, default: e?.text ?? 'DEFAULT', span: at };
    }
    case 'AT_AddIdentity':
      return { kind: 'add_identity', column, identity: cmd.def?.Constraint?.generated_when === 'a' ? 'ALWAYS' : 'BY DEFAULT', span: nameSpanIn(ctx, column) ?? span };
    case 'AT_DropIdentity':
      return { kind: 'drop_identity', column, span: nameSpanIn(ctx, column) ?? span };
    case 'AT_AddConstraint': {
      const constraint = constraintDefinition(cmd.def.Constraint, ctx);
      return constraint ? { kind: 'add_constraint', constraint, span: constraint.span } : undefined;
    }
    case 'AT_DropConstraint': {
      const nameSpan = nameSpanIn(ctx, cmd.name, 'constraint');
      return { kind: 'drop_constraint', name: cmd.name, ifExists: !!cmd.missing_ok, cascade: cmd.behavior === 'DROP_CASCADE', span: nameSpan ?? span, nameSpan };
    }
    case 'AT_ValidateConstraint': {
      const nameSpan = nameSpanIn(ctx, cmd.name, 'constraint');
      return { kind: 'validate_constraint', name: cmd.name, span: nameSpan ?? span, nameSpan };
    }
    case 'AT_AlterConstraint': {
      const a = cmd.def?.ATAlterConstraint ?? cmd.def?.Constraint;
      if (!a) return undefined;
      const name = a.conname as string;
      return {
        kind: 'alter_constraint',
        name,
        deferrable: a.alterDeferrability === false ? undefined : !!a.deferrable,
        initiallyDeferred: a.alterDeferrability === false ? undefined : !!a.initdeferred,
        span: nameSpanIn(ctx, name, 'constraint') ?? span,
      };
    }
    case 'AT_AttachPartition':
      return cmd.def?.PartitionCmd?.name ? { kind: 'attach_partition', partition: qualified(cmd.def.PartitionCmd.name, ctx), span } : undefined;
    case 'AT_DetachPartition':
      return cmd.def?.PartitionCmd?.name ? { kind: 'detach_partition', partition: qualified(cmd.def.PartitionCmd.name, ctx), span } : undefined;
    case 'AT_AddInherit':
      return cmd.def?.RangeVar ? { kind: 'inherit', parent: qualified(cmd.def.RangeVar, ctx), span } : undefined;
    case 'AT_DropInherit':
      return cmd.def?.RangeVar ? { kind: 'no_inherit', parent: qualified(cmd.def.RangeVar, ctx), span } : undefined;
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------- indexes

function createIndex(node: Node, ctx: StatementContext, out: SchemaEvent[]): void {
  const elements: IndexElement[] = (node.indexParams ?? []).map((p: Node) => {
    const e = p.IndexElem as Node;
    if (e.name) return { column: e.name };
    const call = e.expr?.FuncCall;
    const fname = call?.funcname?.[call.funcname.length - 1]?.String?.sval;
    return { expression: fname ?? 'expr', expressionColumns: columnRefs(e.expr) };
  });
  const include = (node.indexIncludingParams ?? []).map((p: Node) => p.IndexElem?.name).filter(Boolean);
  let where: string | undefined;
  if (node.whereClause) {
    const tokens = ctx.tokens();
    let depth = 0;
    const w = tokens.findIndex((t) => {
      if (isOp(t, '(')) depth++;
      else if (isOp(t, ')')) depth--;
      return depth === 0 && isWord(t, 'where');
    });
    where = w >= 0 && tokens[w + 1] ? ctx.text.slice(tokens[w + 1].start, tokens[tokens.length - 1].end) : 'true';
  }
  let nameSpan: Span | undefined;
  if (node.idxname) {
    const tokens = ctx.tokens();
    const i = tokens.findIndex((t) => isWord(t, 'index'));
    let k = i + 1;
    if (isWord(tokens[k], 'concurrently')) k++;
    if (isWord(tokens[k], 'if')) k += 3;
    if (tokens[k] && !isWord(tokens[k], 'on')) nameSpan = spanOf(tokens[k]);
  }
  out.push({
    kind: 'create_index',
    statement: ctx.span,
    name: node.idxname,
    nameSpan,
    table: qualified(node.relation, ctx),
    only: node.relation?.inh !== true,
    elements,
    include,
    unique: !!node.unique,
    nullsNotDistinct: !!node.nulls_not_distinct,
    method: node.accessMethod ?? 'btree',
    where,
    whereNotNullColumns: node.whereClause ? notNullColumns(node.whereClause) : undefined,
    concurrently: !!node.concurrent,
    ifNotExists: !!node.if_not_exists,
  });
}

/** The columns a predicate requires to be non-null, if it is only `col IS NOT NULL [AND ...]`. */
function notNullColumns(where: Node): string[] | undefined {
  if (where.NullTest) {
    const f = where.NullTest.arg?.ColumnRef?.fields;
    if (where.NullTest.nulltesttype !== 'IS_NOT_NULL' || !f || f.length !== 1 || !f[0].String) return undefined;
    return [f[0].String.sval];
  }
  if (where.BoolExpr?.boolop === 'AND_EXPR') {
    const parts = (where.BoolExpr.args ?? []).map(notNullColumns);
    if (parts.some((p: string[] | undefined) => !p)) return undefined;
    return parts.flat();
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------- DROP, RENAME

function drop(node: Node, ctx: StatementContext, out: SchemaEvent[]): void {
  const kinds: Record<string, 'drop_table' | 'drop_index' | 'drop_schema' | 'drop_view'> = {
    OBJECT_TABLE: 'drop_table',
    OBJECT_FOREIGN_TABLE: 'drop_table',
    OBJECT_INDEX: 'drop_index',
    OBJECT_SCHEMA: 'drop_schema',
    OBJECT_VIEW: 'drop_view',
    OBJECT_MATVIEW: 'drop_view',
  };
  const kind = kinds[node.removeType];
  if (!kind) return;
  const names: QualifiedName[] = (node.objects ?? []).map((o: Node) => {
    const parts: string[] = o.List ? o.List.items.map((i: Node) => i.String?.sval ?? '') : [o.String?.sval ?? ''];
    const name = parts[parts.length - 1];
    return { schema: parts.length > 1 ? parts[parts.length - 2] : undefined, name, span: nameSpanIn(ctx, name) ?? ctx.span };
  });
  out.push({ kind, statement: ctx.span, names, ifExists: !!node.missing_ok, cascade: node.behavior === 'DROP_CASCADE' });
}

function rename(node: Node, ctx: StatementContext, out: SchemaEvent[]): void {
  const kinds: Record<string, 'rename_table' | 'rename_column' | 'rename_constraint' | 'rename_index' | 'rename_schema'> = {
    OBJECT_TABLE: 'rename_table',
    OBJECT_FOREIGN_TABLE: 'rename_table',
    OBJECT_COLUMN: 'rename_column',
    OBJECT_TABCONSTRAINT: 'rename_constraint',
    OBJECT_INDEX: 'rename_index',
    OBJECT_SCHEMA: 'rename_schema',
  };
  const kind = kinds[node.renameType];
  if (!kind) return;
  if (kind === 'rename_column' && node.relationType && node.relationType !== 'OBJECT_TABLE' && node.relationType !== 'OBJECT_FOREIGN_TABLE') return;
  const target: QualifiedName =
    kind === 'rename_schema' ? { name: node.subname, span: nameSpanIn(ctx, node.subname) ?? ctx.span } : qualified(node.relation, ctx);
  const from = kind === 'rename_column' || kind === 'rename_constraint' || kind === 'rename_schema' ? node.subname : target.name;
  out.push({ kind, statement: ctx.span, target, ifExists: !!node.missing_ok, from, to: node.newname, toSpan: nameSpanIn(ctx, node.newname, 'to') });
}

// ---------------------------------------------------------------------------------------------- token helpers

function qualified(rangeVar: Node, ctx: StatementContext): QualifiedName {
  const start = ctx.offset(rangeVar?.location);
  let span: Span = ctx.span;
  if (start !== undefined) {
    const tokens = ctx.tokens();
    const k = indexAtOffset(tokens, start);
    if (k < tokens.length) {
      const end = skipQualifiedName(tokens, k);
      span = { start: tokens[k].start, end: tokens[Math.max(k, end - 1)].end };
    }
  }
  return { schema: rangeVar?.schemaname || undefined, name: rangeVar?.relname ?? '', span };
}

/** First token index at or after offset. */
function indexAtOffset(tokens: Token[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid].start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function tokenAtOffset(ctx: StatementContext, offset: number | undefined): Token | undefined {
  if (offset === undefined) return undefined;
  const tokens = ctx.tokens();
  return tokens[indexAtOffset(tokens, offset)];
}

function spanOfToken(ctx: StatementContext, offset: number | undefined): Span | undefined {
  const t = tokenAtOffset(ctx, offset);
  return t ? spanOf(t) : undefined;
}

function spanOf(t: Token): Span {
  return { start: t.start, end: t.end };
}

/** Range of `count` keyword tokens starting at a node location (e.g. NOT NULL). */
function keywordSpan(ctx: StatementContext, location: number | undefined, count: number): Span | undefined {
  const start = ctx.offset(location);
  if (start === undefined) return undefined;
  const tokens = ctx.tokens();
  const k = indexAtOffset(tokens, start);
  const last = tokens[Math.min(tokens.length - 1, k + count - 1)];
  return tokens[k] && last ? { start: tokens[k].start, end: last.end } : undefined;
}

function skipQualifiedName(tokens: Token[], k: number): number {
  k++;
  while (isOp(tokens[k], '.') && tokens[k + 1]) k += 2;
  return k;
}

function matchParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    if (isOp(tokens[k], '(')) depth++;
    else if (isOp(tokens[k], ')')) {
      depth--;
      if (depth === 0) return k;
    }
  }
  return tokens.length - 1;
}

const COLUMN_CONSTRAINT_WORDS = new Set([
  'not', 'null', 'constraint', 'primary', 'unique', 'references', 'check', 'default', 'collate', 'generated',
]);

/** The expression after a keyword (DEFAULT ...): its text and range, up to the next `,` / `)` / constraint. */
function expressionAfterKeyword(
  ctx: StatementContext,
  keywordLocation: number | undefined,
  keywordIndex?: number,
): { text: string; span: Span } | undefined {
  const tokens = ctx.tokens();
  let k = keywordIndex ?? indexAtOffset(tokens, ctx.offset(keywordLocation) ?? ctx.span.end);
  k++; // skip DEFAULT
  const first = k;
  let depth = 0;
  for (; k < tokens.length; k++) {
    const t = tokens[k];
    if (isOp(t, '(')) depth++;
    else if (isOp(t, ')')) {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && (isOp(t, ',') || isOp(t, ';'))) break;
    else if (depth === 0 && k > first && t.kind === 'word' && COLUMN_CONSTRAINT_WORDS.has(t.value) && !isExpressionContinuation(tokens, k)) break;
  }
  if (k === first || !tokens[first]) return undefined;
  const span = { start: tokens[first].start, end: tokens[k - 1].end };
  return { text: ctx.text.slice(span.start, span.end), span };
}

/** `x IS NOT NULL`, `NOT x` inside a default expression are part of it, not a NOT NULL constraint. */
function isExpressionContinuation(tokens: Token[], k: number): boolean {
  const t = tokens[k];
  if (t.value === 'not' || t.value === 'null') return isWord(tokens[k - 1], 'is', 'not');
  return false;
}

/** The range of an identifier `name` in the statement, optionally only right after the word `after`. */
function nameSpanIn(ctx: StatementContext, name: string | undefined, after?: string): Span | undefined {
  if (!name) return undefined;
  const tokens = ctx.tokens();
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if ((t.kind === 'word' || t.kind === 'quoted') && t.value === name && (!after || isWord(tokens[k - 1], after))) {
      return spanOf(t);
    }
  }
  return after ? nameSpanIn(ctx, name) : undefined;
}

/** The distinct column names an expression refers to (ColumnRef nodes; the last field of a qualified name). */
function columnRefs(expr: unknown): string[] {
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const ref = (node as Node).ColumnRef as Node | undefined;
    if (ref) {
      const last = (ref.fields ?? [])[(ref.fields ?? []).length - 1] as Node | undefined;
      if (last?.String?.sval) found.add(last.String.sval);
      return;
    }
    for (const value of Object.values(node)) walk(value);
  };
  walk(expr);
  return [...found];
}
