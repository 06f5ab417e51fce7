/** FK Lens activates by itself in SQL / migration workspaces only, and starts its language server there. */
import * as assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import { activated, e2eContext, fklens, runningServer, serverPids, sleep } from './helpers';

describe('activation', () => {
  const ctx = e2eContext();

  if (ctx.expectActive) {
    it('activates by itself in a workspace with schema / migration files', async () => {
      await activated();
    });

    it('starts one language server', async () => {
      await runningServer();
    });
  } else {
    it('stays inactive in a workspace without SQL or migration files', async () => {
      // workspaceContains: is decided by a file search at start-up; give it time to (wrongly) fire.
      await sleep(4000);
      assert.equal(fklens().isActive, false, 'FK Lens activated in a workspace without SQL or migration files');
      assert.deepEqual(serverPids(), []);
    });

    it('activates once a SQL document is opened (onLanguage:sql)', async () => {
      const doc = await vscode.workspace.openTextDocument({ language: 'sql', content: 'CREATE TABLE t (id int PRIMARY KEY);\n' });
      await vscode.window.showTextDocument(doc);
      await activated();
      await runningServer();
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    });
  }
});
