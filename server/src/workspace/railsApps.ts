/**
 * Which Ruby files of a Rails app form a history. Pure: paths in, histories out.
 *
 * - `db/schema.rb` is the database: `bin/rails db:schema:load` loads it, and Rails rewrites it after every
 *   migration. A multi-database app has `db/<name>_schema.rb` beside it, one database each.
 * - The Ruby migrations (`db/migrate/*.rb`, `db/<name>_migrate/*.rb`) are not read: with the schema file beside
 *   them they are not part of any history (the schema is their result; its reader says so once, `not-read`);
 *   without it they form a history of their own whose oldest file stands for all of them, with one gap
 *   (`unsupported`: the history is partial).
 * - The database is PostgreSQL unless a setting (`fklens.dialects`) or a folder name says otherwise:
 *   `config/database.yml` is not read.
 */
import type { History } from './discovery';
import { isRailsMigrationPath, isRailsSchemaPath } from '../sources/ruby/read';

export { isRubySource } from '../sources/ruby/read';

/** The files of a Rails app FK Lens looks at, as globs (the editor's file watchers; see isRubySource). */
export const RAILS_GLOBS = ['**/db/schema.rb', '**/db/*_schema.rb', '**/db/migrate/*.rb', '**/db/*_migrate/*.rb'];

/** The `db` folder of a path and the database the file is for (`primary`, or the `<name>` of `<name>_schema.rb`). */
function place(path: string): { db: string; database: string } {
  const m = /^(?:(.*)\/)?db\/(?:([A-Za-z0-9_]+)_)?(?:schema\.rb$|migrate\/)/.exec(path)!;
  const db = m[1] === undefined ? 'db' : `${m[1]}/db`;
  return { db, database: m[2] ?? 'primary' };
}

const versionOf = (path: string) => /\/(\d+)_[^/]*$/.exec(path)?.[1] ?? '';
const byVersion = (a: string, b: string) => {
  const x = versionOf(a).replace(/^0+(?=\d)/, '');
  const y = versionOf(b).replace(/^0+(?=\d)/, '');
  return x.length - y.length || (x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0);
};

export function planRailsHistories(paths: string[]): History[] {
  const schemas = new Map<string, string>();
  const migrations = new Map<string, string[]>();
  for (const path of paths) {
    const { db, database } = place(path);
    const key = `${db}\0${database}`;
    if (isRailsSchemaPath(path)) schemas.set(key, path);
    else if (isRailsMigrationPath(path)) migrations.set(key, [...(migrations.get(key) ?? []), path]);
  }
  const histories: History[] = [];
  const idOf = (key: string, suffix = '') => {
    const [db, database] = key.split('\0');
    return database === 'primary' ? `${db}${suffix}` : `${db}#${database}${suffix}`;
  };
  // With migrations beside it, the schema file's reader says once that they are not read (`not-read`, no gap).
  for (const [key, schema] of schemas) histories.push({ id: idOf(key), tool: migrations.has(key) ? 'rails' : 'rails-schema', files: [schema] });
  for (const [key, files] of migrations) {
    if (schemas.has(key)) continue;
    // None is read: the oldest stands for them all, with one `unsupported` problem (the history is partial).
    histories.push({ id: idOf(key, '#migrate'), tool: 'rails-migrations', files: files.sort(byVersion).slice(0, 1) });
  }
  return histories;
}
