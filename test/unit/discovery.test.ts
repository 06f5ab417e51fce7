import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  compareFlywayVersions,
  isCandidate,
  planHistories,
  type DiscoveryOptions,
  type History,
} from '../../server/src/workspace/discovery';
import { markerTool, upSection } from '../../server/src/sources/migrationFile';
import { readWorkspaceFromDisk, scanWorkspace } from '../../server/src/workspace/disk';
import { CORPUS, corpusSkip, DDL_CASES, ddlCasesSkip, postgresSources } from '../support/corpus';
import { applyOrder } from '../support/pgTruth';

const repoRoot = resolve(__dirname, '../../..');
const layouts = join(repoRoot, 'test/fixtures/layouts');
const corpus = CORPUS;

/** Plans `paths` (given in a scrambled order) and returns the one history with this id. */
function history(paths: string[], id: string, options?: DiscoveryOptions): History {
  const found = planHistories([...paths].reverse(), options).find((h) => h.id === id);
  assert.ok(found, `no history ${JSON.stringify(id)}`);
  return found;
}

describe('planHistories: one fixture per tool', () => {
  test('golang-migrate: numeric version order, down files never count', () => {
    const h = history(
      ['m/1_init.up.sql', 'm/1_init.down.sql', 'm/10_late.up.sql', 'm/2_next.up.sql', 'm/2_next.down.sql', 'm/9_x.up.sql'],
      'm',
    );
    assert.equal(h.tool, 'golang-migrate');
    assert.deepEqual(h.files, ['m/1_init.up.sql', 'm/2_next.up.sql', 'm/9_x.up.sql', 'm/10_late.up.sql']);
  });

  test('golang-migrate names with dots (harbor 0002_1.7.0_schema.up.sql) are not popx', () => {
    const h = history(['p/0002_1.7.0_schema.up.sql', 'p/0001_initial_schema.up.sql', 'p/0010_1.9.0_schema.up.sql'], 'p');
    assert.equal(h.tool, 'golang-migrate');
    assert.deepEqual(h.files, ['p/0001_initial_schema.up.sql', 'p/0002_1.7.0_schema.up.sql', 'p/0010_1.9.0_schema.up.sql']);
  });

  test('prisma: migration folders in name order, history is the migrations folder', () => {
    const h = history(
      [
        'prisma/migrations/20230301000000_b/migration.sql',
        'prisma/migrations/0_init/migration.sql',
        'prisma/migrations/20230101000000_a/migration.sql',
      ],
      'prisma/migrations',
    );
    assert.equal(h.tool, 'prisma');
    assert.deepEqual(h.files, [
      'prisma/migrations/0_init/migration.sql',
      'prisma/migrations/20230101000000_a/migration.sql',
      'prisma/migrations/20230301000000_b/migration.sql',
    ]);
  });

  test('diesel: up.sql by folder version, down.sql excluded', () => {
    const h = history(
      [
        'migrations/2023-02-01-000000_posts/up.sql',
        'migrations/2023-02-01-000000_posts/down.sql',
        'migrations/00000000000000_diesel_initial_setup/up.sql',
        'migrations/00000000000000_diesel_initial_setup/down.sql',
        'migrations/2023-01-15-120000_users/up.sql',
      ],
      'migrations',
    );
    assert.equal(h.tool, 'diesel');
    assert.deepEqual(h.files, [
      'migrations/00000000000000_diesel_initial_setup/up.sql',
      'migrations/2023-01-15-120000_users/up.sql',
      'migrations/2023-02-01-000000_posts/up.sql',
    ]);
  });

  test('flyway: versions part by part, repeatables last by name, undo files excluded', () => {
    const h = history(
      [
        'db/migration/R__views.sql',
        'db/migration/V1_10__later.sql',
        'db/migration/V1__init.sql',
        'db/migration/U2__undo_users.sql',
        'db/migration/V1.2__users.sql',
        'db/migration/R__functions.sql',
        'db/migration/V2__orders.sql',
        'db/migration/V1_2_1__users_index.sql',
      ],
      'db/migration',
    );
    assert.equal(h.tool, 'flyway');
    assert.deepEqual(h.files, [
      'db/migration/V1__init.sql',
      'db/migration/V1.2__users.sql',
      'db/migration/V1_2_1__users_index.sql',
      'db/migration/V1_10__later.sql',
      'db/migration/V2__orders.sql',
      'db/migration/R__functions.sql',
      'db/migration/R__views.sql',
    ]);
  });

  test('flyway: sub-folders of the location join its history', () => {
    const h = history(['db/migration/V1__a.sql', 'db/migration/2024/V3__c.sql', 'db/migration/2023/V2__b.sql'], 'db/migration');
    assert.deepEqual(h.files, ['db/migration/V1__a.sql', 'db/migration/2023/V2__b.sql', 'db/migration/2024/V3__c.sql']);
    assert.equal(planHistories(['db/migration/V1__a.sql', 'db/migration/2024/V3__c.sql']).length, 1);
  });

  test('flyway: a fresh database starts at the latest baseline', () => {
    const h = history(['f/V1__a.sql', 'f/V2__b.sql', 'f/B2__base.sql', 'f/V3__c.sql', 'f/B1__old.sql'], 'f');
    assert.deepEqual(h.files, ['f/B2__base.sql', 'f/V3__c.sql']);
  });

  test('dbmate: timestamp order, named from the markers when text is given', () => {
    const paths = ['db/migrations/20230102000000_posts.sql', 'db/migrations/20230101000000_users.sql'];
    const plain = history(paths, 'db/migrations');
    assert.equal(plain.tool, 'sql-migrations');
    assert.deepEqual(plain.files, ['db/migrations/20230101000000_users.sql', 'db/migrations/20230102000000_posts.sql']);
    const named = planHistories(paths, {}, () => '-- migrate:up\nCREATE TABLE t (id int);\n-- migrate:down\nDROP TABLE t;\n');
    assert.equal(named[0].tool, 'dbmate');
  });

  test('goose: numeric version order, named from the markers', () => {
    const texts: Record<string, string> = {
      'goose/00002_b.sql': '-- +goose Up\nSELECT 2;\n',
      'goose/00010_c.sql': '-- +goose Up\nSELECT 10;\n',
      'goose/1_a.sql': '-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 0;\n',
    };
    const [h] = planHistories(Object.keys(texts), {}, (p) => texts[p]);
    assert.equal(h.tool, 'goose');
    assert.deepEqual(h.files, ['goose/1_a.sql', 'goose/00002_b.sql', 'goose/00010_c.sql']);
  });

  test('popx: the .postgres file wins its version, other dialects and downs are left out', () => {
    const v = (n: number) => `2019010000000${n}000000`;
    const h = history(
      [
        `sql/${v(1)}_client.up.sql`,
        `sql/${v(1)}_client.down.sql`,
        `sql/${v(2)}_client.up.sql`,
        `sql/${v(2)}_client.postgres.up.sql`,
        `sql/${v(2)}_client.mysql.up.sql`,
        `sql/${v(2)}_client.sqlite3.up.sql`,
        `sql/${v(2)}_client.cockroach.up.sql`,
        `sql/${v(2)}_client.postgres.down.sql`,
        `sql/${v(3)}_client.mysql.up.sql`,
        `sql/${v(4)}_client.postgres.autocommit.up.sql`,
        `sql/${v(5)}_client.autocommit.up.sql`,
      ],
      'sql',
    );
    assert.equal(h.tool, 'popx');
    assert.equal(h.dialect, 'postgres');
    assert.deepEqual(h.files, [
      `sql/${v(1)}_client.up.sql`,
      `sql/${v(2)}_client.postgres.up.sql`,
      `sql/${v(4)}_client.postgres.autocommit.up.sql`,
      `sql/${v(5)}_client.autocommit.up.sql`,
    ]);
  });

  test('popx: 20-digit versions compare numerically, not by a rounded double', () => {
    // Both are 2.0190100000000001e19 as doubles.
    const h = history(['s/20190100000000000002_b.postgres.up.sql', 's/20190100000000000001_a.postgres.up.sql', 's/3_early.up.sql'], 's');
    assert.deepEqual(h.files, ['s/3_early.up.sql', 's/20190100000000000001_a.postgres.up.sql', 's/20190100000000000002_b.postgres.up.sql']);
  });

  test('popx: a folder with files for one other dialect only is that dialect\'s copy', () => {
    const h = history(['mysql/1_a.up.sql', 'mysql/2_b.mysql.up.sql', 'mysql/3_c.up.sql'], 'mysql');
    assert.equal(h.dialect, 'mysql');
    assert.deepEqual(h.files, ['mysql/1_a.up.sql', 'mysql/2_b.mysql.up.sql', 'mysql/3_c.up.sql']);
  });

  test('numbered plain files are a sql-migrations history ordered by the number', () => {
    const h = history(['sql/10_c.sql', 'sql/002_b.sql', 'sql/1_a.sql'], 'sql');
    assert.equal(h.tool, 'sql-migrations');
    assert.deepEqual(h.files, ['sql/1_a.sql', 'sql/002_b.sql', 'sql/10_c.sql']);
  });
});

