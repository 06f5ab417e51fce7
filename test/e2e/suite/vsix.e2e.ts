/** The packaged extension (installed from the VSIX, not the development folder) is complete. */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'mocha';
import { activated, e2eContext, fklens } from './helpers';

describe('the installed VSIX', () => {
  const ctx = e2eContext();

  it('is the copy installed from the VSIX', () => {
    assert.ok(ctx.installedIn, 'the scenario did not install a VSIX');
    const where = path.resolve(fklens().extensionPath);
    assert.ok(where.startsWith(path.resolve(ctx.installedIn) + path.sep), `FK Lens runs from ${where}, not from ${ctx.installedIn}`);
  });

  it('ships its bundles and the parser\'s WebAssembly', () => {
    for (const file of ['dist/client/extension.js', 'dist/server.js', 'dist/libpg-query.wasm']) {
      assert.ok(existsSync(path.join(fklens().extensionPath, file)), `${file} is missing from the VSIX`);
    }
  });

  it('activates by itself', async () => {
    await activated();
  });
});
