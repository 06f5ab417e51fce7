/**
 * Lock reach in the shop example (0006 drops the FK from payments to users): the hover on the statement shows
 * what `fklens locks` computes for it (both tables, users included although the statement never names it),
 * fk-locks-parent and lock-timeout-missing sit on the statement, and the quick-fix's `SET lock_timeout` makes
 * both go. Saves the README's Locks screenshot.
 */
import * as assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { activated, cli, codeOf, diagnosticAppears, diagnosticGoes, e2eContext, markdownOf, parts, positionOf, sleep, ui, workspaceUri } from './helpers';

interface LocksJson {
  statements: { file: string; line: number; column: number; statement: string; locks: { schema: string; table: string; mode: string; blocks: string[]; scan: string }[] }[];
}

const FILE = 'db/migrations/0006_payments_keep_user_id.up.sql';

describe('lock reach on the shop example', () => {
  before(async function () {
    if (e2eContext().run !== 'shop') this.skip();
    await activated();
    // Earlier suites open created migrations beside the editor: one group again, so the screenshots show the
    // migration at full width (joining closes nothing, so no unsaved-changes prompt).
    await vscode.commands.executeCommand('workbench.action.joinAllGroups');
  });

  it('the hover on the DROP CONSTRAINT shows the locks `fklens locks` computes: ACCESS EXCLUSIVE on payments and on users', async () => {
    const expected = cli<LocksJson>('locks', '.', '--json').statements.find((s) => s.file === FILE);
    assert.ok(expected, `fklens locks lists ${FILE}`);
    assert.deepEqual(expected.locks.map((l) => `${l.table} ${l.mode}`), ['payments ACCESS EXCLUSIVE', 'users ACCESS EXCLUSIVE']);
    const uri = workspaceUri(FILE);
    const editor = await vscode.window.showTextDocument(uri);
    const at = positionOf(editor.document, 'ALTER TABLE payments', 2);
    assert.equal(at.line + 1, expected.line);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, at);
    const text = markdownOf(hovers);
    assert.match(text, /\*\*ALTER TABLE payments DROP CONSTRAINT payments\\_user\\_fk\*\*: locks 2 tables/);
    for (const lock of expected.locks) assert.match(text, new RegExp(`- \\*\\*${lock.mode}\\*\\* on \`${lock.table}\``), `the hover shows ${lock.mode} on ${lock.table}`);
    assert.match(text, /on `users` \(referenced by `payments_user_fk`; the statement does not name it\): blocks reads, writes and DDL/);
    assert.match(text, /No lock_timeout is set before it/);

    if (ui.available) {
      editor.selection = new vscode.Selection(at, at);
      editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenter);
      await vscode.commands.executeCommand('workbench.action.closePanel');
      await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
      await vscode.commands.executeCommand('editor.action.showHover');
      // The diagnostics' hover comes first; the lock section under it.
      await ui.waitFor(parts.hover, { text: 'locks 2 tables' });
      await sleep(300);
      await ui.screenshot('locks-with-findings');
      await ui.call('press', { key: 'Escape' });
    }
  });

  it('fk-locks-parent and lock-timeout-missing sit on the statement; the quick-fix sets lock_timeout and both go', async () => {
    const uri = workspaceUri(FILE);
    const editor = await vscode.window.showTextDocument(uri);
    const original = editor.document.getText();
    const parent = await diagnosticAppears(uri, (d) => codeOf(d) === 'fk-locks-parent', 'fk-locks-parent');
    assert.equal(parent.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(editor.document.getText(parent.range), 'ALTER TABLE payments');
    assert.match(parent.message, /takes an ACCESS EXCLUSIVE lock on users, which it does not name/);
    const timeout = await diagnosticAppears(uri, (d) => codeOf(d) === 'lock-timeout-missing', 'lock-timeout-missing');
    assert.equal(timeout.severity, vscode.DiagnosticSeverity.Information);
    assert.match(timeout.message, /first statement of the \.up\.sql file/);

    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, timeout.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.title === "Set lock_timeout = '5s' at the start of this migration");
    assert.ok(fix?.edit, `the lock_timeout fix among: ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix!.edit!));
    assert.match(editor.document.getText(), /^SET lock_timeout = '5s';\n\n-- Payments outlive/);
    await diagnosticGoes(uri, (d) => codeOf(d) === 'lock-timeout-missing', 'lock-timeout-missing');
    await diagnosticGoes(uri, (d) => codeOf(d) === 'fk-locks-parent', 'fk-locks-parent');
    // The hover now names the lock_timeout and where it is set (the README's screenshot).
    const at = positionOf(editor.document, 'ALTER TABLE payments', 2);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, at);
    assert.match(markdownOf(hovers), /lock_timeout `5s`, set at \[0006\\_payments\\_keep\\_user\\_id\\\.up\\\.sql\\:1\]/);
    if (ui.available) {
      // Below the line, so that the migration stays readable in the screenshot.
      const hoverSettings = vscode.workspace.getConfiguration('editor.hover');
      await hoverSettings.update('above', false, vscode.ConfigurationTarget.Global);
      try {
        editor.selection = new vscode.Selection(at, at);
        await vscode.commands.executeCommand('workbench.action.closePanel');
        await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
        await vscode.commands.executeCommand('editor.action.showHover');
        await ui.waitFor(parts.hover, { text: 'lock_timeout' });
        await sleep(300);
        await ui.screenshot('locks');
        await ui.call('press', { key: 'Escape' });
      } finally {
        await hoverSettings.update('above', undefined, vscode.ConfigurationTarget.Global);
      }
    }

    // Back as it was, for the suites after this one.
    const whole = new vscode.Range(editor.document.positionAt(0), editor.document.positionAt(editor.document.getText().length));
    assert.ok(await editor.edit((b) => b.replace(whole, original)));
    await editor.document.save();
    await diagnosticAppears(uri, (d) => codeOf(d) === 'fk-locks-parent', 'fk-locks-parent again');
  });
});
