/**
 * A parser for the part of Ruby a Rails schema file is written in: method calls with or without parentheses
 * (`create_table "users", force: :cascade do |t| ... end`, `t.string "name", null: false`), with a receiver,
 * keyword arguments and `"key" => value` pairs, `do ... end` and `{ ... }` blocks, literals (strings, symbols,
 * numbers, arrays, hashes, `%w[]`), lambdas (`-> { "now()" }`), constants (`ActiveRecord::Schema[8.1]`). It
 * builds values, never runs anything. A statement it cannot parse becomes an `unparsed` node with the reason;
 * the statements after it are still read.
 */
import type { Span } from '../text';
import { tokenize, type StringPiece, type Token } from './lexer';

export type RubyNode =
  | { kind: 'str'; value: string; span: Span; pieces: StringPiece[]; interpolated: boolean }
  | { kind: 'sym'; value: string; span: Span; interpolated: boolean }
  | { kind: 'num'; value: string; span: Span }
  | { kind: 'true' | 'false' | 'nil'; span: Span }
  | { kind: 'array'; items: RubyNode[]; span: Span }
  | { kind: 'hash'; pairs: HashPair[]; span: Span }
  | { kind: 'lambda'; body: RubyNode[]; span: Span }
  | { kind: 'const'; path: string; span: Span }
  | { kind: 'index'; target: RubyNode; args: RubyNode[]; span: Span }
  | CallNode
  | { kind: 'other'; span: Span; what: string };

export interface HashPair {
  key: RubyNode;
  value: RubyNode;
  span: Span;
}

export interface CallNode {
  kind: 'call';
  receiver?: RubyNode;
  name: string;
  nameSpan: Span;
  /** Positional arguments. */
  args: RubyNode[];
  /** Keyword arguments (a trailing hash without braces), in order. */
  options: HashPair[];
  block?: { params: string[]; body: Statement[]; span: Span };
  span: Span;
}

export type Statement = RubyNode | { kind: 'unparsed'; span: Span; reason: string };

class ParseError extends Error {
  constructor(message: string, readonly at: number) {
    super(message);
  }
}

/** Keywords that open a construct closed by `end`. */
const OPENERS = new Set(['do', 'def', 'class', 'module', 'begin', 'case']);
const CONDITIONALS = new Set(['if', 'unless', 'while', 'until']);

