/** Migration files created or deleted on disk (not in an editor) are noticed by the language server. */
import { describe, it } from 'mocha';
import { activated, brokenMigrationRoundTrip, e2eContext, runningServer } from './helpers';

describe('migration files on disk', () => {
  it('a new migration with a syntax error gets a diagnostic, and deleting it clears it', async function () {
    if (!e2eContext().migrationsDir) this.skip();
    await activated();
    await runningServer();
    await brokenMigrationRoundTrip('e2e_created');
  });
});
