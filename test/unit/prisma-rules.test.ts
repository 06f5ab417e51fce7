/**
 * The Prisma rules, each firing and not firing, at the range a user would see; their quick-fixes applied to
 * the schema text make the finding go away (the fixed text is read again, not trusted).
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { prismaFindings, type PrismaFinding, type PrismaRuleId } from '../../server/src/analysis/prisma';
import { applyFix, prismaQuickFixes } from '../../server/src/features/fixes';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { Workspace } from '../../server/src/workspace/workspace';
import { computeDiagnostics } from '../../server/src/features/diagnostics';

before(async () => {
  await initPostgresParser();
});

const HEAD = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\nmodel User {\n  id    Int    @id @default(autoincrement())\n  posts Post[]\n}\n\n';

function findings(schema: string, rule: PrismaRuleId, extra: Record<string, string> = {}): { list: PrismaFinding[]; text: string; ws: Workspace } {
  const ws = new Workspace();
  ws.setFile('prisma/schema.prisma', schema);
  for (const [p, t] of Object.entries(extra)) ws.setFile(p, t);
  return { list: prismaFindings(ws.model()).filter((f) => f.rule === rule), text: schema, ws };
}

const spanText = (text: string, f: PrismaFinding) => text.slice(f.span.start, f.span.end);

/** Applies a fix and reads the fixed schema again. */
function fixed(schema: string, finding: PrismaFinding, title: RegExp): string {
  const fix = prismaQuickFixes(finding, () => schema).find((f) => title.test(f.title));
  assert.ok(fix, `a fix matching ${title}; got ${prismaQuickFixes(finding, () => schema).map((f) => f.title)}`);
  return applyFix(new Map([[finding.file, schema]]), fix).get(finding.file)!;
}

describe('prisma-set-null-required', () => {
  const schema =
    HEAD + 'model Post {\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id], onDelete: SetNull)\n}\n';

  test('fires on onDelete: SetNull with a required field, on the argument', () => {
    const { list, text } = findings(schema, 'prisma-set-null-required');
    assert.equal(list.length, 1);
    assert.equal(spanText(text, list[0]), 'onDelete: SetNull');
    assert.match(list[0].message, /authorId is required/);
  });

  test('does not fire on an optional relation, nor on the default action', () => {
    const optional = schema.replace('authorId Int\n', 'authorId Int?\n').replace('author   User ', 'author   User? ');
    assert.equal(findings(optional, 'prisma-set-null-required').list.length, 0);
    assert.equal(findings(schema.replace(', onDelete: SetNull', ''), 'prisma-set-null-required').list.length, 0);
  });

  test('onUpdate: SetNull fires too', () => {
    const { list } = findings(schema.replace('onDelete: SetNull', 'onUpdate: SetNull'), 'prisma-set-null-required');
    assert.equal(list.length, 1);
    assert.equal(list[0].clause, 'onUpdate');
  });

  test('fix: make the relation optional; fix: change the action', () => {
    const { list } = findings(schema, 'prisma-set-null-required');
    const optional = fixed(schema, list[0], /optional/);
    assert.match(optional, /authorId Int\?\n/);
    assert.match(optional, /author {3}User\? @relation/);
    assert.equal(findings(optional, 'prisma-set-null-required').list.length, 0);
    const cascade = fixed(schema, list[0], /Cascade/);
    assert.match(cascade, /onDelete: Cascade\)/);
    assert.equal(findings(cascade, 'prisma-set-null-required').list.length, 0);
  });
});

