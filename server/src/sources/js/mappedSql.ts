/**
 * SQL text assembled from pieces of a JS/TS file (string literals, template parts, or the SQL a schema builder
 * would send), with a map from every SQL offset back to the JS range it came from. The PostgreSQL reader reads
 * the text; its events and problems are then moved into the JS file, so diagnostics land in the migration code.
 */
import type { EventCondition, SchemaEvent, SourceProblem } from '../events';
import type { Span } from '../text';
import { readPostgres } from '../sql/postgres';

interface Piece {
  sqlStart: number;
  sqlEnd: number;
  jsStart: number;
  jsEnd: number;
  /** Characters map one to one (string literal text); otherwise the piece stands for its JS range as a whole. */
  exact: boolean;
}

/** An identifier as the migration tools write it into the SQL they send: always double-quoted, `"` doubled. */
export const quoteName = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** A string literal as the tools write it: single-quoted, `'` doubled. */
export const sqlLiteral = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Stands for a `${}` part whose value is only known when the code runs; never a name PostgreSQL would accept by chance. */
export const UNKNOWN_MARKER = 'fklens_unknown_';

export class MappedSql {
  text = '';
  private readonly pieces: Piece[] = [];
  private unknowns = 0;
  /** The run-time conditions the code sends this SQL under (set by the walk). */
  conditions?: EventCondition[];
  /** Bound parameters read as values (placeholders.ts). */
  placeholders = 0;

  /** Text copied from the file: js[jsStart, jsStart + text.length). */
  exact(text: string, jsStart: number): this {
    return this.push(text, jsStart, jsStart + text.length, true);
  }

  /** Text that stands for a JS range as a whole (generated SQL, an escape sequence, a resolved `${}`). */
  atomic(text: string, span: Span): this {
    return this.push(text, span.start, span.end, false);
  }

  /** A value only known at run time: an identifier PostgreSQL parses, recognisable afterwards. */
  unknown(span: Span): this {
    return this.atomic(`${UNKNOWN_MARKER}${++this.unknowns}`, span);
  }

  append(other: MappedSql): this {
    const base = this.text.length;
    for (const p of other.pieces) this.pieces.push({ ...p, sqlStart: p.sqlStart + base, sqlEnd: p.sqlEnd + base });
    this.text += other.text;
    this.unknowns += other.unknowns;
    return this;
  }

  get hasUnknowns(): boolean {
    return this.unknowns > 0;
  }

  /**
   * The text with some ranges replaced (placeholders by the values they stand for): the rest keeps its map,
   * each replacement stands for the JS range of the text it replaces. `unknown: true` makes it an unknown name.
   */
  replaced(replacements: { start: number; end: number; text: string; unknown?: boolean }[]): MappedSql {
    const out = new MappedSql();
    out.unknowns = this.unknowns;
    let at = 0;
    for (const r of [...replacements].sort((a, b) => a.start - b.start)) {
      if (r.start < at) continue;
      out.copy(this, at, r.start);
      const span = this.mapSpan({ start: r.start, end: r.end });
      if (r.unknown) out.unknown(span);
      else out.atomic(r.text, span);
      at = r.end;
    }
    out.copy(this, at, this.text.length);
    return out;
  }

  /** Appends this[start, end) of `from`, exact pieces cut to the range, atomic ones kept whole. */
  private copy(from: MappedSql, start: number, end: number): void {
    for (const p of from.pieces) {
      if (p.sqlEnd <= start || p.sqlStart >= end) continue;
      const s = Math.max(start, p.sqlStart);
      const e = Math.min(end, p.sqlEnd);
      if (p.exact) this.exact(from.text.slice(s, e), p.jsStart + (s - p.sqlStart));
      else this.atomic(from.text.slice(s, e), { start: p.jsStart, end: p.jsEnd });
    }
  }

  private push(text: string, jsStart: number, jsEnd: number, exact: boolean): this {
    if (!text) return this;
    this.pieces.push({ sqlStart: this.text.length, sqlEnd: this.text.length + text.length, jsStart, jsEnd, exact });
    this.text += text;
    return this;
  }