describe('planHistories: grouping', () => {
  test('loose files form a schema history per folder; next to a migration set they stay apart', () => {
    const plan = planHistories([
      'db/structure.sql',
      'db/migrate/2_b.up.sql',
      'db/migrate/1_a.up.sql',
      'db/migrate/seed.sql',
      'db/migrate/1_a.down.sql',
      'schema.sql',
      'views/b.sql',
      'views/a.sql',
    ]);
    assert.deepEqual(
      plan.map((h) => [h.id, h.tool, h.files]),
      [
        ['', 'schema', ['schema.sql']],
        ['db', 'schema', ['db/structure.sql']],
        ['db/migrate', 'golang-migrate', ['db/migrate/1_a.up.sql', 'db/migrate/2_b.up.sql']],
        ['db/migrate#schema', 'schema', ['db/migrate/seed.sql']],
        ['views', 'schema', ['views/a.sql', 'views/b.sql']],
      ],
    );
  });

  test('separate migration folders are separate databases', () => {
    const plan = planHistories(['a/migrations/1_x.up.sql', 'b/migrations/1_x.up.sql']);
    assert.deepEqual(plan.map((h) => h.id), ['a/migrations', 'b/migrations']);
  });

  test('a down file alone is never read, even outside a migration set', () => {
    assert.deepEqual(planHistories(['misc/cleanup.down.sql', 'm/3_x.down.sql']), []);
  });

  test('files other than .sql and .prisma, and ignored folders, are not candidates', () => {
    const plan = planHistories(['a.sql', 'schema.prisma', 'notes.md', 'node_modules/p/x.sql', 'node_modules/p/schema.prisma', 'dist/m/1_a.up.sql', 'x/.git/y.sql']);
    assert.deepEqual(plan.map((h) => h.files), [['a.sql'], ['schema.prisma']]);
  });
});