describe('prisma-set-default-without-default', () => {
  const schema =
    HEAD + 'model Post {\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id], onDelete: SetDefault)\n}\n';

  test('fires without a @default, and with a client-side default', () => {
    const { list, text } = findings(schema, 'prisma-set-default-without-default');
    assert.equal(list.length, 1);
    assert.equal(spanText(text, list[0]), 'onDelete: SetDefault');
    const uuid = HEAD.replace('Int    @id @default(autoincrement())', 'String @id @default(uuid())') +
      'model Post {\n  id       Int    @id\n  authorId String @default(uuid())\n  author   User   @relation(fields: [authorId], references: [id], onDelete: SetDefault)\n}\n';
    const client = findings(uuid, 'prisma-set-default-without-default').list;
    assert.equal(client.length, 1);
    assert.match(client[0].message, /Prisma Client fills that default in/);
  });

  test('does not fire with a database default', () => {
    assert.equal(findings(schema.replace('authorId Int\n', 'authorId Int @default(1)\n'), 'prisma-set-default-without-default').list.length, 0);
    assert.equal(findings(schema.replace('authorId Int\n', 'authorId Int @default(dbgenerated("1"))\n'), 'prisma-set-default-without-default').list.length, 0);
  });

  test('fix: change the action', () => {
    const { list } = findings(schema, 'prisma-set-default-without-default');
    const restrict = fixed(schema, list[0], /Restrict/);
    assert.match(restrict, /onDelete: Restrict\)/);
    assert.equal(findings(restrict, 'prisma-set-default-without-default').list.length, 0);
  });
});

describe('prisma-missing-index', () => {
  const schema =
    HEAD +
    'model Post {\n  id       Int  @id\n  authorId Int\n  editorId Int\n  author   User @relation(fields: [authorId], references: [id])\n  editor   User @relation("edits", fields: [editorId], references: [id])\n\n  @@index([editorId, id])\n}\n';
  const withBackRelation = schema.replace('posts Post[]', 'posts Post[]\n  edits Post[] @relation("edits")');

  test('fires on a relation whose fields lead no index; an index with them first is enough', () => {
    const { list, text } = findings(withBackRelation, 'prisma-missing-index');
    assert.deepEqual(list.map((f) => spanText(text, f)), ['@relation(fields: [authorId], references: [id])']);
  });

  test('@id, @unique and @@unique count; a trailing field does not', () => {
    const unique = withBackRelation.replace('authorId Int\n', 'authorId Int @unique\n');
    assert.equal(findings(unique, 'prisma-missing-index').list.length, 0);
    const trailing = withBackRelation.replace('@@index([editorId, id])', '@@index([editorId, id])\n  @@index([id, authorId])');
    assert.equal(findings(trailing, 'prisma-missing-index').list.length, 1);
    const compound = withBackRelation.replace('@@index([editorId, id])', '@@unique([editorId, authorId])');
    assert.equal(findings(compound, 'prisma-missing-index').list.length, 1, 'editorId leads, authorId does not');
  });

  test('does not fire under relationMode = "prisma" nor on MySQL', () => {
    const emulated = withBackRelation.replace('url      = env("DATABASE_URL")', 'url = env("DATABASE_URL")\n  relationMode = "prisma"');
    assert.equal(findings(emulated, 'prisma-missing-index').list.length, 0);
    assert.equal(findings(withBackRelation.replace('"postgresql"', '"mysql"'), 'prisma-missing-index').list.length, 0);
  });

  test('fix: @@index before the closing brace, indented like the fields', () => {
    const { list } = findings(withBackRelation, 'prisma-missing-index');
    const text = fixed(withBackRelation, list[0], /@@index/);
    assert.match(text, /\n {2}@@index\(\[editorId, id\]\)\n {2}@@index\(\[authorId\]\)\n\}\n$/);
    assert.equal(findings(text, 'prisma-missing-index').list.length, 0);
  });

  test('the diagnostic carries the rule id as its code', () => {
    const { ws } = findings(withBackRelation, 'prisma-missing-index');
    const list = computeDiagnostics(ws.model(), (p) => ws.text(p)).get('prisma/schema.prisma')!;
    assert.deepEqual(list.map((d) => [d.code, d.range.start.line]), [['prisma-missing-index', 15]]);
  });
});

