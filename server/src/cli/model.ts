/** `fklens model [DIR]`: the foreign-key model of a project, as text or JSON. */
import { join } from 'node:path';
import { modelJson, partialSummary, type LocationJson, type ModelJson } from '../model/json';
import type { WorkspaceModel } from '../workspace/workspace';
import { defineCommand } from './command';
import { openSingleProject, type Project, PROJECT_OPTIONS } from './project';
import { displayPath, escapeTerminal, quotePath } from './terminal';

/** The model's JSON with every location's file relative to the current directory (as all commands print paths). */
export function projectModelJson(project: Project, cwd = process.cwd()): ModelJson {
  const json = modelJson(project.workspace.model());
  const relocate = (l: LocationJson) => {
    l.file = displayPath(join(project.root, ...l.file.split('/')), cwd);
  };
  for (const fk of json.foreignKeys) relocate(fk.location);
  for (const t of json.tables) relocate(t.location);
  for (const p of json.partial) for (const r of p.reasons) relocate(r);
  return json;
}

function modelText(project: Project, model: WorkspaceModel, json: ModelJson, cwd: string): string[] {
  const lines: string[] = [];
  for (const h of model.histories) {
    const where = quotePath(displayPath(join(project.root, ...(h.history.id ? h.history.id.replace(/#.*$/, '').split('/') : [])), cwd));
    lines.push(`${where}${h.history.id.includes('#') ? ` (${escapeTerminal(h.history.id.slice(h.history.id.indexOf('#')))})` : ''}: ${h.history.tool}, ${h.steps.length} file(s), ${h.tables.length} tables, ${h.foreignKeys.length} foreign keys`);
  }
  for (const fk of json.foreignKeys) {
    const flags = [
      fk.indexed ? '' : 'no index',
      fk.validated ? '' : 'NOT VALID',
      fk.deferrable ? (fk.initiallyDeferred ? 'DEFERRABLE INITIALLY DEFERRED' : 'DEFERRABLE') : '',
    ].filter(Boolean);
    lines.push(
      `${quotePath(fk.location.file)}:${fk.location.line}:${fk.location.column}  ` +
        escapeTerminal(
          `${fk.schema}.${fk.table}(${fk.columns.join(', ')}) -> ${fk.refSchema}.${fk.refTable}(${fk.refColumns.join(', ')})  ON DELETE ${fk.onDelete}  ON UPDATE ${fk.onUpdate}`,
        ) +
        (flags.length ? `  [${flags.join(', ')}]` : ''),
    );
  }
  const unindexed = json.foreignKeys.filter((f) => !f.indexed).length;
  lines.push(`${json.foreignKeys.length} foreign keys in ${json.tables.length} tables; ${unindexed} without a usable index.`);
  for (const line of partialSummary(json.partial)) lines.push(escapeTerminal(line));
  return lines;
}

export const modelCommand = defineCommand({
  name: 'model',
  summary: 'print the foreign-key model of the schema and migration files under DIR',
  usage: 'model [DIR] [options]',
  description: `Prints the model FK Lens builds from the schema and migration files under DIR (default: .): one
line per history (database), one per foreign key with its actions and flags, and a count. --json prints
{"foreignKeys": [...], "tables": [...]} with every declaration's file, line and column.`,
  arguments: [['DIR', 'the project folder (default .)']],
  positionals: { min: 0, max: 1 },
  options: { json: { type: 'boolean', help: 'machine-readable output' }, ...PROJECT_OPTIONS },
  examples: [
    ['fklens model', 'the model of the current directory'],
    ['fklens model db --json | jq \'.foreignKeys[] | select(.indexed | not)\'', 'the FKs without a usable index'],
  ],
  exitCodes: [
    [0, 'printed'],
    [2, 'usage error, missing DIR, no schema or migration files under DIR, missing or invalid --config'],
    [3, 'internal error'],
  ],
  async run(args, io) {
    const cwd = process.cwd();
    const project = await openSingleProject(args.positionals, args.values, (text) => io.err(text), cwd);
    const json = projectModelJson(project, cwd);
    if (args.values.json) io.out(JSON.stringify(json, null, 2) + '\n');
    else io.out(modelText(project, project.workspace.model(), json, cwd).join('\n') + '\n');
    return 0;
  },
});
