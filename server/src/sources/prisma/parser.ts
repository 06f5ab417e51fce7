/**
 * Recursive-descent parser for the Prisma Schema Language (one file). Never throws: an unexpected token
 * gives one problem at that token and the parser resumes at the next line (inside a block) or at the next
 * top-level keyword, so the rest of the file still counts. A block left without its `}` ends where the next
 * top-level block starts.
 */
import type { Span } from '../text';
import type {
  Argument,
  Attribute,
  Block,
  ConfigBlock,
  EnumBlock,
  Expression,
  FieldDeclaration,
  Identifier,
  ModelBlock,
  PrismaFileSyntax,
  PrismaSyntaxProblem,
} from './ast';
import { tokenize, type Token } from './lexer';

const BLOCK_KEYWORDS = new Set(['model', 'view', 'type', 'enum', 'datasource', 'generator']);

export function parsePrisma(path: string, text: string): PrismaFileSyntax {
  const { tokens, problems: lexProblems } = tokenize(text);
  const parser = new Parser(tokens);
  const blocks = parser.file();
  const problems = [...lexProblems, ...parser.problems].sort((a, b) => a.span.start - b.span.start);
  return { path, blocks, problems };
}

class Parser {
  readonly problems: PrismaSyntaxProblem[] = [];
  private i = 0;

  constructor(private readonly tokens: Token[]) {}

  private get token(): Token {
    return this.tokens[this.i];
  }

  private peek(offset = 1): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const t = this.tokens[this.i];
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private is(value: string): boolean {
    return this.token.kind === 'punct' && this.token.value === value;
  }

  private error(span: Span, message: string): void {
    // One problem per position: cascades of the same failure say nothing new.
    if (this.problems.some((p) => p.span.start === span.start)) return;
    this.problems.push({ span, message });
  }

  private unexpected(expected: string): void {
    const t = this.token;
    const found = t.kind === 'eof' ? 'the end of the file' : t.kind === 'newline' ? 'the end of the line' : `\`${t.value}\``;
    this.error(t.kind === 'newline' || t.kind === 'eof' ? { start: t.start, end: t.start } : t, `Expected ${expected}, found ${found}.`);
  }

  private skipNewlines(): void {
    while (this.token.kind === 'newline') this.i++;
  }

  private skipLine(): void {
    while (this.token.kind !== 'newline' && this.token.kind !== 'eof') this.i++;
  }

  /** A `keyword Name {` at this point starts a new top-level block. */
  private atBlockStart(): boolean {
    const t = this.token;
    return t.kind === 'ident' && BLOCK_KEYWORDS.has(t.value) && this.peek().kind === 'ident' && this.peek(2).kind === 'punct' && this.peek(2).value === '{';
  }

  file(): Block[] {
    const blocks: Block[] = [];
    for (;;) {
      this.skipNewlines();
      const t = this.token;
      if (t.kind === 'eof') return blocks;
      if (t.kind === 'ident' && BLOCK_KEYWORDS.has(t.value)) {
        const block = this.block();
        if (block) blocks.push(block);
        continue;
      }
      this.error(t, `Expected a model, enum, view, type, datasource or generator block, found \`${t.value}\`.`);
      this.skipToBlock();
    }
  }

  /** Skips to the next line that starts a block (after a stray token at the top level). */
  private skipToBlock(): void {
    this.next();
    for (;;) {
      this.skipLine();
      this.skipNewlines();
      if (this.token.kind === 'eof' || (this.token.kind === 'ident' && BLOCK_KEYWORDS.has(this.token.value))) return;
    }
  }

  private block(): Block | undefined {
    const keyword = this.next();
    if (this.token.kind !== 'ident') {
      this.unexpected(`a name after \`${keyword.value}\``);
      this.skipToBlock();
      return undefined;
    }
    const nameToken = this.next();
    const name: Identifier = { name: nameToken.value, span: nameToken };
    if (!this.is('{')) {
      this.unexpected(`\`{\` after ${keyword.value} ${name.name}`);
      this.skipToBlock();
      return undefined;
    }
    this.next();
    switch (keyword.value) {
      case 'datasource':
      case 'generator':
        return this.configBlock(keyword, name);
      case 'enum':
        return this.enumBlock(keyword, name);
      default:
        return this.modelBlock(keyword, name);
    }
  }

