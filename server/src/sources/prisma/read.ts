/**
 * Entry points for `.prisma` files. A file is parsed on its own (`readPrismaFile`: syntax problems only);
 * what it means needs every file of its schema (a relation may point at a model in another file), so the
 * events come from `readPrismaSchema`, which resolves the files of one schema together. The schema's
 * events all travel in its first file's `SourceFile`, each naming the file its ranges point into.
 */
import type { Dialect, SourceFile, SourceProblem } from '../events';
import { LineIndex } from '../text';
import type { PrismaFileSyntax } from './ast';
import { prismaSchemaEvents } from './events';
import { parsePrisma } from './parser';
import { resolvePrismaSchema } from './resolve';
import type { PrismaSchema } from './schema';

const syntaxOf = new WeakMap<SourceFile, PrismaFileSyntax>();
const schemaOf = new WeakMap<SourceFile, PrismaSchema>();
/** Last resolution per first file, reused while every file of the schema is the same read. */
const resolved = new WeakMap<SourceFile, { inputs: SourceFile[]; outputs: SourceFile[] }>();

export function isPrismaPath(path: string): boolean {
  return /\.prisma$/i.test(path);
}

export function readPrismaFile(path: string, text: string): SourceFile {
  const syntax = parsePrisma(path, text);
  const source: SourceFile = {
    path,
    dialect: 'postgres',
    statementCount: syntax.blocks.length,
    statements: syntax.blocks.map((b) => b.span),
    events: [],
    problems: syntax.problems.map((p) => ({ severity: 'error', code: 'syntax-error', message: p.message, span: p.span })),
    lines: new LineIndex(text),
  };
  syntaxOf.set(source, syntax);
  return source;
}

/**
 * The files of one schema, read together: new `SourceFile`s (same paths and order) carrying the schema's
 * events (all in the first) and every problem of resolving it (in the file it concerns).
 */
export function readPrismaSchema(sources: SourceFile[]): SourceFile[] {
  if (!sources.length) return sources;
  const hit = resolved.get(sources[0]);
  if (hit && hit.inputs.length === sources.length && hit.inputs.every((s, i) => s === sources[i])) return hit.outputs;
  const syntaxes = sources.map((s) => syntaxOf.get(s) ?? { path: s.path, blocks: [], problems: [] });
  const schema = resolvePrismaSchema(syntaxes);
  const dialect = dialectOf(schema.provider);
  const events = prismaSchemaEvents(schema);
  const outputs = sources.map((s, i): SourceFile => {
    const problems: SourceProblem[] = schema.problems
      .filter((p) => p.file === s.path)
      .map((p) => ({ severity: p.severity, code: p.syntax ? 'syntax-error' : 'schema-error', message: p.message, span: p.span }));
    return { ...s, dialect, events: i === 0 ? events : [], problems };
  });
  for (const out of outputs) schemaOf.set(out, schema);
  resolved.set(sources[0], { inputs: sources, outputs });
  return outputs;
}

/** The resolved schema a `SourceFile` returned by `readPrismaSchema` belongs to. */
export function prismaSchemaOf(source: SourceFile | undefined): PrismaSchema | undefined {
  return source ? schemaOf.get(source) : undefined;
}

function dialectOf(provider: string | undefined): Dialect {
  if (provider === 'mysql') return 'mysql';
  if (provider === 'sqlite') return 'sqlite';
  if (provider === 'cockroachdb') return 'cockroach';
  return 'postgres';
}
