/**
 * The Rails schema reader (sources/ruby/): Ruby's lexical rules, the options of Rails 7 / 8 that Debian's Active
 * Record 6.1 cannot load (so test/pg/rails-schema cannot run them: deferrable:, create_enum, include:,
 * nulls_not_distinct:, datetime precision of Schema[7.0+]), ranges in the .rb file, what is not read (a gap,
 * never a throw), discovery of Rails apps, and Active Support's inflections against the real Active Support.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { AlterTableEvent, CreateIndexEvent, CreateTableEvent, SourceFile } from '../../server/src/sources/events';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { tokenize } from '../../server/src/sources/ruby/lexer';
import { readRubyFile } from '../../server/src/sources/ruby/read';
import { pluralize, singularize } from '../../server/src/sources/ruby/inflector';
import { planHistories } from '../../server/src/workspace/discovery';
import { Workspace } from '../../server/src/workspace/workspace';
import { modelJson } from '../../server/src/model/json';
import { historyGaps } from '../../server/src/model/partial';
import { ignoreFixes } from '../../server/src/features/ignore';
import { check, rulesOf } from '../support/rules';

before(async () => {
  await initPostgresParser();
});

const schema = (body: string, head = 'ActiveRecord::Schema[8.1].define(version: 2026_01_01_000000) do') => `${head}\n${body}\nend\n`;
const read = (text: string, tool?: 'rails') => readRubyFile('db/schema.rb', text, 'postgres', tool);
const tables = (f: SourceFile) => f.events.filter((e): e is CreateTableEvent => e.kind === 'create_table');
const indexes = (f: SourceFile) => f.events.filter((e): e is CreateIndexEvent => e.kind === 'create_index');
const fks = (f: SourceFile) =>
  f.events
    .filter((e): e is AlterTableEvent => e.kind === 'alter_table')
    .flatMap((e) => e.commands)
    .flatMap((c) => (c.kind === 'add_constraint' && c.constraint.foreign ? [c.constraint] : []));
const textAt = (text: string, span: { start: number; end: number }) => text.slice(span.start, span.end);

describe('the Ruby lexer', () => {
  test('strings with escapes, single quotes, symbols, labels, %w[], comments, heredocs', () => {
    const text = `f "a\\"b\\n", 'c\\'d', :sym, :"q s", key: %w[x y], "k" => 1 # comment "not a string"\ng <<~SQL, 2\n    SELECT 'x'\n      FROM t\n  SQL\nh\n`;
    const tokens = tokenize(text).filter((t) => t.kind !== 'newline');
    const kinds = tokens.map((t) => `${t.kind}:${t.kind === 'words' ? t.words!.map((w) => w.text).join('|') : t.value}`);
    assert.deepEqual(kinds, [
      'ident:f', 'string:a"b\n', 'punct:,', "string:c'd", 'punct:,', 'symbol:sym', 'punct:,', 'symbol:q s', 'punct:,', 'label:key', 'words:x|y', 'punct:,',
      'string:k', 'punct:=>', 'number:1', 'ident:g', "string:SELECT 'x'\n  FROM t\n", 'punct:,', 'number:2', 'ident:h',
    ]);
    // `<<~` removes the least indentation; the value maps back into the file character for character.
    const heredoc = tokens.find((t) => t.value.includes('SELECT'))!;
    const from = heredoc.pieces!.find((p) => p.text.includes('FROM'))!;
    assert.equal(text.slice(from.start, from.end), from.text);
  });

  test('interpolation is marked, =begin / =end and __END__ end what is read', () => {
    const tokens = tokenize('a "x#{y}z"\n=begin\ncreate_table "no"\n=end\nb\n__END__\nc\n');
    assert.deepEqual(tokens.filter((t) => t.kind !== 'newline').map((t) => [t.value, !!t.interpolated]), [['a', false], ['xz', true], ['b', false]]);
  });
});

describe('the Rails schema reader', () => {
  test('Rails 7 / 8 options: deferrable foreign keys, enums, index INCLUDE and NULLS NOT DISTINCT, datetime precision', () => {
    const text = schema(`  create_enum "mood", ["happy", "sad"]
  create_table "users" do |t|
    t.enum "mood", enum_type: "mood", default: "happy"
    t.datetime "seen_at"
    t.datetime "legacy_at", precision: nil
    t.timestamptz "at", precision: 3
  end
  create_table "posts" do |t|
    t.bigint "user_id", null: false
    t.index ["user_id"], name: "posts_by_user", include: ["id"], nulls_not_distinct: true, unique: true
  end
  add_foreign_key "posts", "users", deferrable: :deferred
  add_foreign_key "posts", "users", column: "user_id", name: "posts_user_immediate", deferrable: :immediate, on_update: :cascade`);
    const f = read(text);
    assert.deepEqual(f.problems, []);
    const users = tables(f).find((t) => t.table.name === 'users')!;
    assert.deepEqual(users.columns.map((c) => [c.name, c.type]), [
      ['id', 'bigint'], ['mood', 'mood'], ['seen_at', 'timestamp(6) without time zone'], ['legacy_at', 'timestamp without time zone'], ['at', 'timestamp(3) with time zone'],
    ]);
    const index = indexes(f).find((i) => i.name === 'posts_by_user')!;
    assert.deepEqual([index.include, index.nullsNotDistinct, index.unique], [['id'], true, true]);
    const [deferred, immediate] = fks(f);
    assert.equal(deferred.name, 'fk_rails_5b5ddfd518');
    assert.deepEqual([deferred.columns, deferred.deferrable, deferred.initiallyDeferred], [['user_id'], true, true]);
    assert.deepEqual([immediate.name, immediate.deferrable, immediate.initiallyDeferred, immediate.foreign!.onUpdate], ['posts_user_immediate', true, false, 'CASCADE']);
  });

  test('a schema written by Rails 6.1 (`Schema.define`) has datetimes without precision', () => {
    const f = read(schema('  create_table "a" do |t|\n    t.datetime "at"\n  end', 'ActiveRecord::Schema.define(version: 2020_01_01_000000) do'));
    assert.equal(tables(f)[0].columns[1].type, 'timestamp without time zone');
  });

  test('ranges point into the .rb file: the table, the column, the parent, the heredoc SQL', () => {
    const text = schema(`  create_table "people" do |t|
    t.string "name"
  end
  create_table "posts" do |t|
    t.bigint "person_id"
  end
  add_foreign_key "posts", "people", on_delete: :nullify
  execute <<~SQL
    ALTER TABLE posts ADD CONSTRAINT posts_person_again FOREIGN KEY (person_id) REFERENCES people (id);
  SQL`);
    const f = read(text);
    assert.deepEqual(f.problems, []);
    const people = tables(f)[0];
    assert.equal(textAt(text, people.table.span), '"people"');
    assert.equal(textAt(text, people.columns[1].nameSpan), '"name"');
    const [viaRuby, viaSql] = fks(f);
    assert.equal(textAt(text, viaRuby.foreign!.refTable.span), '"people"');
    assert.equal(textAt(text, viaRuby.foreign!.onDeleteSpan!), 'on_delete: :nullify');
    assert.deepEqual([viaRuby.columns, viaRuby.foreign!.onDelete], [['person_id'], 'SET NULL']);
    assert.equal(textAt(text, viaSql.nameSpan!), 'posts_person_again');
    assert.equal(textAt(text, viaSql.foreign!.refTable.span), 'people');
  });

  test('what it cannot read is an unsupported problem on that statement; the rest still counts; nothing throws', () => {
    const text = schema(`  create_table "a" do |t|
    t.string "x"
    t.weird_thing "y"
    t.string "z#{1}"
  end
  create_view "v", sql_definition: "SELECT 1"
  if ENV["X"]
    create_table "b"
  end
  add_foreign_key "a", "b", on_delete: :explode
  execute "CREATE TABLE #{name} (id int)"
  create_table "c" do |t|
    t.string "ok"
  end`);
    const f = read(text);
    assert.deepEqual(tables(f).map((t) => [t.table.name, t.columns.map((c) => c.name)]), [['a', ['id', 'x']], ['c', ['id', 'ok']]]);
    assert.ok(f.problems.length >= 6, JSON.stringify(f.problems));
    assert.ok(f.problems.every((p) => p.code === 'unsupported' && p.severity === 'info'));
    assert.ok(f.problems.some((p) => /create_view.*scenic/.test(p.message)));
    assert.ok(f.problems.some((p) => /t\.weird_thing/.test(p.message)));
    // Garbage of every kind: a problem, never an exception.
    for (const bad of ['', 'end end end', 'ActiveRecord::Schema.define(', '"unterminated', '<<~SQL\nno end', '['.repeat(50_000), 'x = {'.repeat(1000), '\u0000\uffff', schema('  create_table "a", id: do |t|\n  end')]) {
      const out = read(bad);
      assert.ok(out.problems.length > 0, JSON.stringify(bad.slice(0, 40)));
    }
  });

  test('a schema dumped from MySQL is left out (a gap), not read as PostgreSQL (InnoDB indexes every FK by itself)', () => {
    const f = read(schema(`  create_table "users", charset: "utf8mb4", collation: "utf8mb4_0900_ai_ci", force: :cascade do |t|
  end
  create_table "posts", charset: "utf8mb4", force: :cascade do |t|
    t.bigint "user_id"
  end
  add_foreign_key "posts", "users"`));
    assert.deepEqual([f.events.length, f.problems.map((p) => p.code)], [0, ['unsupported']]);
    assert.match(f.problems[0].message, /dumped from MySQL/);
  });

  test('a multi-database schema file and default names: index_<table>_on_<cols>, fk_rails_<hash>, the parent singular', () => {
    const text = schema(`  create_table "categories" do |t|
  end
  create_table "statuses" do |t|
  end
  create_table "entries" do |t|
    t.bigint "category_id"
    t.bigint "status_id"
    t.index ["category_id", "status_id"]
  end
  add_foreign_key "entries", "categories"
  add_foreign_key "entries", "statuses"`);
    const f = readRubyFile('db/animals_schema.rb', text);
    assert.deepEqual(f.problems, []);
    assert.equal(indexes(f)[0].name, 'index_entries_on_category_id_and_status_id');
    assert.deepEqual(fks(f).map((c) => c.columns[0]), ['category_id', 'status_id']);
  });
});

describe('Active Support inflections', () => {
  const words = ['users', 'people', 'categories', 'statuses', 'addresses', 'boxes', 'mice', 'octopi', 'analyses', 'movies', 'series', 'news', 'wives', 'halves', 'oxen', 'quizzes', 'matrices', 'indices', 'databases', 'aliases', 'buses', 'women', 'children', 'sexes', 'moves', 'zombies', 'equipment', 'user_information', 'api_keys', 'good_jobs', 'webauthn_credentials', 'ip_addresses', 'geoip_infos', 'policies', 'bus', 'status', 'crises', 'shoes', 'tomatoes', 'hives', 'salespeople', 'humans', 'data', 'media'];

  test('singular and plural of table names, as the real Active Support says', { skip: spawnSync('ruby', ['-e', 'require "active_support/inflector"'], { stdio: 'ignore' }).status === 0 ? false : 'Active Support is not installed (apt-get install -y ruby-activerecord)' }, () => {
    const script = 'require "active_support/inflector"; require "json"; w = JSON.parse(STDIN.read); puts JSON.generate(w.map { |x| [x.singularize, x.singularize.pluralize] })';
    const r = spawnSync('ruby', ['-e', script], { input: JSON.stringify(words), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const theirs = JSON.parse(r.stdout) as [string, string][];
    assert.deepEqual(words.map((w) => [singularize(w), pluralize(singularize(w))]), theirs);
  });
});

describe('Rails apps in discovery and the model', () => {
  test('db/schema.rb is the history; migrations beside it are not read; a second database; migrations alone are a gap', () => {
    const paths = ['app/db/schema.rb', 'app/db/migrate/20240101000000_create_users.rb', 'app/db/migrate/20230101000000_init.rb', 'app/db/queue_schema.rb', 'other/db/migrate/2_b.rb', 'other/db/migrate/10_c.rb', 'app/config/application.rb'];
    const histories = planHistories(paths).map((h) => [h.id, h.tool, h.files]);
    assert.deepEqual(histories, [
      ['app/db', 'rails', ['app/db/schema.rb']],
      ['app/db#queue', 'rails-schema', ['app/db/queue_schema.rb']],
      ['other/db#migrate', 'rails-migrations', ['other/db/migrate/2_b.rb']],
    ]);
  });

  test('with migrations beside it: one not-read note, no gap; alone: unsupported, the history is partial', () => {
    const rb = schema('  create_table "users" do |t|\n  end');
    const withMigrations = check({ 'db/schema.rb': rb, 'db/migrate/20240101000000_create_users.rb': 'class CreateUsers < ActiveRecord::Migration[8.1]\nend\n' });
    assert.deepEqual(rulesOf(withMigrations).filter((r) => r === 'not-read' || r === 'unsupported'), ['not-read']);
    const ws = new Workspace({});
    ws.setFile('db/schema.rb', rb);
    ws.setFile('db/migrate/20240101000000_create_users.rb', '');
    assert.deepEqual(modelJson(ws.model()).partial, []);
    assert.deepEqual(modelJson(ws.model()).tables.map((t) => t.name), ['users']);

    const alone = new Workspace({});
    alone.setFile('db/migrate/20240101000000_create_users.rb', 'class CreateUsers < ActiveRecord::Migration[8.1]\nend\n');
    alone.setFile('db/migrate/20240102000000_more.rb', '');
    const [history] = alone.model().histories;
    assert.deepEqual(historyGaps(history).map((g) => g.code), ['unsupported']);
  });
});

describe('suppressions in a Rails schema', () => {
  test('`# fklens-ignore` covers the next line; the Ignore actions write `#` comments', () => {
    const rb = (comment: string) =>
      schema(`  create_table "users" do |t|
  end
  create_table "posts" do |t|
    t.bigint "user_id"
  end
${comment}  add_foreign_key "posts", "users"`);
    const missing = (text: string) => check({ 'db/schema.rb': text }).filter((f) => f.rule === 'fk-missing-index');
    assert.equal(missing(rb('')).length, 1);
    assert.equal(missing(rb('  # fklens-ignore fk-missing-index small table\n')).length, 0);
    const text = rb('');
    const ws = new Workspace({});
    ws.setFile('db/schema.rb', text);
    const finding = missing(text)[0];
    const [line, file] = ignoreFixes(ws.model(), 'db/schema.rb', text, 'fk-missing-index', finding.span.start);
    assert.equal(line.edits[0].newText, '  # fklens-ignore fk-missing-index\n');
    assert.equal(file.edits[0].newText, '# fklens-ignore-file fk-missing-index\n');
  });
});
