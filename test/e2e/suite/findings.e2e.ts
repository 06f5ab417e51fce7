/**
 * The editor shows what the engine finds: every finding of `fklens check` on the workspace (run as the CI
 * would, from the CLI bundle) is a diagnostic of the same file, range, severity and message, its code linking
 * to the rule's page; and the hover on the most referenced table shows what `fklens reach` computes.
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { activated, cli, codeOf, diagnosticAppears, diagnosticsOf, fklens, markdownOf, parts, peekFromHover, showHoverUi, ui, waitFor, workspaceUri, type CliFinding } from './helpers';

const SEVERITY: Record<string, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

interface ModelFk {
  table: string;
  refTable: string;
  location: { file: string; line: number; column: number };
}

describe('findings and cascade reach, as the CLI computes them', () => {
  let findings: CliFinding[];

  before(async () => {
    await activated();
    // --fail-on never: exit 0 with findings; paths relative to the workspace.
    findings = cli<{ diagnostics: CliFinding[] }>('check', '.', '--format', 'json', '--fail-on', 'never').diagnostics;
    assert.ok(findings.length > 0, 'the CLI finds something in this workspace');
  });

  it('every finding of `fklens check` is a diagnostic at the same range, with its code linking to the rule page', async () => {
    for (const f of findings) {
      const file = f.file;
      const uri = workspaceUri(file);
      const d = await diagnosticAppears(uri, (x) => codeOf(x) === f.rule && x.range.start.line === f.line - 1 && x.range.start.character === f.column - 1 && x.message === f.message, `${f.rule} at ${file}:${f.line}:${f.column}`);
      assert.deepEqual([d.range.end.line, d.range.end.character], [f.endLine - 1, f.endColumn - 1], `${f.rule} range end`);
      assert.equal(d.severity, SEVERITY[f.severity], `${f.rule} severity`);
      assert.equal(d.message, f.message);
      const code = d.code as { value: string; target: vscode.Uri };
      assert.ok(code.target, `${f.rule}: the code links to its page`);
      assert.match(code.target.toString(), new RegExp(`${f.rule}(\\.md)?$`));
      // The page shipped with the extension (the VSIX scenario checks it is packaged), opened rendered through
      // FK Lens's URI handler.
      assert.equal(code.target.scheme, vscode.env.uriScheme, code.target.toString());
      assert.equal(code.target.authority, 'fklens.fklens');
      assert.ok(existsSync(path.join(fklens().extensionPath, 'docs', 'rules', `${f.rule}.md`)), `the page of ${f.rule} is shipped`);
    }
    // Nothing more either: per file, as many diagnostics as findings.
    const perFile = new Map<string, number>();
    for (const f of findings) perFile.set(f.file, (perFile.get(f.file) ?? 0) + 1);
    for (const [file, count] of perFile) {
      await waitFor(`${count} diagnostics in ${file}`, () => diagnosticsOf(workspaceUri(file)).length === count);
    }
    if (ui.available) {
      // What a user of this project sees first: the most severe finding, its hover and the Problems panel.
      const order = ['error', 'warning', 'info'];
      const first = [...findings].sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity))[0];
      const editor = await vscode.window.showTextDocument(workspaceUri(first.file));
      const at = new vscode.Position(first.line - 1, first.column - 1);
      editor.selection = new vscode.Selection(at, at);
      editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenter);
      // The window gets the diagnostics a moment after the extension host has them: wait until the Problems
      // panel lists the finding before asking for the hover that shows it (a hover opened earlier has no marker).
      await vscode.commands.executeCommand('workbench.actions.view.problems');
      await ui.waitFor(parts.problemRow, { text: first.rule });
      await showHoverUi(editor, at, first.rule);
      await ui.screenshot('first-finding');
      await ui.call('press', { key: 'Escape' });
    }
  });

  it('the hover on a REFERENCES target names every table a DELETE of it deletes', async () => {
    const fks = cli<{ foreignKeys: ModelFk[] }>('model', '.', '--json').foreignKeys;
    const counts = new Map<string, number>();
    for (const fk of fks) counts.set(fk.refTable, (counts.get(fk.refTable) ?? 0) + 1);
    const [table] = [...counts].sort((a, b) => b[1] - a[1])[0];
    const reach = cli<{ deletes: { table: string }[]; blockedBy: unknown[] }>('reach', table, '.', '--json');
    const fk = fks.find((f) => f.refTable === table && f.table !== table)!;
    const doc = await vscode.workspace.openTextDocument(workspaceUri(fk.location.file));
    const line = doc.lineAt(fk.location.line - 1).text;
    // The FK's location is its REFERENCES clause (or the constraint): the table name follows on that line or the next.
    const from = doc.offsetAt(new vscode.Position(fk.location.line - 1, Math.max(0, fk.location.column - 1)));
    // SQL: REFERENCES [schema.]table; JS (knex, TypeORM): the table name as a string, e.g. .inTable('orgs').
    const rest = doc.getText().slice(from);
    const sql = rest.search(new RegExp(`REFERENCES\\s+("?[\\w]+"?\\.)?"?${table}\\b`, 'i'));
    const at = sql >= 0 ? sql + rest.slice(sql).search(new RegExp(`"?${table}\\b`)) : rest.search(new RegExp(`['"\`]${table}['"\`.]`));
    assert.ok(at >= 0, `the referenced table ${table} after ${fk.location.file}:${fk.location.line} (${line.trim()})`);
    const nameAt = doc.positionAt(from + at + 1);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, nameAt);
    const text = markdownOf(hovers);
    assert.match(text, new RegExp(`DELETE FROM ("?\\w+"?\\.)?"?${table}`), `hover at ${fk.location.file}:${nameAt.line + 1}:${nameAt.character + 1}`);
    assert.match(text, new RegExp(`${reach.deletes.length} tables? deleted`));
    // The hover stays short; the peek it links to names every table the DELETE deletes.
    assert.ok(text.split('\n').filter((l) => l.trim()).length <= 16, text);
    const peek = await peekFromHover(text);
    // (names with line breaks or other invisible characters are shown escaped, `\n`)
    const shown = (name: string) => name.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => ({ '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    for (const t of reach.deletes) assert.ok(peek.includes(`deletes ${shown(t.table)} via `), `the peek names ${t.table}`);
  });
});
