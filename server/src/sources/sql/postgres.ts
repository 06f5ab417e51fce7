/**
 * PostgreSQL reader: libpg_query (PostgreSQL's own parser, WASM) for the statements, our lexer for the
 * ranges libpg_query does not give, and statement-level recovery so one bad statement costs one diagnostic.
 */
import { loadModule, parseSync } from 'libpg-query';
import type { SchemaEvent, SourceFile, SourceProblem } from '../events';
import { LineIndex, codePointToUnit, type Span } from '../text';
import { splitStatements, tokenize } from './lexer';
import { statementEvents, type StatementContext } from './pgStatements';

let loading: Promise<void> | undefined;
let loaded = false;

/** Loads the parser's WASM module. Must be awaited once before readPostgres. */
export function initPostgresParser(): Promise<void> {
  loading ??= loadModule().then(() => {
    loaded = true;
  });
  return loading;
}

interface RawStatement {
  stmt: Record<string, unknown>;
  stmt_location?: number;
  stmt_len?: number;
}

export interface ParsedPiece {
  /** UTF-16 offset of the parsed text inside the file. */
  base: number;
  /** Index for the parsed text (maps its UTF-8 byte offsets). */
  index: LineIndex;
  stmts: RawStatement[];
}

export function readPostgres(path: string, text: string): SourceFile {
  if (!loaded) throw new Error('FK Lens: the PostgreSQL parser is not loaded (call initPostgresParser first)');
  const region = readRegion(text, 0, text.length);
  // Reuse the parse's line index only when it covers the whole file (not a recovered first statement).
  const whole = region.pieces.length === 1 && region.pieces[0].base === 0 && region.pieces[0].index.text.length === text.length;
  const lines = whole ? region.pieces[0].index : new LineIndex(text);
  return sourceFile(path, region, lines);
}

export interface ReadRegion {
  pieces: ParsedPiece[];
  events: SchemaEvent[];
  statements: Span[];
  problems: SourceProblem[];
}

/** Reads text[from, to) of a file (whole statements only); ranges are offsets into the whole text. */
export function readRegion(text: string, from: number, to: number): ReadRegion {
  const problems: SourceProblem[] = [];
  const pieces = parsePieces(text, from, to, problems);
  const events: SchemaEvent[] = [];
  const statements: Span[] = [];
  readPieces(text, pieces, events, statements, problems);
  statements.sort((a, b) => a.start - b.start);
  return { pieces, events, statements, problems };
}

export function sourceFile(path: string, region: Omit<ReadRegion, 'pieces'>, lines: LineIndex): SourceFile {
  const statementCount = region.statements.length + region.problems.filter((p) => p.code === 'syntax-error').length;
  return { path, dialect: 'postgres', statementCount, statements: region.statements, events: region.events, problems: region.problems, lines };
}

function readPieces(text: string, pieces: ParsedPiece[], events: SchemaEvent[], statements: Span[], problems: SourceProblem[]): void {
  for (const piece of pieces) {
    for (const raw of piece.stmts) {
      const startByte = raw.stmt_location ?? 0;
      let start = piece.base + piece.index.fromUtf8(startByte);
      const end = raw.stmt_len
        ? piece.base + piece.index.fromUtf8(startByte + raw.stmt_len)
        : piece.base + piece.index.text.length;
      start = skipTrivia(text, start, end);
      const span = { start, end };
      statements.push(span);
      const ctx = new PgStatementContext(text, span, piece);
      try {
        if (raw.stmt.DoStmt) readDoBlock(text, ctx, events);
        else statementEvents(raw.stmt, ctx, events);
      } catch (e) {
        // A construct the event extraction does not understand must never lose the rest of the file.
        problems.push({
          severity: 'warning',
          code: 'unsupported',
          message: `FK Lens could not read this statement: ${(e as Error).message}`,
          span,
        });
      }
    }
  }
}

const DDL_START = /^(alter\s+table|alter\s+index|create\s+(unique\s+)?index|create\s+table|drop\s+(table|index)|create\s+schema)\b/i;
const BLOCK_WORDS = new Set(['then', 'else', 'loop', 'begin', 'elsif']);

