/** The language server comes back, working, after the restart command and after being killed. */
import * as assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { activated, brokenMigrationRoundTrip, isAlive, runningServer, serverPids, waitFor } from './helpers';

function replacementOf(old: number): Promise<number> {
  return waitFor(`a new language server to replace pid ${old}`, () => {
    const pids = serverPids().filter((p) => p !== old && isAlive(p));
    return pids.length === 1 ? pids[0] : undefined;
  }, 30000);
}

describe('language server restarts', () => {
  before(async () => {
    await activated();
  });

  it('"FK Lens: Restart Language Server" replaces the server with a working one', async () => {
    const old = await runningServer();
    await vscode.commands.executeCommand('fklens.restartServer');
    const next = await replacementOf(old);
    assert.notEqual(next, old);
    await waitFor(`the old server (pid ${old}) to exit`, () => !isAlive(old));
    await brokenMigrationRoundTrip('e2e_after_restart');
  });

  it('a killed server is started again and works', async () => {
    const old = await runningServer();
    process.kill(old, 'SIGKILL');
    await replacementOf(old);
    await brokenMigrationRoundTrip('e2e_after_kill');
  });
});
