/**
 * The ERD on a real project of 86 tables (trigger.dev's Prisma history), as a user meets it in VS Code: "Show
 * ERD" with the cursor on a Prisma model opens beside the editor, focused on that table, with table names
 * readable on screen; the whole graph is one click away; a table's DELETE blast radius stands out and fits the
 * view; a double-click on a table opens its definition in the editor that already shows the file. Saves a
 * screenshot per view (`<scenario>-erd-focused`, `-erd-whole`, `-erd-blast`); the focused one is the README's.
 *
 * Expected tables and reach come from the CLI on the same workspace.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import { activated, cli, parts, sleep, ui, waitFor, workspaceUri, type UiRect } from './helpers';

const SCHEMA = 'internal-packages/database/prisma/schema.prisma';
const frames = parts.webviewFrames;
const inside = (r: UiRect, c: UiRect) => r.x >= c.x - 1 && r.y >= c.y - 1 && r.x + r.width <= c.x + c.width + 1 && r.y + r.height <= c.y + c.height + 1;

interface ReachJson {
  deletes: { table: string }[];
  setsNull: { table: string }[];
  blockedBy: { table: string }[];
}

/** The ERD's panel: its editor group and the groups of every tab showing `uri`. */
function tabsOf(uri: vscode.Uri): vscode.ViewColumn[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs.filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString()).map(() => g.viewColumn));
}

function erdColumn(): vscode.ViewColumn | undefined {
  return vscode.window.tabGroups.all.find((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputWebview && t.label === 'FK Lens ERD'))?.viewColumn;
}

describe('the ERD on a real project (86 tables)', function () {
  this.timeout(180_000);

  it('"Show ERD" with the cursor on a Prisma model opens beside the editor, focused on that table, names readable', async () => {
    await activated();
    const doc = await vscode.workspace.openTextDocument(workspaceUri(SCHEMA));
    const editor = await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    const at = doc.positionAt(doc.getText().indexOf('model TaskRun {') + 'model Task'.length);
    editor.selection = new vscode.Selection(at, at);
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    // The workspace must be indexed before the server can say which table the cursor is on: its findings are out.
    await waitFor('the first diagnostics', () => vscode.languages.getDiagnostics().some(([, ds]) => ds.some((d) => d.source === 'fklens')), 60_000);
    await vscode.commands.executeCommand('fklens.showErd');
    await waitFor('the ERD beside the editor', () => erdColumn() === vscode.ViewColumn.Two);
    assert.deepEqual(tabsOf(doc.uri), [vscode.ViewColumn.One], 'the schema stays where it was');
    if (!ui.available) return;
    await ui.waitFor('g.erd-table.selected .erd-title', { frames, text: 'TaskRun', timeout: 60_000 });
    const status = (await ui.texts('.status', frames)).join('');
    assert.match(status, /of 86 tables.*focus: TaskRun ±1/, status);
    const title = (await ui.rects('g.erd-table.selected .erd-title', frames))[0];
    const header = (await ui.rects('g.erd-table.selected .erd-header', frames))[0];
    const canvas = (await ui.rects('.canvas', frames))[0];
    assert.ok(title.fontPx >= 10, `TaskRun's name drawn at ${title.fontPx.toFixed(1)} px`);
    assert.ok(inside(header, canvas), 'TaskRun\'s header is in view');
    const neighbours = await ui.rects('g.erd-table:not(.selected) .erd-title', frames);
    assert.ok(neighbours.length >= 3 && neighbours.every((r) => r.fontPx >= 10), 'its neighbours drawn at the same zoom');
    assert.ok(canvas.width < 800, `a half-width panel (${canvas.width} px)`);
    await sleep(300);
    await ui.screenshot('erd-focused');
  });

  it('the whole graph is one click away', async () => {
    if (!ui.available) return;
    const tables = cli<{ tables: unknown[] }>('model', '.', '--json').tables.length;
    await ui.call('click', { selector: 'button:text-is("Show all")', frames });
    await ui.waitFor('.status', { frames, text: `${tables} of ${tables} tables` });
    assert.equal((await ui.texts('g.erd-table .erd-title', frames)).length, tables);
    // Without the selection the opening made, nothing is dimmed.
    await ui.call('click', { selector: 'section.details button.details-close', frames });
    await ui.waitFor('section.details .details-name', { frames, gone: true });
    await sleep(300);
    await ui.screenshot('erd-whole');
  });

  it('a table\'s blast radius: the reach of `fklens reach`, the rest dimmed, fitted to the view', async () => {
    if (!ui.available) return;
    const reach = cli<ReachJson>('reach', 'Organization', '.', '--json');
    const unique = (l: { table: string }[]) => new Set(l.map((x) => x.table)).size;
    await ui.call('click', { selector: 'g.erd-table .erd-title:text-is("Organization")', frames });
    await ui.waitFor('section.details .details-summary', { frames, text: `DELETE FROM Organization deletes rows of ${unique(reach.deletes)} tables` });
    assert.equal((await ui.texts('g.erd-table.blast-deleted .erd-title', frames)).length, unique(reach.deletes));
    await ui.call('click', { selector: 'section.details button:text-is("Fit radius")', frames });
    await sleep(300);
    const canvas = (await ui.rects('.canvas', frames))[0];
    const lit = await ui.rects('g.erd-table.blast-deleted .erd-frame', frames);
    assert.ok(lit.every((r) => inside(r, canvas)), 'every deleted table in view');
    await ui.screenshot('erd-blast');
  });

  it('double-click on a table opens its definition in the editor that already shows the file', async () => {
    if (!ui.available) return;
    // Where Organization is created: the first migration that mentions CREATE TABLE "Organization".
    const files = await vscode.workspace.findFiles('internal-packages/database/prisma/migrations/*/migration.sql');
    let created: vscode.Uri | undefined;
    for (const f of files.sort((a, b) => a.fsPath.localeCompare(b.fsPath))) {
      if ((await vscode.workspace.openTextDocument(f)).getText().includes('CREATE TABLE "Organization"')) {
        created = f;
        break;
      }
    }
    assert.ok(created, 'the migration that creates Organization');
    await vscode.window.showTextDocument(created, { viewColumn: vscode.ViewColumn.One, preserveFocus: true });
    assert.deepEqual(tabsOf(created), [vscode.ViewColumn.One]);
    await ui.call('dblclick', { selector: 'g.erd-table .erd-title:text-is("Organization")', frames });
    const editor = await waitFor('the definition to open', () => {
      const e = vscode.window.activeTextEditor;
      return e && e.document.uri.toString() === created!.toString() && e.document.lineAt(e.selection.active.line).text.includes('CREATE TABLE "Organization"') && e;
    });
    assert.equal(editor.viewColumn, vscode.ViewColumn.One, 'in the editor that showed it');
    assert.deepEqual(tabsOf(created), [vscode.ViewColumn.One], `one editor for ${path.basename(path.dirname(created.fsPath))}/migration.sql`);
  });
});
