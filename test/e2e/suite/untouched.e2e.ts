/**
 * FK Lens never runs workspace code: the side-effect fixture's migration writes WRITTEN_BY_MIGRATION.txt when it is
 * loaded or run. In a real VS Code, with the extension active and its findings on that migration shown, the file
 * never appears.
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import { activated, codeOf, diagnosticAppears, e2eContext, sleep, workspaceUri } from './helpers';

describe('workspace code is read, never run', () => {
  it('the migration that would write a file gets its diagnostic, and the file never appears', async () => {
    const marker = path.join(e2eContext().workspace, 'WRITTEN_BY_MIGRATION.txt');
    assert.equal(existsSync(marker), false);
    await activated();
    const uri = workspaceUri('migrations/20240101000000_writes_a_file.js');
    await vscode.window.showTextDocument(uri);
    const d = await diagnosticAppears(uri, (x) => codeOf(x) === 'fk-missing-index', 'fk-missing-index on notes(victim_id)');
    // The range is in the JS: the .references('id') chain that declared the FK.
    assert.match((await vscode.workspace.openTextDocument(uri)).lineAt(d.range.start.line).text, /victim_id/);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, d.range.start);
    assert.ok(hovers.length > 0, 'a hover on the FK in the JS migration');
    await sleep(2000);
    assert.equal(existsSync(marker), false, 'WRITTEN_BY_MIGRATION.txt exists: workspace code was executed');
  });
});
