/**
 * Parsing JS / TS migration files (@babel/parser: a real parser, small enough to bundle), and the few
 * static facts the readers need from the tree: constant values, member chains, local functions.
 * Nothing here runs the code.
 */
import { parse } from '@babel/parser';
import type * as t from '@babel/types';
import type { SourceProblem } from '../events';
import type { Span } from '../text';

export type { t };

const TS_FILE = /\.(?:ts|mts|cts)$/i;

export type ParseOutcome = { ok: true; program: t.Program } | { ok: false; problem: SourceProblem };

export function parseJs(path: string, text: string): ParseOutcome {
  try {
    const file = parse(text, {
      sourceType: 'unambiguous',
      errorRecovery: true,
      allowReturnOutsideFunction: true,
      allowAwaitOutsideFunction: true,
      allowImportExportEverywhere: true,
      plugins: TS_FILE.test(path) ? ['typescript', 'decorators-legacy'] : ['decorators-legacy'],
    });
    return { ok: true, program: file.program };
  } catch (e) {
    const err = e as { message?: string; pos?: number };
    const at = Math.min(Math.max(0, err.pos ?? 0), text.length);
    return {
      ok: false,
      problem: {
        severity: 'error',
        code: 'syntax-error',
        message: `This file does not parse as ${TS_FILE.test(path) ? 'TypeScript' : 'JavaScript'}: ${(err.message ?? 'syntax error').replace(/\s*\(\d+:\d+\)$/, '')}`,
        span: { start: at, end: Math.min(text.length, at + 1) },
      },
    };
  }
}

export function spanOf(node: t.Node): Span {
  return { start: node.start ?? 0, end: node.end ?? node.start ?? 0 };
}

/** Strips what does not change a value: parentheses, `as`, `!`, `satisfies`, `<T>x`. */
export function unwrap(node: t.Node): t.Node {
  let n = node;
  for (;;) {
    switch (n.type) {
      case 'TSAsExpression':
      case 'TSSatisfiesExpression':
      case 'TSNonNullExpression':
      case 'TSTypeAssertion':
      case 'ParenthesizedExpression':
        n = n.expression;
        continue;
      default:
        return n;
    }
  }
}

/** Name of a non-computed member property (`a.b`, `a['b']`). */
export function propertyName(member: t.MemberExpression | t.OptionalMemberExpression): string | undefined {
  const p = member.property;
  if (p.type === 'Identifier' && !member.computed) return p.name;
  if (p.type === 'StringLiteral') return p.value;
  return undefined;
}

/** One link of `root.a.b(x).c(y)`: a property access, called or not. */
export interface ChainLink {
  name: string;
  /** The call, when the property is called. */
  call?: t.CallExpression;
  /** The whole expression up to and including this link. */
  node: t.Expression;
}

/** Flattens a member/call chain into its root and links, innermost first. */
export function flattenChain(expression: t.Node): { root: t.Node; links: ChainLink[] } {
  const links: ChainLink[] = [];
  let n = unwrap(expression);
  for (;;) {
    if ((n.type === 'CallExpression' || n.type === 'OptionalCallExpression') && isMember(unwrap(n.callee))) {
      const member = unwrap(n.callee) as t.MemberExpression;
      links.unshift({ name: propertyName(member) ?? '', call: n as t.CallExpression, node: n as t.Expression });
      n = unwrap(member.object);
    } else if (isMember(n)) {
      links.unshift({ name: propertyName(n) ?? '', node: n });
      n = unwrap(n.object);
    } else return { root: n, links };
  }
}

function isMember(n: t.Node): n is t.MemberExpression {
  return n.type === 'MemberExpression' || n.type === 'OptionalMemberExpression';
}

/**
 * Lexical scopes as lists of statements, innermost last: enough to find `const` values and local
 * functions by name without a full scope analysis.
 */
export class Scope {
  constructor(private readonly blocks: readonly t.Statement[][]) {}

  static of(program: t.Program): Scope {
    return new Scope([program.body]);
  }

  /** No names at all (literal values only). */
  static readonly empty = new Scope([[]]);

  with(block: t.Statement[]): Scope {
    return new Scope([...this.blocks, block]);
  }

  /** A scope where `name` stands for `value` (a parameter bound to what the caller passes, a loop variable). */
  bind(name: string, value: t.Expression): Scope {
    const declaration: t.VariableDeclaration = {
      type: 'VariableDeclaration',
      kind: 'const',
      declarations: [{ type: 'VariableDeclarator', id: { type: 'Identifier', name }, init: value }],
    };
    return this.with([declaration]);
  }

  /** The initializer of the innermost `const` / `let` / `var` declaration named `name` (first one per block). */
  constant(name: string): t.Expression | undefined {
    for (let i = this.blocks.length - 1; i >= 0; i--) {
      for (const statement of this.blocks[i]) {
        const declaration = declarationOf(statement);
        if (declaration?.type !== 'VariableDeclaration') continue;
        for (const d of declaration.declarations) {
          if (d.id.type === 'Identifier' && d.id.name === name) return d.init ?? undefined;
        }
      }
    }
    return undefined;
  }

  /** A local function by name (function declaration or a const bound to a function). */
  fn(name: string): t.Function | undefined {
    for (let i = this.blocks.length - 1; i >= 0; i--) {
      for (const statement of this.blocks[i]) {
        const declaration = declarationOf(statement);
        if (declaration?.type === 'FunctionDeclaration' && declaration.id?.name === name) return declaration;
      }
    }
    const init = this.constant(name);
    const value = init && unwrap(init);
    return value && (value.type === 'ArrowFunctionExpression' || value.type === 'FunctionExpression') ? value : undefined;
  }

  /** The program's statements (outermost scope). */
  get program(): t.Statement[] {
    return this.blocks[0];
  }
}

/** `export const x = ...` / `export function f` declare like their inner declaration. */
export function declarationOf(statement: t.Statement): t.Declaration | undefined {
  if (statement.type === 'ExportNamedDeclaration') return statement.declaration ?? undefined;
  if (statement.type === 'VariableDeclaration' || statement.type === 'FunctionDeclaration' || statement.type === 'ClassDeclaration') return statement;
  return undefined;
}