/**
 * DDL inside `DO $$ ... $$` blocks (migrations guard statements with IF NOT EXISTS ... THEN): each
 * embedded ALTER / CREATE / DROP is read as if it ran; the procedural code around it is ignored.
 * Function bodies (CREATE FUNCTION) are never read: defining a function runs nothing.
 */
function readDoBlock(text: string, ctx: PgStatementContext, events: SchemaEvent[]): void {
  const body = ctx.tokens().find((t) => t.kind === 'dollar');
  if (!body) return;
  const tagLength = body.value.indexOf('$', 1) + 1;
  const from = body.start + tagLength;
  const to = body.end - tagLength;
  if (to <= from) return;
  const inner = text.slice(from, to);
  for (const range of splitStatements(inner)) {
    const tokens = tokenize(inner, range.start, range.end);
    for (let k = 0; k < tokens.length; k++) {
      const atStart = k === 0 || (tokens[k - 1].kind === 'word' && BLOCK_WORDS.has(tokens[k - 1].value));
      if (!atStart || tokens[k].kind !== 'word') continue;
      const candidate = inner.slice(tokens[k].start, range.end);
      if (!DDL_START.test(candidate)) continue;
      const r = tryParse(candidate);
      if (r.ok) {
        const piece = { base: from + tokens[k].start, index: new LineIndex(candidate), stmts: r.stmts };
        readPieces(text, [piece], events, [], []);
      }
      break;
    }
  }
}

/** Whole-file parse on the fast path; statement by statement when the file has a syntax error. */
function parsePieces(text: string, from: number, to: number, problems: SourceProblem[]): ParsedPiece[] {
  const region = from === 0 && to === text.length ? text : text.slice(from, to);
  const whole = tryParse(region);
  if (whole.ok) return [{ base: from, index: new LineIndex(region), stmts: whole.stmts }];
  const pieces: ParsedPiece[] = [];
  for (const range of splitStatements(region)) {
    const sub = region.slice(range.start, range.end);
    const r = tryParse(sub);
    if (r.ok) {
      pieces.push({ base: from + range.start, index: new LineIndex(sub), stmts: r.stmts });
    } else {
      const at = from + range.start + codePointToUnit(sub, r.position);
      problems.push({ severity: 'error', code: 'syntax-error', message: r.message, span: tokenAt(text, at, from + range.end) });
    }
  }
  return pieces;
}

type ParseOutcome = { ok: true; stmts: RawStatement[] } | { ok: false; message: string; position: number };

function tryParse(sql: string): ParseOutcome {
  try {
    const result = parseSync(sql) as unknown as { stmts?: RawStatement[] };
    return { ok: true, stmts: result.stmts ?? [] };
  } catch (e) {
    const err = e as { message?: string; sqlDetails?: { message?: string; cursorPosition?: number } };
    const message = err.sqlDetails?.message ?? err.message ?? 'syntax error';
    return { ok: false, message: message.replace(/^syntax error/, 'Syntax error'), position: err.sqlDetails?.cursorPosition ?? 0 };
  }
}

/** The range of the token starting at (or containing) offset, for a precise error squiggle. */
function tokenAt(text: string, offset: number, limit: number): Span {
  const tokens = tokenize(text, offset, Math.max(offset, limit), 1);
  const t = tokens[0];
  if (t && t.start === offset) {
    // An unterminated quote runs to the end: underline its first line only.
    const nl = text.indexOf('\n', t.start);
    return { start: t.start, end: nl > t.start && nl < t.end ? nl : t.end };
  }
  if (offset >= text.length) return { start: Math.max(0, text.length - 1), end: text.length };
  return { start: offset, end: Math.min(text.length, offset + 1) };
}

function skipTrivia(text: string, i: number, end: number): number {
  return tokenize(text, i, end, 1)[0]?.start ?? i;
}

class PgStatementContext implements StatementContext {
  private tokenCache: ReturnType<typeof tokenize> | undefined;

  constructor(
    readonly text: string,
    readonly span: Span,
    private readonly piece: ParsedPiece,
  ) {}

  offset(byteLocation: number | undefined): number | undefined {
    if (byteLocation === undefined || byteLocation < 0) return undefined;
    return this.piece.base + this.piece.index.fromUtf8(byteLocation);
  }

  tokens() {
    this.tokenCache ??= tokenize(this.text, this.span.start, this.span.end);
    return this.tokenCache;
  }
}