describe('DiscoveryOptions', () => {
  const paths = ['m/1_a.up.sql', 'm/10_c.up.sql', 'm/2_b.up.sql', 'legacy/old.sql', 'db/schema.psql'];

  test('include narrows to the globs and may add other extensions', () => {
    const plan = planHistories(paths, { include: ['m/*.sql', '*.psql'] });
    assert.deepEqual(plan.map((h) => h.id), ['db', 'm']);
    assert.equal(isCandidate('db/schema.psql', { include: ['*.psql'] }), true);
    assert.equal(isCandidate('db/schema.psql'), false);
  });

  test('exclude drops files and whole folders', () => {
    assert.deepEqual(planHistories(paths, { exclude: ['legacy/**'] }).map((h) => h.id), ['m']);
    assert.deepEqual(planHistories(paths, { exclude: ['10_c.up.sql'] }).find((h) => h.id === 'm')?.files, ['m/1_a.up.sql', 'm/2_b.up.sql']);
  });

  test('include can name an ignored folder explicitly; a broad glob does not reach into it', () => {
    assert.equal(isCandidate('build/schema/a.sql', { include: ['build/schema/*.sql'] }), true);
    assert.equal(isCandidate('build/schema/a.sql', { include: ['**/*.sql'] }), false);
  });

  test('order overrides the tool order, not the selection', () => {
    const withDown = [...paths, 'm/2_b.down.sql'];
    assert.deepEqual(history(withDown, 'm', { order: 'name' }).files, ['m/10_c.up.sql', 'm/1_a.up.sql', 'm/2_b.up.sql']);
    const prisma = ['p/10_b/migration.sql', 'p/9_a/migration.sql'];
    assert.deepEqual(history(prisma, 'p').files, ['p/10_b/migration.sql', 'p/9_a/migration.sql']);
    assert.deepEqual(history(prisma, 'p', { order: 'version' }).files, ['p/9_a/migration.sql', 'p/10_b/migration.sql']);
    // Files without a number keep name order, after the numbered ones.
    assert.deepEqual(history(['s/b.sql', 's/a.sql'], 's', { order: 'version' }).files, ['s/a.sql', 's/b.sql']);
  });
});