describe('prisma-drift', () => {
  const schema =
    HEAD +
    'model Post {\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id], onDelete: Cascade)\n  @@index([authorId])\n}\n';
  const init = [
    'CREATE TABLE "User" ("id" SERIAL NOT NULL, CONSTRAINT "User_pkey" PRIMARY KEY ("id"));',
    'CREATE TABLE "Post" ("id" INTEGER NOT NULL, "authorId" INTEGER NOT NULL, CONSTRAINT "Post_pkey" PRIMARY KEY ("id"));',
    'CREATE INDEX "Post_authorId_idx" ON "Post"("authorId");',
  ].join('\n');
  const fk = (action: string) => `ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE ${action} ON UPDATE CASCADE;`;
  const migrations = (sql: string) => ({ 'prisma/migrations/20240101000000_init/migration.sql': sql });

  test('no finding when the migrations build what the schema says', () => {
    assert.deepEqual(findings(schema, 'prisma-drift', migrations(`${init}\n${fk('CASCADE')}\n`)).list.map((f) => f.message), []);
  });

  test('a MySQL schema and its MySQL migrations: tables compared in the database\'s own schema, no drift when they agree', () => {
    const mysql = schema.replace('provider = "postgresql"', 'provider = "mysql"');
    const sql = [
      'CREATE TABLE `User` (`id` INTEGER NOT NULL AUTO_INCREMENT, PRIMARY KEY (`id`)) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;',
      'CREATE TABLE `Post` (`id` INTEGER NOT NULL, `authorId` INTEGER NOT NULL, INDEX `Post_authorId_idx`(`authorId`), PRIMARY KEY (`id`)) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;',
      'ALTER TABLE `Post` ADD CONSTRAINT `Post_authorId_fkey` FOREIGN KEY (`authorId`) REFERENCES `User`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;',
    ].join('\n');
    const files = { 'prisma/migrations/migration_lock.toml': 'provider = "mysql"\n', 'prisma/migrations/20240101000000_init/migration.sql': sql };
    assert.deepEqual(findings(mysql, 'prisma-drift', files).list.map((f) => f.message), []);
    const dropped = findings(mysql, 'prisma-drift', { ...files, 'prisma/migrations/20240101000000_init/migration.sql': sql.split('\n').slice(0, 2).join('\n') }).list;
    assert.deepEqual(dropped.map((f) => f.message), [
      'After the migrations in prisma/migrations the database has no foreign key on Post(authorId), which the schema declares: Post_authorId_fkey (authorId) -> User(id) ON DELETE CASCADE ON UPDATE CASCADE (prisma migrate dev would add it).',
    ]);
  });

  test('no drift rule without migrations', () => {
    assert.equal(findings(schema, 'prisma-drift').list.length, 0);
  });

  test('an FK the schema declares and the migrations do not create, on the @relation', () => {
    const { list, text } = findings(schema, 'prisma-drift', migrations(`${init}\n`));
    assert.equal(list.length, 1);
    assert.equal(spanText(text, list[0]), '@relation(fields: [authorId], references: [id], onDelete: Cascade)');
    assert.match(list[0].message, /no foreign key on Post\(authorId\)/);
  });

  test('a different action, on the onDelete argument, with a fix that writes the migrated action', () => {
    const { list, text } = findings(schema, 'prisma-drift', migrations(`${init}\n${fk('RESTRICT')}\n`));
    assert.equal(list.length, 1);
    assert.equal(spanText(text, list[0]), 'onDelete: Cascade');
    assert.match(list[0].message, /ON DELETE RESTRICT instead of CASCADE \(prisma\/migrations\/20240101000000_init\/migration.sql:4\)/);
    const aligned = fixed(schema, list[0], /Restrict/);
    assert.equal(findings(aligned, 'prisma-drift', migrations(`${init}\n${fk('RESTRICT')}\n`)).list.length, 0);
  });

  test('an FK only the migrations have, and a table no model maps to', () => {
    const noRelation = HEAD.replace('  posts Post[]\n', '') + 'model Post {\n  id       Int @id\n  authorId Int\n  @@index([authorId])\n}\n';
    const { list, text } = findings(noRelation, 'prisma-drift', migrations(`${init}\n${fk('CASCADE')}\nCREATE TABLE "Legacy" ("id" INTEGER);\n`));
    assert.deepEqual(list.map((f) => spanText(text, f).split('\n')[0]), ['Post', 'datasource db {']);
    assert.match(list[0].message, /^The schema has no relation for a foreign key the migrations in prisma\/migrations leave on Post\(authorId\): the next prisma migrate dev would drop Post_authorId_fkey \(authorId\) -> User\(id\)/);
    assert.match(list[1].message, /create table Legacy/);
  });
});
