/**
 * What a user of the shop example sees: the rule diagnostics (the Problems panel, related information), a
 * severity changed live, a diagnostic in one file changed by an
 * edit of another, the cascade hover, go to definition across files, the code lens counts, the quick-fixes
 * (a new migration with the index; the NOT VALID split), and the ERD webview. Saves the README's screenshots.
 *
 * Expected counts come from the CLI (`dist/cli.js reach|model --json`) on the workspace as it is on disk, so the
 * suite checks that the editor shows what the engine found.
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { activated, applyCodeAction, cli, showHoverUi, showQuickFixUi, codeOf, diagnosticAppears, diagnosticGoes, diagnosticsOf, e2eContext, markdownOf, parts, positionOf, sleep, ui, waitFor, workspaceUri } from './helpers';

function describeActions(actions: vscode.CodeAction[]): string {
  return actions.map((a) => `${a.title} (preferred: ${a.isPreferred}, edit: ${a.edit ? a.edit.size : 'none'})`).join(' | ');
}

/**
 * Applies a code action as VS Code does: its edit (through the refactor preview when it asks for one), then its
 * command (which saves the files it created and opens the new migration). Returns the files it added to `dir`.
 */
async function apply(action: vscode.CodeAction, dir: string): Promise<string[]> {
  const before = new Set(readdirSync(dir));
  await applyCodeAction(action);
  return waitFor(`new files in ${path.basename(dir)}`, () => {
    const added = readdirSync(dir).filter((f) => !before.has(f));
    return added.length ? added : undefined;
  });
}

/** Waits until a file's text on disk matches, and returns it. */
function onDisk(file: string, pattern: RegExp): Promise<string> {
  return waitFor(`${path.basename(file)} on disk to match ${pattern}`, () => {
    const text = readFileSync(file, 'utf8');
    return pattern.test(text) && text;
  }, 10000);
}

const M = (name: string) => `${e2eContext().migrationsDir}/${name}`;