  private pieceAt(offset: number): Piece | undefined {
    const pieces = this.pieces;
    let lo = 0;
    let hi = pieces.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (pieces[mid].sqlEnd <= offset) lo = mid + 1;
      else if (pieces[mid].sqlStart > offset) hi = mid - 1;
      else return pieces[mid];
    }
    return undefined;
  }

  /** JS offset of the character at SQL `offset` (a range's start). */
  mapStart(offset: number): number {
    const p = this.pieceAt(offset);
    if (!p) return this.pieces.length ? this.pieces[this.pieces.length - 1].jsEnd : 0;
    return p.exact ? p.jsStart + (offset - p.sqlStart) : p.jsStart;
  }

  /** JS offset just after the character before SQL `offset` (a range's end). */
  mapEnd(offset: number): number {
    if (offset <= 0) return this.pieces.length ? this.pieces[0].jsStart : 0;
    const p = this.pieceAt(offset - 1);
    if (!p) return this.mapStart(offset);
    return p.exact ? p.jsStart + (offset - p.sqlStart) : p.jsEnd;
  }

  mapSpan(span: Span): Span {
    const start = this.mapStart(span.start);
    return { start, end: span.end > span.start ? Math.max(start, this.mapEnd(span.end)) : start };
  }
}

export interface MappedRead {
  events: SchemaEvent[];
  statements: Span[];
  problems: SourceProblem[];
}

/** Reads the SQL with the PostgreSQL reader and moves every range into the JS file. */
export function readMappedSql(path: string, sql: MappedSql): MappedRead {
  const file = readPostgres(path, sql.text);
  const seen = new Set<object>();
  const events: SchemaEvent[] = [];
  // SQL FK Lens only partly knows (run-time parts, bound values) or that may not run at all: what it cannot read
  // is a gap in the model, not a mistake in the migration.
  const uncertain = sql.hasUnknowns || sql.placeholders > 0 || !!sql.conditions?.length;
  const problems = file.problems.map((p): SourceProblem => {
    const span = sql.mapSpan(p.span);
    if (!uncertain || p.code !== 'syntax-error') return { ...p, span };
    const why = sql.conditions?.length ? 'it runs under a condition only known when the migration runs' : sql.hasUnknowns ? 'parts of it are only known when the migration runs' : 'it has bound parameters';
    return { severity: 'info', code: 'unsupported', message: `FK Lens could not read this statement (${why}); it is left out of the model. ${p.message}`, span };
  });
  for (const event of file.events) {
    const unknown = sql.hasUnknowns ? unknownName(event) : undefined;
    mapSpans(event, sql, seen);
    if (sql.conditions?.length) event.conditions = sql.conditions;
    if (unknown) {
      problems.push({
        severity: 'info',
        code: 'unsupported',
        message: `This statement names a ${unknown} that is only known when the migration runs (a \`\${}\` part); FK Lens leaves it out of the model.`,
        span: event.statement,
      });
    } else events.push(event);
  }
  return { events, statements: file.statements.map((s) => sql.mapSpan(s)), problems };
}

/** Moves every `{start, end}` range inside a value (an event, a problem) from SQL offsets to source offsets, each object once. */
export function mapSpans(value: unknown, sql: MappedSql, seen: Set<object>): void {
  if (!value || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) {
    for (const item of value) mapSpans(item, sql, seen);
    return;
  }
  const record = value as Record<string, unknown>;
  if (typeof record.start === 'number' && typeof record.end === 'number') {
    const mapped = sql.mapSpan({ start: record.start, end: record.end });
    record.start = mapped.start;
    record.end = mapped.end;
    return;
  }
  for (const key of Object.keys(record)) mapSpans(record[key], sql, seen);
}

/** Fields that only hold SQL text (defaults, predicates, a setting's value): an unknown part there does not change the schema's shape. */
const TEXT_FIELDS = new Set(['default', 'where', 'expression', 'declaredType', 'type', 'value']);

/** What kind of name in the event is an unknown `${}` part, if any. */
function unknownName(event: SchemaEvent): string | undefined {
  let found: string | undefined;
  const visit = (value: unknown, key: string): void => {
    if (found) return;
    if (typeof value === 'string') {
      if (value.includes(UNKNOWN_MARKER)) found = key === 'schema' ? 'schema' : key === 'name' || key === 'refTable' ? 'table' : 'column';
      return;
    }
    if (!value || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, key);
      return;
    }
    // A constraint's or an index's own name may stay unknown: the key it declares is still known.
    const named = 'kind' in value;
    for (const [k, v] of Object.entries(value)) if (!TEXT_FIELDS.has(k) && !(named && k === 'name')) visit(v, k);
  };
  visit(event, '');
  return found;
}
