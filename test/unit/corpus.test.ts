/**
 * The corpus stays outside the repository: `npm run corpus` (scripts/corpus.mjs) fetches each source at its
 * pinned commit, run here against local stand-in repositories (GitHub is replaced through --mirror, git's
 * url.<base>.insteadOf); and the suites that read the corpus or the DDL cases skip with one line when they
 * are absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { corpusSources, REPO } from '../support/corpus';

const SCRIPT = resolve(REPO, 'scripts/corpus.mjs');

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A stand-in for https://github.com/<owner>/<name>: a repository with two commits; returns the first. */
function standIn(mirror: string, repo: string, first: Record<string, string>, second: Record<string, string>): string {
  const dir = join(mirror, repo);
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q');
  // As GitHub: partial clones are allowed (so the blob filter is really exercised).
  git(dir, 'config', 'uploadpack.allowFilter', 'true');
  const write = (files: Record<string, string>) => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'step');
    return git(dir, 'rev-parse', 'HEAD');
  };
  const pinned = write(first);
  write(second);
  return pinned;
}

/** The digest scripts/corpus.mjs checks, computed here independently. */
function digestOf(files: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const path of Object.keys(files).sort()) hash.update(`${path}\0${createHash('sha256').update(files[path]).digest('hex')}\n`);
  return hash.digest('hex');
}

const run = (args: string[], cwd = REPO) => spawnSync(process.execPath, [SCRIPT, ...args], { cwd, encoding: 'utf8' });