describe('features on the shop example', () => {
  const ctx = e2eContext();

  before(async function () {
    if (ctx.run !== 'shop') this.skip();
    await activated();
  });

  it('set-null-on-not-null sits on the ON DELETE clause and points at the column\'s NOT NULL; the Problems panel lists the rules', async () => {
    const uri = workspaceUri(M('0003_payments_and_reviews.up.sql'));
    const editor = await vscode.window.showTextDocument(uri);
    const d = await diagnosticAppears(uri, (x) => codeOf(x) === 'set-null-on-not-null', 'set-null-on-not-null');
    assert.match(editor.document.getText(d.range), /^ON DELETE SET NULL$/i);
    assert.ok(d.relatedInformation?.length, 'related information');
    assert.ok(d.relatedInformation!.some((r) => /NOT NULL/i.test(r.message)), d.relatedInformation!.map((r) => r.message).join(' | '));

    if (ui.available) {
      editor.revealRange(d.range, vscode.TextEditorRevealType.InCenter);
      editor.selection = new vscode.Selection(d.range.start, d.range.start);
      await vscode.commands.executeCommand('workbench.actions.view.problems');
      const rows = await ui.waitFor(parts.problemRow, { text: 'set-null-on-not-null' });
      assert.ok(rows.length >= 1);
      await ui.waitFor(parts.problemRow, { text: 'fk-missing-index' });
      await ui.waitFor(parts.editorSquiggleError);
      await showHoverUi(editor, d.range.start, 'NOT NULL');
      await ui.screenshot('warning');
      await ui.call('press', { key: 'Escape' });
    }
  });

  it('a severity changed in the settings applies at once; "off" removes the rule\'s diagnostics', async () => {
    const uri = workspaceUri(M('0002_orders.up.sql'));
    const isMissingIndex = (x: vscode.Diagnostic) => codeOf(x) === 'fk-missing-index';
    const before = await diagnosticAppears(uri, isMissingIndex, 'fk-missing-index');
    assert.equal(before.severity, vscode.DiagnosticSeverity.Warning);
    const config = vscode.workspace.getConfiguration('fklens');
    try {
      await config.update('rules', { 'fk-missing-index': 'error' }, vscode.ConfigurationTarget.Workspace);
      await diagnosticAppears(uri, (x) => isMissingIndex(x) && x.severity === vscode.DiagnosticSeverity.Error, 'fk-missing-index as an error');
      await config.update('rules', { 'fk-missing-index': 'off' }, vscode.ConfigurationTarget.Workspace);
      await diagnosticGoes(uri, isMissingIndex, 'fk-missing-index (turned off)');
    } finally {
      await config.update('rules', undefined, vscode.ConfigurationTarget.Workspace);
    }
    const back = await diagnosticAppears(uri, isMissingIndex, 'fk-missing-index back');
    assert.equal(back.severity, vscode.DiagnosticSeverity.Warning);
  });

  it('editing one migration changes the diagnostics of another (the model is workspace-wide)', async () => {
    // 0005 indexes orders(user_id), declared in 0002: without it, 0002's FK has no index.
    const indexFile = workspaceUri(M('0005_index_orders_user_id.up.sql'));
    const declaring = workspaceUri(M('0002_orders.up.sql'));
    const ordersUserId = (x: vscode.Diagnostic) => codeOf(x) === 'fk-missing-index' && x.message.includes('orders(user_id)');
    assert.equal(diagnosticsOf(declaring).filter(ordersUserId).length, 0);
    const editor = await vscode.window.showTextDocument(indexFile);
    const whole = new vscode.Range(new vscode.Position(0, 0), editor.document.lineAt(editor.document.lineCount - 1).range.end);
    const original = editor.document.getText();
    assert.ok(await editor.edit((b) => b.replace(whole, '-- the index is gone\n')));
    await diagnosticAppears(declaring, ordersUserId, 'fk-missing-index on orders(user_id) in 0002');
    assert.ok(await editor.edit((b) => b.replace(new vscode.Range(new vscode.Position(0, 0), editor.document.lineAt(editor.document.lineCount - 1).range.end), original)));
    await diagnosticGoes(declaring, ordersUserId, 'fk-missing-index on orders(user_id)');
    await editor.document.save();
  });

  it('the hover on a table shows what a DELETE does, as `fklens reach` computes it', async () => {
    const reach = cli<{ deletes: { table: string }[]; setsNull: { table: string }[]; blockedBy: { table: string }[] }>('reach', 'users', '.', '--json');
    const uri = workspaceUri(M('0001_users_and_catalog.up.sql'));
    const editor = await vscode.window.showTextDocument(uri);
    const at = positionOf(editor.document, 'CREATE TABLE users', 'CREATE TABLE '.length + 1);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, at);
    const text = markdownOf(hovers);
    assert.match(text, /DELETE FROM users/);
    assert.match(text, new RegExp(`${reach.deletes.length} tables? deleted`));
    for (const t of reach.blockedBy) assert.match(text.split('\n')[0], new RegExp(`blocked by .*\\b${t.table}\\.`), `the summary names what blocks: ${t.table}`);
    for (const t of reach.deletes) assert.match(text, new RegExp(`deletes\\W+${t.table}\\b`), `the hover names ${t.table}`);
    for (const t of reach.setsNull) assert.match(text, new RegExp(`\\b${t.table}\\b`));
    // The links come first, right after the summary.
    assert.match(text.split('\n')[1], /^\[Show all \d+ in ERD\]\(command:fklens\.showErdFor\?.*\[Peek \d+ tables\]\(command:fklens\.peekTable\?/);

    if (ui.available) {
      editor.selection = new vscode.Selection(at, at);
      editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.AtTop);
      await vscode.commands.executeCommand('workbench.action.closePanel');
      await vscode.commands.executeCommand('editor.action.showHover');
      await ui.waitFor(parts.hover, { text: 'DELETE FROM users' });
      await sleep(300);
      await ui.screenshot('hover');
      await ui.call('press', { key: 'Escape' });
    }
  });

  it('go to definition from REFERENCES crosses files; the code lens counts what `fklens reach` counts', async () => {
    const orders = workspaceUri(M('0002_orders.up.sql'));
    const doc = await vscode.workspace.openTextDocument(orders);
    const at = positionOf(doc, 'REFERENCES users', 'REFERENCES '.length + 1);
    const defs = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', orders, at);
    assert.equal(defs.length, 1, 'one definition');
    const def = defs[0];
    const target = 'targetUri' in def ? def.targetUri : def.uri;
    const range = 'targetUri' in def ? (def.targetSelectionRange ?? def.targetRange) : def.range;
    assert.equal(path.basename(target.fsPath), '0001_users_and_catalog.up.sql');
    const defDoc = await vscode.workspace.openTextDocument(target);
    assert.equal(defDoc.getText(range), 'users');

    const reach = cli<{ deletes: unknown[]; blockedBy: unknown[] }>('reach', 'users', '.', '--json');
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', target, 50);
    const line = positionOf(defDoc, 'CREATE TABLE users').line;
    const titles = lenses.filter((l) => l.range.start.line === line).map((l) => l.command?.title ?? '');
    const summary = titles.find((t) => t.startsWith('referenced by'));
    assert.ok(summary, `code lenses on CREATE TABLE users: ${titles.join(' | ')}`);
    const incoming = cli<{ foreignKeys: { refTable: string }[] }>('model', '.', '--json').foreignKeys.filter((fk) => fk.refTable === 'users').length;
    assert.match(summary!, new RegExp(`^referenced by ${incoming} FKs`));
    assert.match(summary!, new RegExp(`DELETE cascades to ${reach.deletes.length} tables?`));
    assert.match(summary!, new RegExp(`blocked by ${reach.blockedBy.length}`));
    assert.ok(titles.includes('ERD'), 'an ERD lens');
  });

  it('the missing-index quick-fix writes the next migration, and the diagnostic goes', async () => {
    const uri = workspaceUri(M('0003_payments_and_reviews.up.sql'));
    const editor = await vscode.window.showTextDocument(uri);
    const isReviewsIndex = (x: vscode.Diagnostic) => codeOf(x) === 'fk-missing-index' && x.message.includes('reviews(user_id)');
    const d = await diagnosticAppears(uri, isReviewsIndex, 'fk-missing-index on reviews(user_id)');

    if (ui.available) {
      await showQuickFixUi(editor, d.range.start, 'index');
      await sleep(300);
      await ui.screenshot('quickfix');
      await ui.call('press', { key: 'Escape' });
    }

    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, d.range, vscode.CodeActionKind.QuickFix.value);
    // (the API command does not return the actions' diagnostics: the title names the FK)
    const fix = actions.find((a) => /^Create index \S+ on (public\.)?reviews \(user_id\)/.test(a.title) && a.isPreferred);
    assert.ok(fix?.edit, `a preferred fix with an edit among: ${describeActions(actions)}`);
    const dir = workspaceUri(ctx.migrationsDir!).fsPath;
    const created = await apply(fix!, dir);
    const up = created.find((f) => f.endsWith('.up.sql'));
    assert.ok(up && /^0007_/.test(up), `the next golang-migrate number: ${created.join(', ')}`);
    // Nothing written silently: the new migration is open beside the file the fix was asked in.
    const shown = await waitFor('the new migration in an editor', () => vscode.window.visibleTextEditors.find((e) => path.basename(e.document.uri.fsPath) === up));
    assert.notEqual(shown.viewColumn, editor.viewColumn, 'beside the current file');
    // Saved by the action's command: never left empty on disk for the migration tool to apply.
    await onDisk(path.join(dir, up!), /CREATE INDEX CONCURRENTLY IF NOT EXISTS \S+ ON (public\.)?reviews \(user_id\)/);
    await onDisk(path.join(dir, up!.replace(/\.up\.sql$/, '.down.sql')), /DROP INDEX/);
    await diagnosticGoes(uri, isReviewsIndex, 'fk-missing-index on reviews(user_id)');
  });

  it('the NOT VALID quick-fix adds the FK NOT VALID in place and validates it in a new migration', async () => {
    const uri = workspaceUri(M('0004_shipping_addresses.up.sql'));
    await vscode.window.showTextDocument(uri);
    const isNotValid = (x: vscode.Diagnostic) => codeOf(x) === 'fk-added-without-not-valid';
    const d = await diagnosticAppears(uri, isNotValid, 'fk-added-without-not-valid');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, d.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => /orders_shipping_address_id_fkey as NOT VALID/.test(a.title));
    assert.ok(fix?.edit, `a NOT VALID fix among: ${describeActions(actions)}`);
    const dir = workspaceUri(ctx.migrationsDir!).fsPath;
    const created = await apply(fix!, dir);
    // The rewritten migration is left unsaved for review; the new one is saved.
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.match(doc.getText(), /ON DELETE SET NULL\s+NOT VALID;/);
    const up = created.find((f) => f.endsWith('.up.sql'));
    assert.ok(up, `a VALIDATE migration among: ${created.join(', ')}`);
    await onDisk(path.join(dir, up), /ALTER TABLE (public\.)?orders VALIDATE CONSTRAINT orders_shipping_address_id_fkey;/);
    await diagnosticGoes(uri, isNotValid, 'fk-added-without-not-valid');
  });

  it('"FK Lens: Show ERD" opens the diagram; a click on users shows its delete blast radius; a new migration appears live; Show in ERD focuses a table', async () => {
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.commands.executeCommand('fklens.showErd');
    if (!ui.available) return;
    const frames = parts.webviewFrames;
    // It may open focused on the table under the cursor: every table is one click away.
    await ui.waitFor('g.erd-table .erd-title', { frames });
    await ui.call('click', { selector: 'button:text-is("Show all")', frames });
    for (const table of ['users', 'orders', 'order_items', 'payments', 'reviews', 'addresses']) {
      await ui.waitFor('g.erd-table .erd-title', { frames, text: table });
    }
    await ui.call('click', { selector: 'g.erd-table .erd-title:text-is("users")', frames });
    const details = await ui.waitFor('.details', { frames, text: 'deletes' });
    assert.match(details.join('\n'), /orders/);
    await sleep(500);
    await ui.screenshot('erd');

    // Live: a new migration on disk reaches the open diagram.
    const file = workspaceUri(M('0099_e2e_live.up.sql')).fsPath;
    writeFileSync(file, 'CREATE TABLE e2e_live_wishlist (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id) ON DELETE CASCADE);\n');
    try {
      await ui.waitFor('g.erd-table .erd-title', { frames, text: 'e2e_live_wishlist' });
      await ui.call('click', { selector: 'g.erd-table .erd-title:text-is("users")', frames });
      await ui.waitFor('.details', { frames, text: 'e2e_live_wishlist' });
    } finally {
      rmSync(file, { force: true });
    }
    await ui.waitFor('g.erd-table .erd-title', { frames, text: 'e2e_live_wishlist', gone: true });

    // "Show in ERD" from a code lens or hover: the table is selected and shown with its neighbours (1 hop);
    // categories (3 hops from orders) leaves the view.
    await vscode.commands.executeCommand('fklens.showErdFor', 'public.orders');
    await ui.waitFor('section.details .details-name', { frames, text: 'orders' });
    await ui.waitFor('g.erd-table .erd-title', { frames, text: 'categories', gone: true });
    await ui.waitFor('g.erd-table .erd-title', { frames, text: 'order_items' });
  });
});