describe('version comparison', () => {
  test('flyway versions compare part by part', () => {
    assert.ok(compareFlywayVersions('1.2', '1.10') < 0);
    assert.ok(compareFlywayVersions('1_2_3', '1.2.4') < 0);
    assert.equal(compareFlywayVersions('1.0', '1'), 0);
    assert.ok(compareFlywayVersions('2', '1.99') > 0);
  });
});

describe('upSection', () => {
  const goose = ddlCasesSkip ? '' : readFileSync(join(DDL_CASES, 'pg26_migration_tool.sql'), 'utf8');

  test('goose: the Down section is blanked, offsets and lines kept', () => {
    const text = '-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\r\nDROP TABLE b;\n-- +goose Up\nCREATE TABLE c (id int);\n';
    const up = upSection(text, 'goose');
    assert.equal(up.length, text.length);
    assert.equal(
      up,
      '-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\n             \r\n             \n-- +goose Up\nCREATE TABLE c (id int);\n',
    );
  });

  test('goose markers are found without a tool from the path (ddl-cases/pg26)', { skip: ddlCasesSkip }, () => {
    const up = upSection(goose, 'schema');
    assert.equal(up.length, goose.length);
    assert.equal(up.split('\n').length, goose.split('\n').length);
    assert.ok(!up.includes('DROP TABLE accounts'));
    assert.ok(up.includes('CREATE INDEX CONCURRENTLY accounts_owner_idx'));
    assert.ok(up.includes('-- +goose Down'));
    assert.equal(markerTool(goose), 'goose');
  });

  test('dbmate: the migrate:down section is blanked up to the next migrate:up', () => {
    const text = '-- migrate:up\nCREATE TABLE a (id int);\n\n-- migrate:down\nDROP TABLE a;\n-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON a (id);\n';
    const up = upSection(text);
    assert.equal(up.length, text.length);
    assert.equal(up.split('\n').length, text.split('\n').length);
    assert.ok(!up.includes('DROP TABLE a'));
    assert.ok(up.includes('CREATE INDEX CONCURRENTLY i ON a (id);'));
    assert.equal(markerTool(text), 'dbmate');
  });

  test('tools that run the whole file keep marker-looking comments as comments', () => {
    const text = '-- migrate:down\nCREATE TABLE a (id int);\n';
    assert.equal(upSection(text, 'prisma'), text);
    assert.notEqual(upSection(text, 'sql-migrations'), text);
  });

  test('a file without markers is returned as is', () => {
    const text = 'CREATE TABLE a (id int);\n';
    assert.equal(upSection(text, 'goose'), text);
  });
});

