/**
 * Applies a workspace's migration history to a real PostgreSQL the way its tool would: the files in the
 * tool's order (discovery decides), each inside a transaction when the tool runs it in one, outside when the
 * file carries the tool's no-transaction marker (goose `NO TRANSACTION`, dbmate `transaction:false`, diesel
 * `metadata.toml`, Flyway `.conf`), and golang-migrate's one multi-statement query as an implicit transaction
 * when it holds more than one statement.
 */
import { planHistories, type History } from '../../server/src/workspace/discovery';
import { upSection } from '../../server/src/sources/migrationFile';
import { splitStatements } from '../../server/src/sources/sql/lexer';
import type { PgServer } from './postgres';

export function inTransaction(history: History, file: string, texts: Map<string, string>): boolean {
  const text = texts.get(file) ?? '';
  const dir = file.slice(0, file.lastIndexOf('/'));
  switch (history.tool) {
    case 'goose':
      return !/^\s*--\s*\+goose\s+NO\s+TRANSACTION/im.test(text);
    case 'dbmate':
      return !/^\s*--\s*migrate:up\b.*transaction:false/im.test(text);
    case 'diesel':
      return !/run_in_transaction\s*=\s*false/.test(texts.get(`${dir}/metadata.toml`) ?? '');
    case 'flyway':
      return !/executeInTransaction\s*=\s*false/.test(texts.get(`${file}.conf`) ?? '');
    case 'prisma':
    case 'popx':
      return true;
    default:
      // One query with several statements runs as one implicit transaction.
      return splitStatements(text).length > 1;
  }
}

/** Runs every history of `texts` into `db`, in order; rejects with PostgreSQL's message on the first failure. */
export async function applyHistories(pg: PgServer, db: string, texts: Map<string, string>): Promise<History[]> {
  const histories = planHistories([...texts.keys()], {}, (p) => texts.get(p));
  for (const history of histories) {
    for (const file of history.files) {
      const sql = upSection(texts.get(file)!, history.tool);
      try {
        await pg.exec(db, sql, { singleTransaction: inTransaction(history, file, texts) });
      } catch (err) {
        throw new Error(`${file}: ${(err as Error).message}`);
      }
    }
  }
  return histories;
}