  /** Reads the members of a block; returns the offset of `}` or undefined when the block is cut short. */
  private members(keyword: Token, name: Identifier, member: () => void): { end: number; closeBrace?: number } {
    for (;;) {
      this.skipNewlines();
      const t = this.token;
      if (t.kind === 'eof' || this.atBlockStart()) {
        this.error(name.span, `${keyword.value} ${name.name} is not closed: a \`}\` is missing.`);
        const last = this.tokens[Math.max(0, this.i - 1)];
        return { end: Math.max(last.end, name.span.end) };
      }
      if (this.is('}')) {
        this.next();
        return { end: t.end, closeBrace: t.start };
      }
      const before = this.i;
      member();
      if (this.token.kind !== 'newline' && !this.is('}') && this.token.kind !== 'eof') {
        this.unexpected('the end of the line');
        this.skipLine();
      }
      if (this.i === before) this.next();
    }
  }

  private modelBlock(keyword: Token, name: Identifier): ModelBlock {
    const fields: FieldDeclaration[] = [];
    const attributes: Attribute[] = [];
    const { end, closeBrace } = this.members(keyword, name, () => {
      if (this.is('@@')) {
        const a = this.attribute();
        if (a) attributes.push(a);
      } else if (this.token.kind === 'ident') {
        const f = this.field();
        if (f) fields.push(f);
      } else {
        this.unexpected('a field or a `@@` attribute');
        this.skipLine();
      }
    });
    return { kind: keyword.value as ModelBlock['kind'], name, fields, attributes, span: { start: keyword.start, end }, closeBrace };
  }

  private enumBlock(keyword: Token, name: Identifier): EnumBlock {
    const values: EnumBlock['values'] = [];
    const attributes: Attribute[] = [];
    const { end, closeBrace } = this.members(keyword, name, () => {
      if (this.is('@@')) {
        const a = this.attribute();
        if (a) attributes.push(a);
      } else if (this.token.kind === 'ident') {
        const t = this.next();
        const fieldAttributes = this.fieldAttributes();
        values.push({ name: { name: t.value, span: t }, attributes: fieldAttributes, span: { start: t.start, end: this.lastEnd(t.end) } });
      } else {
        this.unexpected('an enum value');
        this.skipLine();
      }
    });
    return { kind: 'enum', name, values, attributes, span: { start: keyword.start, end }, closeBrace };
  }

  private configBlock(keyword: Token, name: Identifier): ConfigBlock {
    const properties: ConfigBlock['properties'] = [];
    const { end, closeBrace } = this.members(keyword, name, () => {
      if (this.token.kind !== 'ident') {
        this.unexpected('a `key = value` line');
        this.skipLine();
        return;
      }
      const key = this.next();
      if (!this.is('=')) {
        this.unexpected(`\`=\` after ${key.value}`);
        this.skipLine();
        return;
      }
      this.next();
      const value = this.expression();
      if (value) properties.push({ key: { name: key.value, span: key }, value, span: { start: key.start, end: value.span.end } });
      else this.skipLine();
    });
    return { kind: keyword.value as ConfigBlock['kind'], name, properties, span: { start: keyword.start, end }, closeBrace };
  }

  private lastEnd(fallback: number): number {
    return this.i > 0 ? Math.max(fallback, this.tokens[this.i - 1].end) : fallback;
  }

  private field(): FieldDeclaration | undefined {
    const nameToken = this.next();
    const name: Identifier = { name: nameToken.value, span: nameToken };
    if (this.token.kind !== 'ident') {
      this.unexpected(`a type for field ${name.name}`);
      this.skipLine();
      return undefined;
    }
    const typeToken = this.next();
    let unsupported: string | undefined;
    let typeEnd = typeToken.end;
    if (typeToken.value === 'Unsupported' && this.is('(')) {
      this.next();
      const inner = this.token;
      if (inner.kind === 'string') unsupported = this.next().value;
      else this.unexpected('a string with the database type');
      if (this.is(')')) typeEnd = this.next().end;
      else this.unexpected('`)`');
    }
    let list = false;
    let optional = false;
    if (this.is('[') && this.peek().kind === 'punct' && this.peek().value === ']') {
      this.next();
      typeEnd = this.next().end;
      list = true;
    }
    if (this.is('?')) {
      if (list) this.error(this.token, 'A list field cannot be optional in Prisma (`Type[]?`).');
      typeEnd = this.next().end;
      optional = true;
    } else if (this.is('!')) {
      this.next();
    }
    const attributes = this.fieldAttributes();
    return {
      name,
      type: { name: typeToken.value, span: { start: typeToken.start, end: typeEnd }, optional, list, unsupported },
      attributes,
      span: { start: nameToken.start, end: this.lastEnd(typeEnd) },
    };
  }

