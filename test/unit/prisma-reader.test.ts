/**
 * The Prisma reader: schema.prisma text in, the foreign-key model out (Prisma's default actions and names,
 * @map / @@map, @@schema, relationMode, implicit many-to-many, multi-file schemas), and parse errors placed
 * at the token that caused them without losing the rest of the file.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePrisma } from '../../server/src/sources/prisma/parser';
import { Workspace } from '../../server/src/workspace/workspace';
import { modelJson } from '../../server/src/model/json';
import { computeDiagnostics } from '../../server/src/features/diagnostics';
import { CORPUS, corpusSkip } from '../support/corpus';
import { isCandidate, planHistories } from '../../server/src/workspace/discovery';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';

before(async () => {
  await initPostgresParser();
});

function model(files: Record<string, string>) {
  const ws = new Workspace();
  for (const [path, text] of Object.entries(files)) assert.ok(ws.setFile(path, text), path);
  const m = ws.model();
  return { ws, m, json: modelJson(m) };
}

const fkSummary = (f: { table: string; columns: string[]; refTable: string; refColumns: string[]; onDelete: string; onUpdate: string; name: string }) =>
  `${f.name}: ${f.table}(${f.columns}) -> ${f.refTable}(${f.refColumns}) ON DELETE ${f.onDelete} ON UPDATE ${f.onUpdate}`;

const BLOG = `
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id       Int       @id @default(autoincrement())
  email    String    @unique
  posts    Post[]
  profile  Profile?
}

model Profile {
  id     Int  @id @default(autoincrement())
  user   User @relation(fields: [userId], references: [id])
  userId Int  @unique
}

model Post {
  id         Int       @id @default(autoincrement())
  author     User?     @relation(fields: [authorId], references: [id])
  authorId   Int?
  reviewer   User      @relation("reviews", fields: [reviewerId], references: [id], onDelete: Cascade, onUpdate: NoAction, map: "post_reviewer")
  reviewerId Int
  tags       Tag[]
}

model Tag {
  id    String @id @default(uuid())
  posts Post[]
}
`;

describe('Prisma schema -> model', () => {
  test("Prisma's default actions: optional relation SET NULL, required RESTRICT, onUpdate CASCADE; default and mapped names", () => {
    const { json } = model({ 'prisma/schema.prisma': BLOG.replace('posts    Post[]', 'posts    Post[]\n  reviews  Post[] @relation("reviews")') });
    assert.deepEqual(json.foreignKeys.map(fkSummary).sort(), [
      'Post_authorId_fkey: Post(authorId) -> User(id) ON DELETE SET NULL ON UPDATE CASCADE',
      'Profile_userId_fkey: Profile(userId) -> User(id) ON DELETE RESTRICT ON UPDATE CASCADE',
      '_PostToTag_A_fkey: _PostToTag(A) -> Post(id) ON DELETE CASCADE ON UPDATE CASCADE',
      '_PostToTag_B_fkey: _PostToTag(B) -> Tag(id) ON DELETE CASCADE ON UPDATE CASCADE',
      'post_reviewer: Post(reviewerId) -> User(id) ON DELETE CASCADE ON UPDATE NO ACTION',
    ]);
  });

  test('column types and NOT NULL as PostgreSQL prints them; @unique gives an index that serves the FK', () => {
    const { json } = model({ 'schema.prisma': BLOG });
    const table = (name: string) => json.tables.find((t) => t.name === name)!;
    const col = (t: string, c: string) => table(t).columns.find((x) => x.name === c)!;
    assert.equal(col('Post', 'authorId').type, 'integer');
    assert.equal(col('Post', 'authorId').notNull, false);
    assert.equal(col('Post', 'reviewerId').notNull, true);
    assert.equal(col('Tag', 'id').type, 'text');
    assert.equal(col('Tag', 'id').default ?? null, null, 'uuid() is filled in by Prisma Client, not by the database');
    assert.match(col('User', 'id').default ?? '', /nextval/);
    assert.equal(col('_PostToTag', 'B').type, 'text');
    const profileFk = json.foreignKeys.find((f) => f.table === 'Profile')!;
    assert.equal(profileFk.indexed, true, 'Profile.userId @unique serves the FK');
    assert.equal(json.foreignKeys.find((f) => f.table === 'Post' && f.columns[0] === 'authorId')!.indexed, false);
  });

  test('@map, @@map, @@schema, native types, and a compound reference', () => {
    const { json } = model({
      'schema.prisma': `
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
  schemas  = ["auth", "public"]
}
model Account {
  tenant String @db.Uuid
  number Int
  @@id([tenant, number])
  @@map("accounts")
  @@schema("auth")
}
model Invoice {
  id            BigInt    @id @default(autoincrement())
  tenantId      String    @map("tenant_id") @db.Uuid
  accountNumber Int       @map("account_number")
  issuedAt      DateTime  @default(now()) @db.Timestamptz(6)
  account       Account   @relation(fields: [tenantId, accountNumber], references: [tenant, number], onDelete: Cascade)
  @@index([tenantId, accountNumber])
  @@map("invoices")
  @@schema("public")
}
`,
    });
    assert.deepEqual(
      json.foreignKeys.map((f) => [f.name, f.schema, f.table, f.columns, f.refSchema, f.refTable, f.refColumns, f.onDelete, f.indexed]),
      [['invoices_tenant_id_account_number_fkey', 'public', 'invoices', ['tenant_id', 'account_number'], 'auth', 'accounts', ['tenant', 'number'], 'CASCADE', true]],
    );
    const invoices = json.tables.find((t) => t.name === 'invoices')!;
    assert.equal(invoices.columns.find((c) => c.name === 'tenant_id')!.type, 'uuid');
    assert.equal(invoices.columns.find((c) => c.name === 'issuedAt')!.type, 'timestamp(6) with time zone');
    assert.equal(invoices.columns.find((c) => c.name === 'id')!.type, 'bigint');
  });

  test('relationMode = "prisma" leaves the database without foreign keys', () => {
    const { json } = model({ 'schema.prisma': BLOG.replace('url      = env("DATABASE_URL")', 'url = env("DATABASE_URL")\n  relationMode = "prisma"') });
    assert.deepEqual(json.foreignKeys, []);
    assert.ok(json.tables.some((t) => t.name === 'Post'));
  });

  test('Prisma truncates default names to 63 bytes before the suffix', () => {
    const long = 'A'.repeat(40);
    const { json } = model({
      'schema.prisma': `model ${long} {\n  id Int @id\n}\nmodel Child {\n  id Int @id\n  parentReferenceIdentifierColumn Int\n  parent ${long} @relation(fields: [parentReferenceIdentifierColumn], references: [id])\n}\n`,
    });
    const name = json.foreignKeys[0].name;
    assert.equal(name, 'Child_parentReferenceIdentifierColumn_fkey');
    const { json: j2 } = model({
      'schema.prisma': `model P {\n  id Int @id\n}\nmodel ${long} {\n  id Int @id\n  parentReferenceIdentifierColumn Int\n  parent P @relation(fields: [parentReferenceIdentifierColumn], references: [id])\n}\n`,
    });
    // `{table}_{columns}` is cut to 63 - 5 bytes, then `_fkey` follows.
    assert.equal(j2.foreignKeys[0].name, `${long}_parentReferenceId_fkey`);
    assert.equal(Buffer.byteLength(j2.foreignKeys[0].name), 63);
  });

  test('a multi-file schema: a relation to a model in another file, each range in its own file', () => {
    const { m, json } = model({
      'prisma/schema/schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n',
      'prisma/schema/user.prisma': 'model User {\n  id    Int    @id\n  posts Post[]\n}\n',
      'prisma/schema/blog/post.prisma': 'model Post {\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}\n',
    });
    assert.deepEqual(json.foreignKeys.map(fkSummary), ['Post_authorId_fkey: Post(authorId) -> User(id) ON DELETE RESTRICT ON UPDATE CASCADE']);
    assert.equal(m.histories.length, 1);
    assert.equal(m.histories[0].history.tool, 'prisma-schema');
    const fk = m.histories[0].foreignKeys[0];
    assert.equal(fk.location.file, 'prisma/schema/blog/post.prisma');
    const text = 'model Post {\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}\n';
    assert.equal(text.slice(fk.location.span.start, fk.location.span.end), '@relation(fields: [authorId], references: [id])');
    assert.equal(text.slice(fk.location.columnsSpan!.start, fk.location.columnsSpan!.end), '[authorId]');
    assert.equal(text.slice(fk.location.refTableSpan!.start, fk.location.refTableSpan!.end), 'User');
    const user = m.histories[0].tables.find((t) => t.name === 'User')!;
    assert.equal(user.location.file, 'prisma/schema/user.prisma');
  });

  test('with a Prisma migration set next to it, the schema is a companion and the migrations are the model', () => {
    const { m, json } = model({
      'prisma/schema.prisma': BLOG,
      'prisma/migrations/20240101000000_init/migration.sql': 'CREATE TABLE "User" ("id" SERIAL NOT NULL, CONSTRAINT "User_pkey" PRIMARY KEY ("id"));\n',
    });
    assert.deepEqual(m.histories.map((h) => h.history.id), ['prisma/migrations']);
    assert.deepEqual(m.companions!.map((h) => [h.history.id, h.history.companionOf]), [['prisma#prisma', 'prisma/migrations']]);
    assert.deepEqual(json.foreignKeys, [], 'only the migrated database counts');
  });
});

describe('Prisma parser: broken schemas give a diagnostic at the right place, never a crash', () => {
  const diagnostics = (text: string) => {
    const ws = new Workspace();
    ws.setFile('schema.prisma', text);
    const m = ws.model();
    return { list: computeDiagnostics(m, (p) => ws.text(p)).get('schema.prisma') ?? [], json: modelJson(m) };
  };

  test('a bad line inside a model: one error on that token, the other fields and models still count', () => {
    const text = 'model A {\n  id Int @id\n  = oops\n}\nmodel B {\n  id Int @id\n  aId Int\n  a A @relation(fields: [aId], references: [id])\n}\n';
    const { list, json } = diagnostics(text);
    assert.deepEqual(list.map((d) => [d.code, d.range.start.line, d.range.start.character]), [['syntax-error', 2, 2]]);
    assert.equal(json.foreignKeys.length, 1);
  });

  test('an unclosed model ends where the next block starts', () => {
    const text = 'model A {\n  id Int @id\n\nmodel B {\n  id Int @id\n  aId Int\n  a A @relation(fields: [aId], references: [id])\n}\n';
    const { list, json } = diagnostics(text);
    assert.equal(list.length, 1);
    assert.equal(list[0].range.start.line, 0);
    assert.match(list[0].message, /model A is not closed/);
    assert.equal(json.foreignKeys.length, 1);
  });

  test('an unclosed argument list, an unknown action, a missing field, a missing model', () => {
    const text = [
      'model A {',
      '  id Int @id',
      '}',
      'model B {',
      '  id  Int @id',
      '  aId Int',
      '  a   A   @relation(fields: [aId], references: [id]',
      '  c   A   @relation("c", fields: [cId], references: [id], onDelete: Explode)',
      '  cId Int',
      '  d   Nope',
      '}',
      '',
    ].join('\n');
    const { list } = diagnostics(text);
    const at = (line: number) => list.filter((d) => d.range.start.line === line).map((d) => d.message);
    assert.equal(at(6).length, 1, 'the unclosed @relation(');
    assert.match(at(7)[0], /onDelete must be one of/);
    assert.equal(list.find((d) => d.range.start.line === 7)!.range.start.character, text.split('\n')[7].indexOf('Explode'));
    assert.match(at(9)[0], /Nope is not a Prisma scalar type/);
  });

  test('an unterminated string and an unclosed block comment', () => {
    const { list } = diagnostics('datasource db {\n  provider = "postgresql\n}\n/* never closed\nmodel A {\n  id Int @id\n}\n');
    assert.deepEqual(list.map((d) => d.range.start.line), [1, 3]);
  });

  test('every prefix of a real schema parses without throwing', { skip: corpusSkip('hoppscotch-prisma') }, () => {
    const text = readFileSync(join(CORPUS, 'hoppscotch-prisma/files/packages/hoppscotch-backend/prisma/schema.prisma'), 'utf8');
    for (let cut = 0; cut < text.length; cut += 97) {
      const ws = new Workspace();
      ws.setFile('schema.prisma', text.slice(0, cut));
      const m = ws.model();
      computeDiagnostics(m, (p) => ws.text(p));
    }
    for (const garbage of ['}}}}', '@@@', 'model', 'model {', 'model A { id Int @id(', 'enum E { A B', '\u0000\u0001', 'model A {\n a Unsupported(\n}']) {
      const syntax = parsePrisma('x.prisma', garbage);
      assert.ok(Array.isArray(syntax.blocks));
    }
  });
});

describe('Prisma schema discovery', () => {
  const plan = (paths: string[]) => planHistories(paths).map((h) => [h.id, h.tool, h.files, h.companionOf]);

  test('a schema folder read recursively, its migrations beside the folder; two projects stay apart', () => {
    assert.deepEqual(
      plan([
        'api/prisma/schema/schema.prisma',
        'api/prisma/schema/models/user.prisma',
        'api/prisma/migrations/20240101000000_init/migration.sql',
        'web/prisma/schema.prisma',
        'web/prisma/migrations/20240101000000_init/migration.sql',
        'tools/schema.prisma',
      ]),
      [
        ['api/prisma/migrations', 'prisma', ['api/prisma/migrations/20240101000000_init/migration.sql'], undefined],
        ['api/prisma/schema#prisma', 'prisma-schema', ['api/prisma/schema/models/user.prisma', 'api/prisma/schema/schema.prisma'], 'api/prisma/migrations'],
        ['tools#prisma', 'prisma-schema', ['tools/schema.prisma'], undefined],
        ['web/prisma#prisma', 'prisma-schema', ['web/prisma/schema.prisma'], 'web/prisma/migrations'],
        ['web/prisma/migrations', 'prisma', ['web/prisma/migrations/20240101000000_init/migration.sql'], undefined],
      ],
    );
  });

  test('.prisma files are candidates; a .prisma file in node_modules is not', () => {
    assert.equal(isCandidate('prisma/schema.prisma'), true);
    assert.equal(isCandidate('node_modules/.prisma/client/schema.prisma'), false);
  });
});
