/**
 * FK Lens on a real project of 80+ tables (issue 17): the hover on the most referenced table is short, with its
 * summary and links first, and the whole tree one click away (peek).
 */
import * as assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { activated, cli, markdownOf, parts, sleep, ui, workspaceUri } from './helpers';

interface ModelJson {
  tables: { schema: string; name: string; location: { file: string; line: number; column: number } }[];
  foreignKeys: { table: string; refTable: string }[];
}

describe('hovers at real-project scale', () => {
  let model: ModelJson;
  let table: ModelJson['tables'][number];

  before(async () => {
    await activated();
    model = cli<ModelJson>('model', '.', '--json');
    assert.ok(model.tables.length >= 80, `a project of at least 80 tables (${model.tables.length})`);
    const counts = new Map<string, number>();
    for (const fk of model.foreignKeys) counts.set(fk.refTable, (counts.get(fk.refTable) ?? 0) + 1);
    const [name] = [...counts].sort((a, b) => b[1] - a[1])[0];
    table = model.tables.find((t) => t.name === name)!;
  });

  it('the hover on the most referenced table is short, summary and links first', async () => {
    const uri = workspaceUri(table.location.file);
    const editor = await vscode.window.showTextDocument(uri);
    const at = new vscode.Position(table.location.line - 1, table.location.column);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, at);
    const text = markdownOf(hovers);
    assert.match(text, new RegExp(`DELETE FROM "?${table.name}`));
    if (ui.available) {
      editor.selection = new vscode.Selection(at, at);
      editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.AtTop);
      await vscode.commands.executeCommand('workbench.action.closePanel');
      await vscode.commands.executeCommand('editor.action.showHover');
      await ui.waitFor(parts.hover, { text: 'DELETE FROM' });
      await sleep(300);
      await ui.screenshot('hover');
      await ui.call('press', { key: 'Escape' });
    }
  });
});
