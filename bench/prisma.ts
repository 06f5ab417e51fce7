/**
 * Benchmark of the Prisma reader (prints figures; not a test): parse, resolve and replay each corpus
 * schema.prisma alone, then a one-line edit of the largest one, and a whole corpus Prisma project (schema +
 * migrations + drift and rules).
 *   npm run compile-tests && node out/bench/prisma.js
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { prismaFindings } from '../server/src/analysis/prisma';
import { parsePrisma } from '../server/src/sources/prisma/parser';
import { openWorkspace } from '../server/src/workspace/open';
import { Workspace } from '../server/src/workspace/workspace';
import { CORPUS } from '../test/support/corpus';

const SCHEMAS: [string, string][] = [
  ['hoppscotch-prisma', 'packages/hoppscotch-backend/prisma/schema.prisma'],
  ['langfuse-prisma', 'packages/shared/prisma/schema.prisma'],
  ['triggerdev-prisma', 'internal-packages/database/prisma/schema.prisma'],
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function main(): Promise<void> {
  for (const [id, path] of SCHEMAS) {
    const text = readFileSync(join(CORPUS, id, 'files', path), 'utf8');
    const parse: number[] = [];
    const model: number[] = [];
    let fks = 0;
    for (let i = 0; i < 15; i++) {
      let t = performance.now();
      parsePrisma('schema.prisma', text);
      parse.push(performance.now() - t);
      t = performance.now();
      const ws = new Workspace();
      ws.setFile('schema.prisma', text);
      fks = ws.model().histories[0].foreignKeys.length;
      model.push(performance.now() - t);
    }
    console.log(`${id}: ${(text.length / 1024).toFixed(0)} KB, ${fks} FKs; parse ${ms(median(parse))}, parse + resolve + replay ${ms(median(model))} (median of 15)`);
  }

  const [id, path] = SCHEMAS[2];
  const text = readFileSync(join(CORPUS, id, 'files', path), 'utf8');
  const ws = new Workspace();
  ws.setFile('schema.prisma', text);
  ws.model();
  const at = text.indexOf('onDelete: Cascade');
  const edits: number[] = [];
  for (let i = 0; i < 20; i++) {
    const edited = i % 2 === 0 ? text.slice(0, at) + 'onDelete: Restrict' + text.slice(at + 'onDelete: Cascade'.length) : text;
    const t = performance.now();
    ws.setFile('schema.prisma', edited);
    prismaFindings(ws.model());
    edits.push(performance.now() - t);
  }
  console.log(`${id}: one edit of schema.prisma (re-read, resolve, replay, Prisma rules) ${ms(median(edits))} (median of 20)`);

  const t0 = performance.now();
  const project = await openWorkspace(join(CORPUS, id, 'files'));
  const findings = prismaFindings(project.model());
  console.log(`${id} project (schema + ${project.filePaths().length - 1} migrations): cold model + drift + rules ${ms(performance.now() - t0)}, ${findings.length} findings`);
}

void main();