test('npm run corpus fetches each source at its pinned commit from its repository, checks it, and is idempotent', () => {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'fklens-corpus-fetch-')));
  try {
    const mirror = join(base, 'mirror');
    const v1 = 'CREATE TABLE users (id int PRIMARY KEY);\n';
    const v2 = 'CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users);\n';
    const sqlite = 'CREATE TABLE users (id INTEGER PRIMARY KEY);\n';
    const pinned = standIn(
      mirror,
      'acme/shop',
      {
        'db/migrations/0001_users.up.sql': v1,
        'db/migrations/0002_orders.up.sql': v2,
        'db/sqlite/0001_users.sqlite.up.sql': sqlite,
        'COPYING': 'MIT License\n',
        'src/app.js': 'console.log("not fetched")\n',
      },
      { 'db/migrations/0002_orders.up.sql': v2 + '-- changed after the pinned commit\n', 'db/migrations/0003_new.up.sql': 'SELECT 1;\n' },
    );
    const expected = {
      'files/db/migrations/0001_users.up.sql': v1,
      'files/db/migrations/0002_orders.up.sql': v2,
      'variants/sqlite/0001_users.sqlite.up.sql': sqlite,
    };
    const source = {
      id: 'acme-shop',
      repository: 'https://github.com/acme/shop',
      commit: pinned,
      license: { spdx: 'MIT', file: 'COPYING' },
      kind: 'sql_migrations',
      dialect: 'postgres',
      files: { 'db/migrations': ['0001_users.up.sql', '0002_orders.up.sql'] },
      variants: { sqlite: { 'db/sqlite': ['0001_users.sqlite.up.sql'] } },
      sha256: digestOf(expected),
    };
    const manifest = join(base, 'sources.json');
    writeFileSync(manifest, JSON.stringify({ sources: [source] }));
    const dest = join(base, 'corpus');
    const args = [dest, '--manifest', manifest, '--mirror', `file://${mirror}/`];

    const first = run(args);
    assert.equal(first.status, 0, first.stderr + first.stdout);
    assert.match(first.stdout, new RegExp(`^corpus: acme-shop: 3 files at ${pinned.slice(0, 12)} of https://github.com/acme/shop \\(MIT\\) fetched into `, 'm'));
    for (const [path, text] of Object.entries(expected)) assert.equal(readFileSync(join(dest, 'acme-shop', path), 'utf8'), text, path);
    assert.equal(readFileSync(join(dest, 'acme-shop/LICENSE.upstream'), 'utf8'), 'MIT License\n');
    assert.ok(!existsSync(join(dest, 'acme-shop/files/db/migrations/0003_new.up.sql')), 'the pinned commit, not the newest');
    assert.ok(!existsSync(join(dest, 'acme-shop/files/src')), 'only the listed files');
    assert.deepEqual(readdirSync(join(dest, 'acme-shop')).sort(), ['LICENSE.upstream', 'SOURCE.json', 'files', 'variants']);
    assert.equal(JSON.parse(readFileSync(join(dest, 'acme-shop/SOURCE.json'), 'utf8')).commit, pinned);

    const again = run(args);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /acme-shop: 3 files .* already in /);
    // A file changed by hand is fetched again.
    writeFileSync(join(dest, 'acme-shop/files/db/migrations/0001_users.up.sql'), 'tampered');
    assert.match(run(args).stdout, /acme-shop: .* fetched into /);
    assert.equal(readFileSync(join(dest, 'acme-shop/files/db/migrations/0001_users.up.sql'), 'utf8'), v1);

    // What goes wrong is said, per source, with exit code 1.
    const broken = (change: Partial<typeof source>) => {
      writeFileSync(manifest, JSON.stringify({ sources: [{ ...source, ...change, id: 'acme-broken' }] }));
      return run(args);
    };
    const wrongCommit = broken({ commit: 'f'.repeat(40) });
    assert.equal(wrongCommit.status, 1);
    assert.match(wrongCommit.stderr, /^corpus: acme-broken: cannot fetch commit f{40} from https:\/\/github.com\/acme\/shop \(mirror file:\/\/\S+\): .*not our ref/m);
    const wrongDigest = broken({ sha256: '0'.repeat(64) });
    assert.equal(wrongDigest.status, 1);
    assert.match(wrongDigest.stderr, /acme-broken: the files differ from the ones the manifest describes/);
    const notThere = broken({ files: { 'db/migrations': ['0003_new.up.sql'] } });
    assert.equal(notThere.status, 1);
    assert.match(notThere.stderr, /acme-broken: 1 file\(s\) are not in https:\/\/github.com\/acme\/shop at [0-9a-f]{12}: db\/migrations\/0003_new\.up\.sql/);
    assert.ok(!existsSync(join(dest, 'acme-broken')), 'nothing half-fetched is left');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('npm run corpus refuses a destination inside the repository; the manifest holds facts for every source', () => {
  const inside = run([join(REPO, 'corpus-here')]);
  assert.equal(inside.status, 1);
  assert.match(inside.stderr, /is inside the repository; the corpus stays outside it/);
  for (const s of corpusSources()) {
    assert.match(s.repository, /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/, s.id);
    assert.match(s.commit, /^[0-9a-f]{40}$/, s.id);
    assert.match(s.sha256, /^[0-9a-f]{64}$/, s.id);
    assert.ok(s.license.spdx && s.license.file, s.id);
    assert.ok(Object.values(s.files).flat().length > 0, s.id);
  }
  // Facts, not copies: no file of the corpus (by its path in its repository) is in this repository.
  const tracked = spawnSync('git', ['ls-files'], { cwd: REPO, encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  const corpusPaths = corpusSources().flatMap((s) => Object.entries(s.files).flatMap(([dir, names]) => names.map((n) => (dir ? `${dir}/${n}` : n))));
  assert.ok(corpusPaths.length > 1500);
  const copied = tracked.filter((f) => corpusPaths.some((p) => f === p || f.endsWith(`/${p}`)));
  assert.deepEqual(copied, [], 'corpus files tracked in the repository');
});

test('without the corpus and the DDL cases, the suites that read them are skipped with one line each, and pass', () => {
  const files = ['corpus/conformance', 'corpus/missing-index', 'corpus/dialect-conformance', 'corpus/truth', 'unit/ddl-cases', 'unit/incremental'].map((f) =>
    resolve(REPO, 'out/test', `${f}.test.js`),
  );
  const r = spawnSync(process.execPath, ['--test', ...files], {
    cwd: REPO,
    encoding: 'utf8',
    // Without NODE_TEST_CONTEXT (set for this file's own run), the child reports in TAP as npm test shows it.
    env: { ...process.env, NODE_TEST_CONTEXT: undefined, FKLENS_CORPUS: join(tmpdir(), 'no-such-corpus'), FKLENS_DDL_CASES: join(tmpdir(), 'no-such-ddl-cases') },
  });
  assert.equal(r.status, 0, r.stdout.slice(-2000));
  assert.match(r.stdout, /^# fail 0$/m);
  assert.match(r.stdout, /^# pass 0$/m);
  const skips = r.stdout.split('\n').filter((l) => /^ok \d+ - .* # SKIP /.test(l));
  assert.ok(skips.length >= 6, r.stdout);
  for (const line of skips) assert.match(line, /# SKIP (the real-project corpus is not at .*no-such-corpus: run `npm run corpus` to fetch it|.*truth\.json is not in|the DDL cases are not at .*no-such-ddl-cases)/, line);
});