export function parseRuby(text: string): Statement[] {
  return new Parser(tokenize(text), text.length).program();
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[], private readonly length: number) {}

  program(): Statement[] {
    const body = this.statements(() => this.i >= this.tokens.length);
    return body;
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }
  private at(kind: Token['kind'], value?: string, offset = 0): boolean {
    const t = this.peek(offset);
    return !!t && t.kind === kind && (value === undefined || t.value === value);
  }
  private next(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw new ParseError('unexpected end of file', this.length);
    return t;
  }
  private expect(kind: Token['kind'], value: string): Token {
    const t = this.peek();
    if (!t || t.kind !== kind || t.value !== value) throw new ParseError(`expected \`${value}\``, t?.start ?? this.length);
    return this.next();
  }
  private skipNewlines(): void {
    while (this.at('newline')) this.i++;
  }
  private endOf(): number {
    return this.tokens[this.i - 1]?.end ?? 0;
  }

  /** Statements up to `done()` (not consumed); a statement that fails to parse is skipped to its line's end. */
  private statements(done: () => boolean): Statement[] {
    const out: Statement[] = [];
    for (;;) {
      this.skipNewlines();
      if (this.i >= this.tokens.length || done()) return out;
      const first = this.i;
      try {
        const node = this.expression();
        if (!this.at('newline') && this.i < this.tokens.length && !done()) throw new ParseError('unexpected token', this.peek()!.start);
        out.push(node);
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        this.i = first;
        const start = this.tokens[first].start;
        this.skipStatement(done);
        // A stray `end` or `)` stops the skip where it started: step over it, so reading always moves on.
        if (this.i === first) this.i++;
        out.push({ kind: 'unparsed', span: { start, end: Math.max(start, this.endOf()) }, reason: e.message });
      }
    }
  }

  /** Skips to the end of the statement at the current nesting: brackets and `do` / `end` pairs are balanced. */
  private skipStatement(done: () => boolean): void {
    let depth = 0;
    let lineStart = true;
    while (this.i < this.tokens.length) {
      const t = this.peek()!;
      if (depth === 0 && t.kind === 'newline') return;
      if (depth === 0 && done()) return;
      if (t.kind === 'punct' && '([{'.includes(t.value)) depth++;
      else if (t.kind === 'punct' && ')]}'.includes(t.value)) depth = Math.max(0, depth - 1);
      else if (t.kind === 'ident' && (OPENERS.has(t.value) || (lineStart && CONDITIONALS.has(t.value)))) depth++;
      else if (t.kind === 'ident' && t.value === 'end') {
        if (depth === 0) return;
        depth--;
      }
      lineStart = t.kind === 'newline';
      this.i++;
    }
  }

  expression(): RubyNode {
    let node = this.primary();
    for (;;) {
      const t = this.peek();
      if (!t) return node;
      if (t.kind === 'punct' && (t.value === '.' || t.value === '&.')) {
        this.i++;
        this.skipNewlines();
        const name = this.next();
        if (name.kind !== 'ident' && name.kind !== 'const' && name.kind !== 'label') throw new ParseError('expected a method name', name.start);
        if (name.kind === 'label') {
          // `t.string key: 1` never occurs; `x.y:` is a label only inside a hash.
          throw new ParseError('unexpected label', name.start);
        }
        node = this.callRest(node, name);
        continue;
      }
      if (t.kind === 'punct' && t.value === '::' && this.at('const', undefined, 1)) {
        this.i++;
        const c = this.next();
        node = { kind: 'const', path: `${node.kind === 'const' ? node.path : '?'}::${c.value}`, span: { start: node.span.start, end: c.end } };
        continue;
      }
      if (t.kind === 'punct' && t.value === '[' && !t.spaced) {
        this.i++;
        const args = this.list(']');
        node = { kind: 'index', target: node, args, span: { start: node.span.start, end: this.endOf() } };
        continue;
      }
      return node;
    }
  }

  private primary(): RubyNode {
    const t = this.next();
    const span = { start: t.start, end: t.end };
    switch (t.kind) {
      case 'string': {
        // Adjacent literals ("a" "b") are one string.
        let node: RubyNode = { kind: 'str', value: t.value, span, pieces: t.pieces ?? [], interpolated: !!t.interpolated };
        while (this.at('string') && this.peek()!.start >= t.end) {
          const u = this.next();
          node = { ...node, value: node.value + u.value, span: { start: span.start, end: u.end }, pieces: [...node.pieces, ...(u.pieces ?? [])], interpolated: node.interpolated || !!u.interpolated };
        }
        return node;
      }
      case 'symbol':
        return { kind: 'sym', value: t.value, span, interpolated: !!t.interpolated };
      case 'number':
        return { kind: 'num', value: t.value, span };
      case 'words':
        if (t.interpolated) throw new ParseError('interpolation in a word list', t.start);
        return {
          kind: 'array',
          span,
          items: (t.words ?? []).map((w) => (t.symbols ? { kind: 'sym', value: w.text, span: w.span, interpolated: false } : { kind: 'str', value: w.text, span: w.span, pieces: [{ text: w.text, start: w.span.start, end: w.span.end, exact: true }], interpolated: false })),
        };
      case 'const':
        return { kind: 'const', path: t.value, span };
      case 'ident':
        if (t.value === 'true' || t.value === 'false' || t.value === 'nil') return { kind: t.value, span };
        if (t.value === 'end' || t.value === 'do' || OPENERS.has(t.value) || CONDITIONALS.has(t.value) || ['else', 'elsif', 'rescue', 'ensure', 'then', 'when', 'return', 'yield', 'and', 'or', 'not'].includes(t.value))
          throw new ParseError(`\`${t.value}\` is not read`, t.start);
        return this.callRest(undefined, t);
      case 'punct':
        if (t.value === '[') return { kind: 'array', items: this.list(']'), span: { start: t.start, end: this.endOf() } };
        if (t.value === '{') return { kind: 'hash', pairs: this.hashPairs('}'), span: { start: t.start, end: this.endOf() } };
        if (t.value === '(') {
          this.skipNewlines();
          const inner = this.expression();
          this.skipNewlines();
          this.expect('punct', ')');
          return inner;
        }
        if (t.value === '-' && this.at('number') && !this.peek()!.spaced) {
          const num = this.next();
          return { kind: 'num', value: '-' + num.value, span: { start: t.start, end: num.end } };
        }
        if (t.value === '->') return this.lambda(t);
        if (t.value === '::' && this.at('const')) {
          const c = this.next();
          return { kind: 'const', path: c.value, span: { start: t.start, end: c.end } };
        }
        break;
      default:
        break;
    }
    throw new ParseError(t.kind === 'unknown' ? `\`${t.value}\` is not read` : `unexpected \`${t.value === '\n' ? 'end of line' : t.value}\``, t.start);
  }

  private lambda(arrow: Token): RubyNode {
    if (this.at('punct', '(')) {
      this.i++;
      while (!this.at('punct', ')')) this.next();
      this.i++;
    }
    let body: Statement[];
    if (this.at('punct', '{')) {
      this.i++;
      body = this.statements(() => this.at('punct', '}'));
      this.expect('punct', '}');
    } else if (this.at('ident', 'do')) {
      this.i++;
      body = this.statements(() => this.at('ident', 'end'));
      this.expect('ident', 'end');
    } else throw new ParseError('expected a lambda body', this.peek()?.start ?? this.length);
    const bad = body.find((s) => s.kind === 'unparsed');
    if (bad) throw new ParseError(bad.kind === 'unparsed' ? bad.reason : 'unreadable lambda', bad.span.start);
    return { kind: 'lambda', body: body as RubyNode[], span: { start: arrow.start, end: this.endOf() } };
  }

  /** A method call after its name: `(args)`, command arguments without parentheses, then a block. */
  private callRest(receiver: RubyNode | undefined, name: Token): RubyNode {
    const call: CallNode = {
      kind: 'call',
      receiver,
      name: name.value,
      nameSpan: { start: name.start, end: name.end },
      args: [],
      options: [],
      span: { start: receiver?.span.start ?? name.start, end: name.end },
    };
    const t = this.peek();
    if (t && t.kind === 'punct' && t.value === '(' && !t.spaced) {
      this.i++;
      this.arguments(call, ')');
      this.expect('punct', ')');
    } else if (t && this.startsCommandArgument(t)) {
      this.arguments(call, undefined);
    }
    if (this.at('ident', 'do') || (this.at('punct', '{') && (call.args.length === 0 || this.peek()!.spaced) && this.blockBrace())) call.block = this.block();
    call.span.end = this.endOf();
    return call;
  }

  /** `{` after a call is a block when it starts with `|` or the call had no arguments. */
  private blockBrace(): boolean {
    return true;
  }

  private startsCommandArgument(t: Token): boolean {
    if (!t.spaced) return false;
    switch (t.kind) {
      case 'string':
      case 'symbol':
      case 'number':
      case 'words':
      case 'label':
      case 'const':
        return true;
      case 'ident':
        return !['do', 'end', 'if', 'unless', 'while', 'until', 'and', 'or', 'then', 'rescue'].includes(t.value);
      case 'punct':
        if (t.value === '[') return true;
        if (t.value === '->' || t.value === '::') return true;
        if (t.value === '-' || t.value === '*' || t.value === '&') {
          const u = this.peek(1);
          return !!u && !u.spaced;
        }
        return false;
      default:
        return false;
    }
  }

  private block(): CallNode['block'] {
    const open = this.next();
    const close = open.value === '{' ? '}' : 'end';
    const params: string[] = [];
    if (this.at('punct', '|')) {
      this.i++;
      while (!this.at('punct', '|')) {
        const p = this.next();
        if (p.kind === 'ident') params.push(p.value);
      }
      this.i++;
    } else if (this.at('punct', '||')) this.i++;
    const body = this.statements(() => (close === '}' ? this.at('punct', '}') : this.at('ident', 'end')));
    this.expect(close === '}' ? 'punct' : 'ident', close);
    return { params, body, span: { start: open.start, end: this.endOf() } };
  }

  /** Arguments up to `close` (or, without parentheses, to the end of the line). */
  private arguments(call: CallNode, close: string | undefined): void {
    const ends = () => {
      const t = this.peek();
      if (!t) return true;
      if (close) return t.kind === 'punct' && t.value === close;
      return t.kind === 'newline' || (t.kind === 'ident' && (t.value === 'do' || t.value === 'end')) || (t.kind === 'punct' && (t.value === '}' || t.value === ')' || t.value === ']' || t.value === '{'));
    };
    if (close) this.skipNewlines();
    while (!ends()) {
      const pair = this.maybePair();
      if (pair) call.options.push(pair);
      else {
        if (call.options.length) throw new ParseError('a positional argument after keyword arguments', this.peek()!.start);
        if (this.at('punct', '*') || this.at('punct', '&') || this.at('punct', '**')) throw new ParseError('splat arguments are not read', this.peek()!.start);
        call.args.push(this.expression());
      }
      if (close) this.skipNewlines();
      if (this.at('punct', ',')) {
        this.i++;
        this.skipNewlines();
        continue;
      }
      break;
    }
  }

  /** `key: value` or `expr => value`, or undefined (nothing consumed) when the next item is not a pair. */
  private maybePair(): HashPair | undefined {
    const t = this.peek();
    if (!t) return undefined;
    if (t.kind === 'label') {
      this.i++;
      this.skipNewlines();
      const key: RubyNode = { kind: 'sym', value: t.value, span: { start: t.start, end: t.end - 1 }, interpolated: false };
      const value = this.expression();
      return { key, value, span: { start: t.start, end: value.span.end } };
    }
    // `"key": value`
    if (t.kind === 'string' && this.at('punct', ':', 1) && !this.peek(1)!.spaced) {
      this.i += 2;
      this.skipNewlines();
      const key = this.stringNode(t);
      const value = this.expression();
      return { key, value, span: { start: t.start, end: value.span.end } };
    }
    const save = this.i;
    if (t.kind === 'string' || t.kind === 'symbol' || t.kind === 'number' || t.kind === 'const') {
      const key = this.primary();
      if (this.at('punct', '=>')) {
        this.i++;
        this.skipNewlines();
        const value = this.expression();
        return { key, value, span: { start: key.span.start, end: value.span.end } };
      }
    }
    this.i = save;
    return undefined;
  }

  private stringNode(t: Token): RubyNode {
    return { kind: 'str', value: t.value, span: { start: t.start, end: t.end }, pieces: t.pieces ?? [], interpolated: !!t.interpolated };
  }

  private list(close: string): RubyNode[] {
    const items: RubyNode[] = [];
    this.skipNewlines();
    while (!this.at('punct', close)) {
      const pair = this.maybePair();
      if (pair) {
        // `[a: 1]`: an array holding one hash.
        const pairs = [pair];
        while (this.at('punct', ',') && (this.skipComma(), !this.at('punct', close))) {
          const more = this.maybePair();
          if (!more) throw new ParseError('expected a hash pair', this.peek()?.start ?? this.length);
          pairs.push(more);
        }
        items.push({ kind: 'hash', pairs, span: { start: pair.span.start, end: pairs[pairs.length - 1].span.end } });
        break;
      }
      items.push(this.expression());
      this.skipNewlines();
      if (!this.at('punct', ',')) break;
      this.skipComma();
    }
    this.skipNewlines();
    this.expect('punct', close);
    return items;
  }

  private skipComma(): void {
    this.i++;
    this.skipNewlines();
  }

  private hashPairs(close: string): HashPair[] {
    const pairs: HashPair[] = [];
    this.skipNewlines();
    while (!this.at('punct', close)) {
      const pair = this.maybePair();
      if (!pair) throw new ParseError('expected `key: value` or `key => value`', this.peek()?.start ?? this.length);
      pairs.push(pair);
      this.skipNewlines();
      if (!this.at('punct', ',')) break;
      this.skipComma();
    }
    this.skipNewlines();
    this.expect('punct', close);
    return pairs;
  }
}
