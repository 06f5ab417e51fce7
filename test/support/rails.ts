/**
 * The real Active Record (Debian's ruby-activerecord + ruby-pg) loading a `db/schema.rb` into the throw-away
 * PostgreSQL (./postgres.ts) over its unix socket, as `bin/rails db:schema:load` does. Active Record 6.1 is
 * what Debian ships; a Rails 7/8 schema is bridged where 6.1 lacks the DSL (the versioned `Schema[8.1]` class,
 * a schema-qualified `enable_extension`, and index `include:` / `nulls_not_distinct:` dropped: they change no key
 * column), as the corpus's truth was made. Nothing else is changed: the SQL is Active Record's own.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PgServer } from './postgres';

/** node:test's `skip` for a suite that needs Active Record: false when ruby, activerecord and pg load. */
export function railsSkip(): false | string {
  const r = spawnSync('ruby', ['-e', 'require "active_record"; require "pg"; print ActiveRecord.version'], { encoding: 'utf8' });
  return r.status === 0 ? false : 'Active Record is not installed (apt-get install -y ruby-activerecord ruby-pg)';
}

const LOADER = `
require "active_record"
socket, database, path = ARGV
ActiveRecord::Migration.verbose = false
ActiveRecord::Base.establish_connection(adapter: "postgresql", host: socket, database: database, username: "postgres")
require "active_record/connection_adapters/postgresql_adapter"
# Rails 7.0+ writes ActiveRecord::Schema[x.y]: the schema class of that version; 6.1 knows no version past its own.
ActiveRecord::Schema.define_singleton_method(:[]) { |_version| self }
# Rails 7.1+ enables "schema.extension" in that schema.
module FklensQualifiedExtension
  def enable_extension(name, **)
    schema, extension = name.to_s.include?(".") ? name.to_s.split(".", 2) : [nil, name.to_s]
    return super(extension) unless schema
    execute("CREATE EXTENSION IF NOT EXISTS #{quote_column_name(extension)} SCHEMA #{quote_column_name(schema)}")
  end
end
ActiveRecord::ConnectionAdapters::PostgreSQLAdapter.prepend(FklensQualifiedExtension)
# Rails 7.1+ index options 6.1 rejects: INCLUDE columns and NULLS NOT DISTINCT change no key column, so they are
# dropped (the test compares key columns only).
module FklensNewIndexOptions
  def add_index(table_name, column_name, **options)
    super(table_name, column_name, **options.except(:include, :nulls_not_distinct))
  end
end
ActiveRecord::ConnectionAdapters::PostgreSQLAdapter.prepend(FklensNewIndexOptions)
load path
`;

/** Loads `schemaPath` into `database` with Active Record; rejects with Ruby's message on failure. */
export async function loadSchemaRb(pg: PgServer, database: string, schemaPath: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fklens-rails-'));
  const script = join(dir, 'load.rb');
  writeFileSync(script, LOADER);
  await new Promise<void>((resolve, reject) => {
    const child = spawn('ruby', [script, pg.socketDir, database, schemaPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`Active Record could not load ${schemaPath} (exit ${code}):\n${err.slice(0, 4000)}`));
    });
  });
}
