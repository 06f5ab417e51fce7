/** Re-reading after an edit gives exactly what a full read of the new text gives. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initPostgresParser, readPostgres } from '../../server/src/sources/sql/postgres';
import { rereadPostgres } from '../../server/src/sources/sql/incremental';
import { CORPUS, corpusSkip } from '../support/corpus';
import type { SourceFile } from '../../server/src/sources/events';

const skip = corpusSkip('pagila');
const pagila = skip ? '' : readFileSync(join(CORPUS, 'pagila/files/pagila-schema.sql'), 'utf8');

const at = (text: string, needle: string) => {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `fixture holds ${needle}`);
  return i;
};
const replace = (text: string, needle: string, by: string) => text.slice(0, at(text, needle)) + by + text.slice(at(text, needle) + needle.length);

const EDITS: Record<string, (t: string) => string> = {
  'change an ON DELETE action': (t) => replace(t, 'ON UPDATE CASCADE ON DELETE RESTRICT', 'ON UPDATE CASCADE ON DELETE CASCADE'),
  'add a column': (t) => replace(t, 'CREATE TABLE public.actor (', 'CREATE TABLE public.actor (\n    nickname text NOT NULL,'),
  'delete a semicolon (two statements merge into an error)': (t) => {
    const i = at(t, 'ALTER TABLE ONLY public.actor');
    const semi = t.indexOf(';', i);
    return t.slice(0, semi) + t.slice(semi + 1);
  },
  'open a quote that runs to the end': (t) => replace(t, 'CREATE TABLE public.actor (', "CREATE TABLE public.actor ( 'oops"),
  'open a block comment': (t) => replace(t, 'CREATE TABLE public.actor (', '/* CREATE TABLE public.actor ('),
  'insert a statement with non-ASCII names': (t) => replace(t, 'CREATE TABLE public.actor (', 'CREATE TABLE "Café" (id int PRIMARY KEY, naïve int REFERENCES public.city);\nCREATE TABLE public.actor ('),
  'append a statement at the end': (t) => t + '\nCREATE TABLE extra (id int PRIMARY KEY, actor_id int REFERENCES public.actor);\n',
  'syntax error in the middle': (t) => replace(t, 'ON UPDATE CASCADE ON DELETE RESTRICT', 'ON UPDATE CASCADE ON DELETE EXPLODE'),
  'edit inside a comment': (t) => replace(t, '-- Name: actor;', '-- Name: the actor table;'),
};

const comparable = (s: SourceFile) => ({ events: s.events, statements: s.statements, problems: s.problems, count: s.statementCount });

describe('incremental re-reads of pagila (corpus)', { skip }, () => {
  for (const [name, edit] of Object.entries(EDITS)) {
    test(`incremental re-read equals a full read: ${name}`, async () => {
      await initPostgresParser();
      const before = readPostgres('pagila.sql', pagila);
      const text = edit(pagila);
      assert.notEqual(text, pagila);
      const incremental = rereadPostgres(before, pagila, 'pagila.sql', text);
      const full = readPostgres('pagila.sql', text);
      assert.deepEqual(comparable(incremental), comparable(full));
      // And a second edit on top of the incremental result (typing goes on).
      const again = text + '\nALTER TABLE public.actor ADD COLUMN z int;\n';
      assert.deepEqual(comparable(rereadPostgres(incremental, text, 'pagila.sql', again)), comparable(readPostgres('pagila.sql', again)));
    });
  }
});