  private fieldAttributes(): Attribute[] {
    const attributes: Attribute[] = [];
    while (this.is('@')) {
      const a = this.attribute();
      if (a) attributes.push(a);
      else break;
    }
    return attributes;
  }

  /** `@name`, `@db.Type(args)`, `@@name(args)`. */
  private attribute(): Attribute | undefined {
    const at = this.next();
    if (this.token.kind !== 'ident' || this.token.start !== at.end) {
      this.unexpected(`an attribute name after \`${at.value}\``);
      this.skipLine();
      return undefined;
    }
    let name = this.next().value;
    let nameEnd = this.tokens[this.i - 1].end;
    while (this.is('.') && this.peek().kind === 'ident') {
      this.next();
      const part = this.next();
      name += '.' + part.value;
      nameEnd = part.end;
    }
    const nameSpan = { start: at.end, end: nameEnd };
    if (!this.is('(')) return { name, nameSpan, args: [], span: { start: at.start, end: nameEnd } };
    const { args, span: argsSpan } = this.argumentList();
    return { name, nameSpan, args, argsSpan, span: { start: at.start, end: argsSpan.end } };
  }

  /** `( [name:] value, ... )`; the current token is `(`. */
  private argumentList(): { args: Argument[]; span: Span } {
    const open = this.next();
    const args: Argument[] = [];
    for (;;) {
      if (this.is(')')) return { args, span: { start: open.start, end: this.next().end } };
      if (this.token.kind === 'eof' || this.token.kind === 'newline' || this.is('}')) {
        this.error(open, 'This argument list is not closed: a `)` is missing.');
        return { args, span: { start: open.start, end: this.lastEnd(open.end) } };
      }
      let name: Identifier | undefined;
      if (this.token.kind === 'ident' && this.peek().kind === 'punct' && this.peek().value === ':') {
        const t = this.next();
        name = { name: t.value, span: t };
        this.next();
      }
      const value = this.expression();
      if (value) args.push({ name, value, span: { start: name?.span.start ?? value.span.start, end: value.span.end } });
      if (value && this.is(',')) this.next();
      else if (!this.is(')')) {
        if (value) this.unexpected('`,` or `)`');
        if (!this.skipTo(')')) return { args, span: { start: open.start, end: this.lastEnd(open.end) } };
      }
    }
  }

  /** Skips to `close` on this line (not consuming it). True when found; false at the end of the line. */
  private skipTo(close: string): boolean {
    while (!this.is(close) && this.token.kind !== 'newline' && this.token.kind !== 'eof' && !this.is('}')) this.next();
    return this.is(close);
  }

  private expression(): Expression | undefined {
    const t = this.token;
    if (t.kind === 'string') {
      this.next();
      return { kind: 'string', value: t.value, span: t };
    }
    if (t.kind === 'number') {
      this.next();
      return { kind: 'number', value: t.value, span: t };
    }
    if (this.is('[')) {
      const open = this.next();
      const items: Expression[] = [];
      for (;;) {
        this.skipNewlines();
        if (this.is(']')) return { kind: 'array', items, span: { start: open.start, end: this.next().end } };
        if (this.token.kind === 'eof' || this.is('}')) {
          this.error(open, 'This list is not closed: a `]` is missing.');
          return { kind: 'array', items, span: { start: open.start, end: this.lastEnd(open.end) } };
        }
        const item = this.expression();
        if (item) items.push(item);
        if (item) this.skipNewlines();
        if (item && this.is(',')) this.next();
        else if (!this.is(']')) {
          if (item) this.unexpected('`,` or `]`');
          if (!this.skipTo(']')) return { kind: 'array', items, span: { start: open.start, end: this.lastEnd(open.end) } };
        }
      }
    }
    if (t.kind === 'ident') {
      this.next();
      let value = t.value;
      let end = t.end;
      while (this.is('.') && this.peek().kind === 'ident') {
        this.next();
        const part = this.next();
        value += '.' + part.value;
        end = part.end;
      }
      if (this.is('(')) {
        const { args, span } = this.argumentList();
        return { kind: 'call', name: value, nameSpan: { start: t.start, end }, args, span: { start: t.start, end: span.end } };
      }
      return { kind: 'path', value, span: { start: t.start, end } };
    }
    this.unexpected('a value (a string, number, list, name or function call)');
    return undefined;
  }
}
