/**
 * The end-to-end scenarios: each one is a fresh VS Code window on a workspace, running some of the suite files
 * in ./suite. Add a scenario here, or a suite name to a scenario's `suites` (see README.md).
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CORPUS, corpusSkip } from '../support/corpus';

export const ROOT = path.resolve(__dirname, '../../..');

export interface Scenario {
  name: string;
  /** Suite files to run (suite/<name>.e2e.ts), in order. */
  suites: string[];
  /** Fills the (empty, temporary) workspace folder the window opens; it is deleted afterwards. */
  workspace: (dir: string) => void;
  /** Whether FK Lens should activate by itself in that workspace. */
  expectActive: boolean;
  /** A file (relative to the workspace) the diagnostics suite edits. */
  editFile?: string;
  /** Where new migration files go (relative). */
  migrationsDir?: string;
  /** Run FK Lens installed from `npm run package`'s VSIX instead of the development folder. */
  vsix?: boolean;
  /** Extra user settings for the window. */
  settings?: Record<string, unknown>;
  /** Why it cannot run here (its workspace comes from an absent corpus), or false. */
  skip?: false | string;
}

const copy = (from: string) => (dir: string) => cpSync(from, dir, { recursive: true });

export const scenarios: Scenario[] = [
  {
    name: 'shop',
    suites: ['activation', 'diagnostics', 'findings', 'features', 'locks', 'files', 'restart'],
    workspace: copy(path.join(ROOT, 'examples/shop')),
    expectActive: true,
    editFile: 'db/migrations/0002_orders.up.sql',
    migrationsDir: 'db/migrations',
  },
  {
    // A real project's history (golang-migrate, 40 files) from the shared corpus.
    name: 'harbor',
    suites: ['activation', 'diagnostics', 'findings', 'files'],
    workspace: copy(path.join(CORPUS, 'harbor-migrations/files')),
    skip: corpusSkip('harbor-migrations'),
    expectActive: true,
    editFile: 'make/migrations/postgresql/0001_initial_schema.up.sql',
    migrationsDir: 'make/migrations/postgresql',
  },
  {
    // A Prisma project (schema.prisma and its migrations folder) from the shared corpus: Prisma rules and drift.
    name: 'hoppscotch',
    suites: ['activation', 'findings'],
    workspace: copy(path.join(CORPUS, 'hoppscotch-prisma/files')),
    skip: corpusSkip('hoppscotch-prisma'),
    expectActive: true,
  },
  {
    // A Rails app (db/schema.rb and 234 Ruby migrations) from the shared corpus: activation on db/schema.rb, the
    // findings and hovers in the .rb file.
    name: 'rubygems',
    suites: ['activation', 'findings'],
    workspace: copy(path.join(CORPUS, 'rubygems-rails/files')),
    skip: corpusSkip('rubygems-rails'),
    expectActive: true,
  },
  {
    // The largest Prisma project of the corpus (86 tables, 135 FKs, 250+ migrations, drift); the ERD at that scale.
    name: 'triggerdev',
    suites: ['activation', 'findings', 'scale', 'erd'],
    workspace: copy(path.join(CORPUS, 'triggerdev-prisma/files')),
    skip: corpusSkip('triggerdev-prisma'),
    expectActive: true,
  },
  {
    // A diesel history (every migration an up.sql) with tables named like Markdown: labels, quick-fix UX, ignore
    // and documentation actions, escaping in the real hover.
    name: 'diesel',
    suites: ['activation', 'findings', 'editor'],
    workspace: copy(path.join(ROOT, 'test/fixtures/diesel-app')),
    expectActive: true,
  },
  {
    // knex migrations (JS), read with a parser: findings land in the JS with the CLI's ranges.
    name: 'knex',
    suites: ['activation', 'findings'],
    workspace: copy(path.join(ROOT, 'test/fixtures/js/knex-app')),
    expectActive: true,
  },
  {
    // A partial history: it alters (and references) a table no file creates. The status bar item, its details.
    name: 'partial',
    suites: ['activation', 'status'],
    workspace: (dir) => {
      mkdirSync(path.join(dir, 'db', 'migrations'), { recursive: true });
      writeFileSync(path.join(dir, 'db/migrations/000001_users.up.sql'), 'ALTER TABLE users ADD COLUMN nickname text;\n');
      writeFileSync(path.join(dir, 'db/migrations/000002_orders.up.sql'), 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\n');
    },
    expectActive: true,
  },
  {
    // A migration that writes a file when loaded or run: FK Lens must only read it.
    name: 'side-effect',
    suites: ['activation', 'untouched'],
    workspace: copy(path.join(ROOT, 'test/fixtures/js/side-effect')),
    expectActive: true,
  },
  {
    name: 'no-sql',
    suites: ['activation'],
    workspace: (dir) => {
      mkdirSync(path.join(dir, 'src'), { recursive: true });
      writeFileSync(path.join(dir, 'README.md'), '# Not a database project\n');
      writeFileSync(path.join(dir, 'src', 'index.js'), 'console.log("hello");\n');
      // SQL inside dependencies is not the project's schema: VS Code's search.exclude keeps it out.
      mkdirSync(path.join(dir, 'node_modules', 'some-orm', 'test'), { recursive: true });
      writeFileSync(path.join(dir, 'node_modules', 'some-orm', 'test', 'fixture.sql'), 'CREATE TABLE fixture (id int);\n');
    },
    expectActive: false,
  },
  {
    name: 'vsix',
    suites: ['vsix', 'activation', 'diagnostics', 'findings', 'files'],
    workspace: copy(path.join(ROOT, 'examples/shop')),
    expectActive: true,
    editFile: 'db/migrations/0003_payments_and_reviews.up.sql',
    migrationsDir: 'db/migrations',
    vsix: true,
  },
];