describe('real layouts (corpus)', { skip: corpusSkip('hydra-migrations', 'harbor-migrations', 'langfuse-prisma', 'hoppscotch-prisma', 'triggerdev-prisma', 'pagila', 'danbooru-structure') }, () => {
  test('hydra: exactly the resolved popx order PostgreSQL applied', async () => {
    const source = join(corpus, 'hydra-migrations');
    const expected = applyOrder(postgresSources().find((s) => s.id === 'hydra-migrations')!);
    const files = await readWorkspaceFromDisk(source);
    const plan = planHistories([...files.keys()]);
    const h = plan.find((x) => x.id === 'files/persistence/sql/migrations');
    assert.ok(h);
    assert.equal(h.tool, 'popx');
    assert.equal(h.dialect, 'postgres');
    assert.equal(h.files.length, 228);
    assert.deepEqual(h.files, expected);
    // The MySQL / SQLite copies of the set are separate databases of their own dialect.
    assert.equal(plan.find((x) => x.id === 'variants/mysql')?.dialect, 'mysql');
    assert.equal(plan.find((x) => x.id === 'variants/sqlite')?.dialect, 'sqlite');
  });

  test('harbor: golang-migrate history in numeric version order', async () => {
    const files = await readWorkspaceFromDisk(join(corpus, 'harbor-migrations'));
    const plan = planHistories([...files.keys()]);
    // The shared corpus has the eval's prelude.sql next to files/: a loose file of the root, a history of its own.
    const histories = plan.filter((h) => h.id !== '');
    assert.deepEqual(histories.map((h) => [h.id, h.tool]), [['files/make/migrations/postgresql', 'golang-migrate']]);
    const migrations = histories[0].files;
    const versions = migrations.map((p) => Number(/\/(\d+)_/.exec(p)![1]));
    assert.equal(versions.length, 39);
    assert.deepEqual(versions, [...versions].sort((a, b) => a - b));
    assert.equal(migrations[0], 'files/make/migrations/postgresql/0001_initial_schema.up.sql');
    assert.equal(migrations[38], 'files/make/migrations/postgresql/0190_2.16.0_schema.up.sql');
  });

  test('prisma sources: one history of every migration.sql, in folder order, and schema.prisma as its companion', async () => {
    for (const [source, folder, count] of [
      ['langfuse-prisma', 'files/packages/shared/prisma/migrations', 434],
      ['hoppscotch-prisma', 'files/packages/hoppscotch-backend/prisma/migrations', 21],
      ['triggerdev-prisma', 'files/internal-packages/database/prisma/migrations', 820],
    ] as const) {
      const files = await readWorkspaceFromDisk(join(corpus, source));
      const plan = planHistories([...files.keys()]);
      const schemaFolder = folder.replace(/\/migrations$/, '');
      assert.deepEqual(
        plan.map((h) => [h.id, h.tool, h.companionOf]),
        [
          [`${schemaFolder}#prisma`, 'prisma-schema', folder],
          [folder, 'prisma', undefined],
        ],
        source,
      );
      assert.deepEqual(plan[0].files, [`${schemaFolder}/schema.prisma`]);
      const names = plan[1].files.map((p) => p.split('/').at(-2)!);
      assert.equal(names.length, count, source);
      assert.deepEqual(names, [...names].sort(), source);
    }
  });

  test('dumps: one schema history each', async () => {
    for (const [source, path] of [['pagila', 'files/pagila-schema.sql'], ['danbooru-structure', 'files/db/structure.sql']]) {
      const plan = planHistories([...(await readWorkspaceFromDisk(join(corpus, source))).keys()]);
      assert.deepEqual(plan.map((h) => [h.tool, h.files]), [['schema', [path]]], source);
    }
  });
});

