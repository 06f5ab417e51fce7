/**
 * analyze() keeps the findings of per-history rules per history model. After edits (in the newest migration, in
 * the middle of a history, of the configuration) what it reports must equal a fresh analysis of the same files
 * in a new Workspace, where nothing is cached.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { analyze, type AnalysisConfig } from '../../server/src/analysis/analyze';
import { RULES } from '../../server/src/analysis/rules/index';
import { Workspace } from '../../server/src/workspace/workspace';
import { CORPUS, corpusSkip } from '../support/corpus';

before(async () => {
  await initPostgresParser();
});

// pagila (from the corpus) makes the second history realistic; without the corpus a small stand-in takes its place.
const PAGILA_SKIP = corpusSkip('pagila');
const pagila = PAGILA_SKIP
  ? 'CREATE TABLE public.city (city_id int PRIMARY KEY);\nCREATE TABLE public.actor (\n    actor_id int PRIMARY KEY\n);\nCREATE TABLE public.film_actor (film_id int PRIMARY KEY, actor_id int REFERENCES public.actor);\nCREATE TABLE public.address (id int PRIMARY KEY, city_id int);\nCREATE TABLE public.rental (id int PRIMARY KEY, address_id int REFERENCES public.address ON DELETE CASCADE);\nALTER TABLE ONLY public.actor ADD COLUMN city_id int;\nALTER TABLE ONLY public.address ADD CONSTRAINT address_city_id_fkey FOREIGN KEY (city_id) REFERENCES public.city(city_id) ON UPDATE CASCADE ON DELETE RESTRICT;\n'
  : readFileSync(join(CORPUS, 'pagila/files/pagila-schema.sql'), 'utf8');

// Two histories: a small shop with findings of most rules, and pagila split in two migrations.
const FILES: Record<string, string> = {
  'shop/migrations/001_init.up.sql':
    'CREATE TABLE users (id bigint PRIMARY KEY, name text);\n' +
    'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE, note_id int);\n' +
    'CREATE TABLE order_items (id bigint PRIMARY KEY, order_id int NOT NULL REFERENCES orders ON DELETE CASCADE, ' +
    'parent_id bigint REFERENCES order_items ON DELETE CASCADE);\n' +
    'CREATE TABLE notes (id int PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders ON DELETE SET NULL, ' +
    'user_id bigint REFERENCES users ON DELETE SET DEFAULT);\n' +
    'CREATE TABLE payments (id bigint PRIMARY KEY, order_id bigint REFERENCES orders ON DELETE CASCADE);\n',
  'shop/migrations/002_more.up.sql':
    'ALTER TABLE orders ADD CONSTRAINT orders_note_fk FOREIGN KEY (note_id) REFERENCES notes (id) NOT VALID;\n' +
    'ALTER TABLE orders ADD CONSTRAINT orders_user_again FOREIGN KEY (user_id) REFERENCES users (id);\n' +
    'ALTER TABLE order_items ADD CONSTRAINT items_user_fk FOREIGN KEY (id) REFERENCES users (name);\n' +
    'ALTER TABLE payments ADD CONSTRAINT payments_user_fk FOREIGN KEY (id) REFERENCES users (id) ON DELETE RESTRICT;\n',
  'rental/migrations/001_pagila.up.sql': pagila.slice(0, pagila.indexOf('ALTER TABLE ONLY public.actor')),
  'rental/migrations/002_pagila_keys.up.sql': pagila.slice(pagila.indexOf('ALTER TABLE ONLY public.actor')),
};

const CONFIG: AnalysisConfig = { rules: {}, protectedTables: ['payments', 'rental'] };

function workspaceOf(files: Record<string, string>): Workspace {
  const ws = new Workspace({});
  for (const [path, text] of Object.entries(files)) ws.setFile(path, text);
  return ws;
}

const fresh = (files: Record<string, string>, config: AnalysisConfig) => analyze(workspaceOf(files).model(), config);

function replace(text: string, needle: string, by: string): string {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `the file holds ${needle}`);
  return text.slice(0, at) + by + text.slice(at + needle.length);
}

test('analysis cached per history after edits equals a fresh analysis of the same files', () => {
  const files = { ...FILES };
  const ws = workspaceOf(files);
  const first = ws.model();
  assert.equal(first.histories.length, 2);
  const before = analyze(first, CONFIG);
  assert.deepEqual(before, fresh(files, CONFIG));
  const rules = new Set(before.findings.map((f) => f.rule));
  for (const id of ['fk-missing-index', 'set-null-on-not-null', 'set-default-without-default', 'fk-type-mismatch', 'duplicate-fk', 'cascade-cycle', 'cascade-into-protected', 'fk-never-validated', 'fk-target-not-unique']) {
    assert.ok(rules.has(id), `the fixture makes ${id} fire`);
  }

  // The newest migration of the shop: an index, an action changed (cascade into the protected table goes away).
  const edits: [string, string, string][] = [
    ['shop/migrations/002_more.up.sql', 'ON DELETE RESTRICT;', 'ON DELETE CASCADE;\nCREATE INDEX ON notes (order_id);'],
    ['shop/migrations/001_init.up.sql', 'REFERENCES orders ON DELETE CASCADE);\n', 'REFERENCES orders ON DELETE RESTRICT);\n'],
    // The middle of pagila's history: its first file, with its keys in the next one.
    ['rental/migrations/001_pagila.up.sql', 'CREATE TABLE public.actor (', 'CREATE TABLE public.actor (\n    nickname text NOT NULL,'],
    ['rental/migrations/002_pagila_keys.up.sql', 'ON UPDATE CASCADE ON DELETE RESTRICT', 'ON UPDATE SET NULL ON DELETE CASCADE'],
  ];
  let previous = before;
  let model = first;
  for (const [path, needle, by] of edits) {
    files[path] = replace(files[path], needle, by);
    ws.setFile(path, files[path]);
    const next = ws.model();
    // The other history kept its model object: its findings come from the cache.
    const edited = next.histories.find((h) => h.history.files.includes(path))!;
    const other = next.histories.find((h) => h !== edited)!;
    assert.ok(model.histories.includes(other), `${path}: the other history is not replayed again`);
    assert.ok(!model.histories.includes(edited));
    const cached = analyze(next, CONFIG);
    assert.deepEqual(cached, fresh(files, CONFIG), `after editing ${path}`);
    assert.notDeepEqual(cached.findings, previous.findings, `editing ${path} changes what is reported`);
    previous = cached;
    model = next;
  }

  // Options and settings are part of what is cached: other protected tables, another cascade depth, a rule off.
  const configs: AnalysisConfig[] = [
    { rules: {}, protectedTables: ['orders'] },
    { rules: { 'cascade-depth': { options: { maxDepth: 1, maxTables: 1 } } }, protectedTables: ['payments'] },
    { rules: { 'fk-missing-index': { severity: 'off' }, 'duplicate-fk': { severity: 'error' } }, protectedTables: [] },
    CONFIG,
  ];
  for (const config of configs) assert.deepEqual(analyze(model, config), fresh(files, config), JSON.stringify(config));
  // One rule at a time, on the same model, as `fklens check --rule` does.
  for (const rule of RULES) assert.deepEqual(analyze(model, CONFIG, [rule]), analyze(workspaceOf(files).model(), CONFIG, [rule]), rule.id);
});
