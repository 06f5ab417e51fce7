/**
 * A partial history in a real VS Code (the `partial` scenario: a golang-migrate history that alters `users`,
 * which no file creates, then references it): the status bar says 1 partial history, a click lists what was
 * skipped and opens it, the output channel lists it, the finding that rests on it is an information, not an
 * error; once the history creates `users`, the item says every history is read completely.
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { activated, codeOf, diagnosticAppears, ui, waitFor, workspaceUri } from './helpers';

const USERS = 'db/migrations/000001_users.up.sql';
const ORDERS = 'db/migrations/000002_orders.up.sql';
const ITEM = '.statusbar-item';

describe('status', () => {
  before(async () => {
    await activated();
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('the finding that rests on the skipped statement is an information that says why', async () => {
    const d = await diagnosticAppears(workspaceUri(ORDERS), (x) => codeOf(x) === 'fk-target-missing', 'fk-target-missing');
    assert.equal(d.severity, vscode.DiagnosticSeverity.Information);
    assert.match(d.message, /This history is partial: FK Lens skipped a statement on a table no file it read creates/);
    const errors = vscode.languages.getDiagnostics().flatMap(([, list]) => list).filter((x) => x.severity === vscode.DiagnosticSeverity.Error);
    assert.deepEqual(errors.map((x) => x.message), []);
  });

  it('the status bar says one history is partial; a click lists what was skipped and opens it', async function () {
    if (!ui.available) this.skip();
    const [text] = await ui.waitFor(ITEM, { text: '1 partial' });
    assert.match(text, /FK Lens: 1 partial/);
    await ui.screenshot('status-partial', { selector: '.part.statusbar' });
    await ui.call('click', { selector: `${ITEM}:has-text("1 partial")` });
    const [pick] = await ui.waitFor('.quick-input-widget', { text: 'unknown-table' });
    assert.match(pick, /db\/migrations: unknown-table/);
    assert.match(pick, /000001_users\.up\.sql:1/);
    await ui.screenshot('status-details', { selector: '.quick-input-widget' });
    await ui.call('press', { key: 'Enter' });
    const editor = await waitFor('the skipped statement to open', () => vscode.window.activeTextEditor?.document.uri.path.endsWith(USERS) && vscode.window.activeTextEditor);
    assert.equal(editor.selection.start.line, 0);
  });

  it('the output channel lists the reasons', async function () {
    if (!ui.available) this.skip();
    await vscode.commands.executeCommand('fklens.showOutput');
    await ui.waitFor('.part.panel', { text: 'Partial history db/migrations' });
    await ui.waitFor('.part.panel', { text: 'unknown-table: Table users is not created' });
  });

  it('once the history creates the table, the item says the histories are read completely and the finding goes', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceUri(USERS));
    const editor = await vscode.window.showTextDocument(doc);
    assert.ok(await editor.edit((b) => b.insert(new vscode.Position(0, 0), 'CREATE TABLE users (id bigint PRIMARY KEY);\n')));
    await waitFor('fk-target-missing to go', () => !vscode.languages.getDiagnostics(workspaceUri(ORDERS)).some((x) => codeOf(x) === 'fk-target-missing'));
    if (ui.available) {
      await ui.waitFor(ITEM, { text: '1 partial', gone: true });
      const texts = await ui.waitFor(ITEM, { text: 'FK Lens' });
      assert.ok(texts.length && texts.every((t) => !/partial/.test(t)), texts.join(' | '));
    }
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
