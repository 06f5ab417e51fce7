/**
 * PostgreSQL reader: libpg_query (PostgreSQL's own parser, WASM) for the statements, our lexer for the
 * ranges libpg_query does not give, and statement-level recovery so one bad statement costs one diagnostic.
 */
import { loadModule, parseSync } from 'libpg-query';
import type { SchemaEvent, SourceFile, SourceProblem } from '../events';
import { LineIndex, codePointToUnit, type Span } from '../text';
import { isWord, splitStatements, tokenize, type Token } from './lexer';
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
  return drain(readPostgresSteps(path, text));
}

/**
 * readPostgres a chunk at a time: each `yield` ends a chunk (about CHUNK_CHARS of statements parsed and turned
 * into events), where a caller may give the event loop a turn or stop reading (the server drops a read an edit
 * superseded). Running it to the end gives exactly readPostgres's result.
 */
export function* readPostgresSteps(path: string, text: string): Generator<void, SourceFile, void> {
  if (!loaded) throw new Error('FK Lens: the PostgreSQL parser is not loaded (call initPostgresParser first)');
  const region = yield* readRegionSteps(text, 0, text.length);
  // Reuse the parse's line index only when it covers the whole file (one piece, not a recovered first statement).
  const whole = region.pieces.length === 1 && region.pieces[0].base === 0 && region.pieces[0].index.text.length === text.length;
  const lines = whole ? region.pieces[0].index : new LineIndex(text);
  return sourceFile(path, region, lines);
}

/** Runs a reading generator to its end. */
export function drain<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

export interface ReadRegion {
  /** The parsed pieces of the last chunk (the pieces of earlier chunks are released once their events exist). */
  pieces: ParsedPiece[];
  events: SchemaEvent[];
  statements: Span[];
  problems: SourceProblem[];
}

/** Reads text[from, to) of a file (whole statements only); ranges are offsets into the whole text. */
export function readRegion(text: string, from: number, to: number): ReadRegion {
  return drain(readRegionSteps(text, from, to));
}

/**
 * Text up to this size is parsed in one call; longer text a chunk of whole statements at a time, each chunk's
 * parse tree turned into events and dropped before the next is parsed (less memory at once, and the WASM code
 * warms up between calls instead of running one long call in its first, unoptimised tier).
 */
const CHUNK_CHARS = 64 * 1024;

function* readRegionSteps(text: string, from: number, to: number): Generator<void, ReadRegion, void> {
  const syntaxProblems: SourceProblem[] = [];
  const readProblems: SourceProblem[] = [];
  const events: SchemaEvent[] = [];
  const statements: Span[] = [];
  let pieces: ParsedPiece[] = [];
  let chunks = 0;
  for (const chunk of statementChunks(text, from, to, REFERENCE_PARSE ? Infinity : CHUNK_CHARS)) {
    if (chunks++ > 0) yield;
    pieces = parsePieces(text, chunk.from, chunk.to, syntaxProblems);
    readPieces(text, pieces, events, statements, readProblems, chunk.tokens);
  }
  statements.sort((a, b) => a.start - b.start);
  return { pieces: chunks === 1 ? pieces : [], events, statements, problems: [...syntaxProblems, ...readProblems] };
}

/**
 * FKLENS_REFERENCE_PARSE=1: the whole text in one libpg-query call, each statement's tokens found again by itself
 * (the reader as it was before chunks): the reference the chunked path is compared with (test/unit/parse-paths.test.ts).
 */
const REFERENCE_PARSE = process.env.FKLENS_REFERENCE_PARSE === '1';

interface Chunk {
  from: number;
  to: number;
  /** The chunk's tokens, when they were needed to find its end (reused for the statements' ranges). */
  tokens?: Token[];
}

/**
 * Cuts text[from, to) into chunks of whole statements of about `size` characters, each ending after a
 * top-level `;` (outside quotes, comments, parentheses and BEGIN ATOMIC bodies), the last one at `to`.
 */
function* statementChunks(text: string, from: number, to: number, size: number): Generator<Chunk, void, void> {
  if (to - from <= size) {
    yield { from, to };
    return;
  }
  let start = from;
  while (start < to) {
    if (to - start <= size * 1.5) {
      yield { from: start, to };
      return;
    }
    // Tokens up to about `size` characters, then on to the first `;` that ends a statement.
    const tokens = tokenize(text, start, to, Math.max(64, size >> 2));
    let cut = statementEnd(tokens, start + size);
    let more = tokens;
    while (cut < 0 && more.length) {
      const last = more[more.length - 1];
      more = tokenize(text, last.end, to, 4096);
      tokens.push(...more);
      cut = statementEnd(tokens, start + size);
    }
    if (cut < 0) {
      yield { from: start, to, tokens };
      return;
    }
    const end = tokens[cut].end;
    yield { from: start, to: end, tokens: tokens.slice(0, cut + 1) };
    start = end;
  }
}

/** Index of the first top-level `;` at or after offset `after` that ends a statement, or -1. */
function statementEnd(tokens: Token[], after: number): number {
  let depth = 0;
  let atomic = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind === 'op') {
      if (t.value === '(') depth++;
      else if (t.value === ')') depth = Math.max(0, depth - 1);
      else if (t.value === ';' && depth === 0 && atomic === 0 && t.start >= after) return k;
    } else if (t.kind === 'word') {
      if (atomic > 0) {
        if (t.value === 'case' || (t.value === 'begin' && !isWord(tokens[k + 1], 'transaction', 'work', 'isolation'))) atomic++;
        else if (t.value === 'end') atomic--;
      } else if (t.value === 'atomic' && isWord(tokens[k - 1], 'begin')) atomic = 1;
    }
  }
  return -1;
}

export function sourceFile(path: string, region: Omit<ReadRegion, 'pieces'>, lines: LineIndex): SourceFile {
  const statementCount = region.statements.length + region.problems.filter((p) => p.code === 'syntax-error').length;
  return { path, dialect: 'postgres', statementCount, statements: region.statements, events: region.events, problems: region.problems, lines };
}

function readPieces(text: string, pieces: ParsedPiece[], events: SchemaEvent[], statements: Span[], problems: SourceProblem[], tokens?: Token[]): void {
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
      const ctx = new PgStatementContext(text, span, piece, tokens && tokensWithin(tokens, span));
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

/** The tokens of `tokens` (sorted, tokenized from before span.start) that lie in span; undefined when they may be cut short. */
function tokensWithin(tokens: Token[], span: Span): Token[] | undefined {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid].start < span.start) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < tokens.length && tokens[end].end <= span.end) end++;
  // A token running past the span (an unterminated quote) would be cut at span.end by tokenize(span): leave it to it.
  if (end < tokens.length && tokens[end].start < span.end) return undefined;
  return tokens.slice(lo, end);
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
  constructor(
    readonly text: string,
    readonly span: Span,
    private readonly piece: ParsedPiece,
    private tokenCache?: Token[],
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