describe('readWorkspaceFromDisk', () => {
  test('fixture layouts with spaces in folder and file names', async () => {
    const files = await readWorkspaceFromDisk(layouts);
    assert.ok(!files.has('prisma app/prisma/migrations/migration_lock.toml'));
    assert.match(files.get('golang-migrate/db migrations/2_orders.up.sql')!, /REFERENCES users/);
    const plan = planHistories([...files.keys()], {}, (p) => files.get(p));
    assert.deepEqual(
      plan.map((h) => [h.id, h.tool, h.files]),
      [
        ['dbmate/db', 'schema', ['dbmate/db/schema.sql']],
        [
          'dbmate/db/migrations',
          'dbmate',
          ['dbmate/db/migrations/20230101000000_create_users.sql', 'dbmate/db/migrations/20230102000000_create_posts.sql'],
        ],
        [
          'golang-migrate/db migrations',
          'golang-migrate',
          [
            'golang-migrate/db migrations/1_init.up.sql',
            'golang-migrate/db migrations/2_orders.up.sql',
            'golang-migrate/db migrations/10_order_index.up.sql',
          ],
        ],
        ['golang-migrate/db migrations#schema', 'schema', ['golang-migrate/db migrations/seed data.sql']],
        ['loose sql', 'schema', ['loose sql/schema dump.sql', 'loose sql/views.sql']],
        [
          'prisma app/prisma/migrations',
          'prisma',
          ['prisma app/prisma/migrations/20230101000000_init/migration.sql', 'prisma app/prisma/migrations/20230202000000_add orders/migration.sql'],
        ],
      ],
    );
  });

  test('skips ignored folders, too large and binary files; follows globs; strips a BOM', async () => {
    const root = mkdtempSync(join(tmpdir(), 'fklens-disk-'));
    try {
      const write = (path: string, text: string | Buffer) => {
        mkdirSync(join(root, path, '..'), { recursive: true });
        writeFileSync(join(root, path), text);
      };
      write('db/schema.sql', '\uFEFFCREATE TABLE a (id int);');
      write('db/big.sql', 'x'.repeat(200));
      write('db/blob.sql', Buffer.from([0x43, 0x00, 0x01]));
      write('db/notes.txt', 'not sql');
      for (const folder of ['node_modules/pkg', '.git', 'dist', 'out', 'build', 'target', '.next', 'vendor/lib']) write(`${folder}/x.sql`, 'SELECT 1;');
      write('legacy/old.sql', 'SELECT 1;');
      symlinkSync(join(root, 'db'), join(root, 'loop'));

      const scan = await scanWorkspace(root, { exclude: ['legacy'] }, { maxBytes: 100 });
      assert.deepEqual([...scan.files.keys()], ['db/schema.sql']);
      assert.equal(scan.files.get('db/schema.sql'), 'CREATE TABLE a (id int);');
      assert.deepEqual(scan.skipped, [
        { path: 'db/big.sql', reason: 'too-large', bytes: 200, limit: 100 },
        { path: 'db/blob.sql', reason: 'binary', bytes: 3 },
      ]);

      const included = await readWorkspaceFromDisk(root, { include: ['build/*.sql', 'notes.txt'] });
      assert.deepEqual([...included.keys()], ['build/x.sql', 'db/notes.txt']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('reads a thousand files quickly', async () => {
    const root = mkdtempSync(join(tmpdir(), 'fklens-many-'));
    try {
      for (let d = 0; d < 20; d++) {
        mkdirSync(join(root, `svc ${d}`, 'migrations'), { recursive: true });
        for (let f = 1; f <= 60; f++) writeFileSync(join(root, `svc ${d}`, 'migrations', `${f}_step.up.sql`), `SELECT ${f};\n`);
      }
      const started = Date.now();
      const files = await readWorkspaceFromDisk(root);
      assert.equal(files.size, 1200);
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
      const plan = planHistories([...files.keys()]);
      assert.equal(plan.length, 20);
      assert.equal(plan[0].files.at(-1), 'svc 0/migrations/60_step.up.sql');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
