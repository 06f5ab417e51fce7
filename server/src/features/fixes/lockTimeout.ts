/**
 * `lock-timeout-missing` and `fk-locks-parent`: set `lock_timeout` at the start of the migration, in the tool's
 * way. SQL migrations get `SET lock_timeout = '5s';` before their first statement (above the comments that lead
 * into it, below goose's `-- +goose Up` and dbmate's `-- migrate:up`); a session-level SET covers the whole
 * file, in a transaction or not. knex / TypeORM migrations get `await knex.raw(...)` / `await
 * queryRunner.query(...)` as the first statement of an async `up` with a block body (else no fix: a query
 * builder that is not awaited never runs); node-pg-migrate ones `pgm.sql(...)` as the first call of `up` (its SQL
 * files below `-- Up Migration`). Other JS / TS migrations (Sequelize's query interface, plain runners)
 * get none: FK Lens knows no statement there that holds one session for the whole migration (Sequelize sends
 * each query on whichever pooled connection is free), and SQL text does not belong in their code.
 */
import type { HistoryModel } from '../../model/replay';
import { upBodyStart } from '../../sources/js/facts';
import { isJsSource } from '../../sources/js/read';
import type { WorkspaceModel } from '../../workspace/workspace';
import type { FixPlan } from './edit';

export const LOCK_TIMEOUT_RULES: readonly string[] = ['lock-timeout-missing', 'fk-locks-parent'];

export const LOCK_TIMEOUT_SQL = "SET lock_timeout = '5s';";

/** Comment lines that belong to the tool (they must stay above the migration's statements). */
const TOOL_ANNOTATION = /^\s*--\s*(\+goose\s+(Up|Down|NO\s+TRANSACTION|ENVSUB)|migrate:(up|down)|\+migrate\s|[\s-]*(up|down)\s+migration)/i;
/** goose's statement block marker: what follows is sent as one statement, so the SET goes above it. */
const GOOSE_BLOCK = /^\s*--\s*\+goose\s+StatementBegin/i;

export function lockTimeoutFix(model: WorkspaceModel, history: HistoryModel, file: string, textOf: (file: string) => string | undefined): FixPlan | undefined {
  const text = textOf(file);
  const source = model.sources.get(file);
  if (text === undefined || !source || history.history.tool === 'schema') return undefined;
  const title = "Set lock_timeout = '5s' at the start of this migration";
  const edit = (offset: number, newText: string): FixPlan => ({
    title,
    rule: 'lock-timeout-missing',
    preferred: true,
    edits: [{ file, span: { start: offset, end: offset }, newText }],
    creates: [],
  });
  const tool = history.history.tool;
  if (tool === 'knex' || tool === 'typeorm') {
    const up = upBodyStart(file, text);
    if (!up?.async) return undefined;
    const call = tool === 'knex' ? `${up.param}.raw` : `${up.param}.query`;
    return edit(up.offset, `\n${up.indent}await ${call}("SET lock_timeout = '5s'");`);
  }
  if (isJsSource(file)) {
    // node-pg-migrate sends its steps in call order once `up` returns: a first `pgm.sql(...)` runs first.
    const up = tool === 'node-pg-migrate' ? upBodyStart(file, text) : undefined;
    return up ? edit(up.offset, `\n${up.indent}${up.param}.sql("SET lock_timeout = '5s'");`) : undefined;
  }
  const first = source.statements[0];
  if (!first) return undefined;
  return edit(lineAbove(text, first.start), `${LOCK_TIMEOUT_SQL}\n\n`);
}

/** The start of the statement's line, moved up over the plain comment lines that lead into it. */
function lineAbove(text: string, offset: number): number {
  let start = text.lastIndexOf('\n', offset - 1) + 1;
  for (;;) {
    if (start === 0) return 0;
    const previous = text.lastIndexOf('\n', start - 2) + 1;
    const line = text.slice(previous, start - 1);
    if (GOOSE_BLOCK.test(line)) return previous;
    if (!/^\s*--/.test(line) || TOOL_ANNOTATION.test(line)) return start;
    start = previous;
  }
}
