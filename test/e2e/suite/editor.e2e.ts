/**
 * The editor features of issue 17 in a diesel history, where every migration is an `up.sql`: files are named by
 * their shortest unique path (hover, related information); the missing-index fix writes a diesel migration and
 * opens it beside; "Ignore on this line / in this file" write comments that suppress the finding; "Show
 * documentation" and the diagnostic's code link open the rule's page rendered. And issue 13: tables named like
 * Markdown links, images and code are shown as text in the real hover.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import {
  activated,
  applyCodeAction,
  codeOf,
  diagnosticAppears,
  diagnosticGoes,
  diagnosticsOf,
  markdownOf,
  parts,
  positionOf,
  quickFixes,
  showHoverUi,
  sleep,
  ui,
  unescapeMarkdown,
  waitFor,
  workspaceUri,
  type UiBox,
} from './helpers';

const USERS = 'migrations/2019-03-03-000000_create_users/up.sql';
const ORDERS = 'migrations/2019-03-03-000001_create_orders/up.sql';
const ITEMS = 'migrations/2019-03-04-000000_create_items/up.sql';

const isPreview = (tab: vscode.Tab, rule: string) => tab.input instanceof vscode.TabInputWebview && /markdown\.preview/.test(tab.input.viewType) && tab.label.includes(rule);
const previewTab = (rule: string) => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => isPreview(t, rule));
const tabsText = () =>
  vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .map((t) => `${t.label} [${t.input && typeof t.input === 'object' ? `${t.input.constructor.name} ${(t.input as { viewType?: string }).viewType ?? ''}` : ''}]`)
    .join(' | ');

async function closePreviews(): Promise<void> {
  const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview);
  if (tabs.length) await vscode.window.tabGroups.close(tabs);
}

describe('editor features in a diesel history', () => {
  before(async () => {
    await activated();
  });

  it('names files by their shortest unique path: hover links and related information', async () => {
    // The hover on REFERENCES users in create_orders: the declaration in create_users, and the FKs' files.
    const uri = workspaceUri(ORDERS);
    const editor = await vscode.window.showTextDocument(uri);
    const at = positionOf(editor.document, 'REFERENCES users', 'REFERENCES '.length + 1);
    const text = unescapeMarkdown(markdownOf(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, at)));
    assert.match(text, /declared at \[2019-03-03-000000_create_users\/up\.sql:1\]\(/);
    const labels = [...text.matchAll(/"declared at ([^"]+):\d+"/g)].map((m) => m[1]);
    assert.ok(labels.includes('2019-03-03-000001_create_orders/up.sql') && labels.includes('2019-03-04-000000_create_items/up.sql'), labels.join(', '));
    assert.ok(labels.every((l) => /^\d{4}-\d\d-\d\d-\d{6}_\w+\/up\.sql$/.test(l)), labels.join(', '));

    // fk-type-mismatch in create_orders points at users.id in create_users: the related message says which up.sql.
    const d = await diagnosticAppears(workspaceUri(ORDERS), (x) => codeOf(x) === 'fk-type-mismatch', 'fk-type-mismatch');
    const related = d.relatedInformation ?? [];
    const toUsers = related.find((r) => r.location.uri.fsPath === workspaceUri(USERS).fsPath);
    assert.ok(toUsers, related.map((r) => r.message).join(' | '));
    assert.match(toUsers!.message, /\(in 2019-03-03-000000_create_users\/up\.sql\)$/);

    if (ui.available) {
      await vscode.window.showTextDocument(uri);
      await showHoverUi(editor, at, 'DELETE FROM users');
      const [box] = (await ui.call<{ boxes: UiBox[] }>('measure', { selector: `${parts.hover} .hover-contents` })).boxes;
      assert.match(box.text, /declared at 2019-03-03-000000_create_users\/up\.sql:1/);
      await ui.call('press', { key: 'Escape' });
    }
  });

  it('tables named like Markdown are shown as text in the hover, with no link but FK Lens\'s own (issue 13)', async () => {
    const uri = workspaceUri(USERS);
    const editor = await vscode.window.showTextDocument(uri);
    const at = positionOf(editor.document, 'CREATE TABLE users', 'CREATE TABLE '.length + 1);
    const md = markdownOf(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, at));
    assert.match(md, /`\[x\]\(command:workbench\.action\.terminal\.new\)`/, 'the name as code');
    if (!ui.available) return;
    await showHoverUi(editor, at, 'DELETE FROM users');
    const [box] = (await ui.call<{ boxes: UiBox[] }>('measure', { selector: `${parts.hover} .hover-contents` })).boxes;
    await ui.screenshot('hostile-hover', { selector: parts.hover });
    assert.equal(box.images, 0, 'no image loaded');
    for (const name of ['[x](command:workbench.action.terminal.new)', '![t](https://example.invalid/t.png)', 'a`b``c\\nDROP TABLE users; --']) {
      assert.ok(box.text.includes(name), `${name} shown as text in:\n${box.text}`);
      // The layout holds: each is the text of its own link to its FK's declaration.
      assert.ok(box.links.some((l) => l.text.includes(name) && /up\.sql#L\d+/.test(l.dataHref ?? l.href ?? '')), `${name} links to its declaration: ${JSON.stringify(box.links)}`);
    }
    for (const link of box.links) {
      const target = link.dataHref ?? link.href ?? '';
      assert.ok(/^(file|vscode-remote):/.test(target) || /^command:fklens\.(showErdFor|peekTable)\?/.test(target), `only FK Lens links: ${JSON.stringify(link)}`);
      assert.ok(!link.text.includes('[x]') && !link.text.includes('![t]') || target.startsWith('file') || target.startsWith('vscode-remote'), JSON.stringify(link));
    }
    await ui.call('press', { key: 'Escape' });
  });

  it('the missing-index fix writes a diesel migration (up, down, metadata.toml) and opens it beside', async () => {
    const uri = workspaceUri(ITEMS);
    const editor = await vscode.window.showTextDocument(uri);
    const isItems = (x: vscode.Diagnostic) => codeOf(x) === 'fk-missing-index' && x.message.includes('order_items(order_id)');
    const d = await diagnosticAppears(uri, isItems, 'fk-missing-index on order_items(order_id)');
    const actions = await quickFixes(uri, d);
    const fix = actions.find((a) => /^Create index \S+ on order_items \(order_id\)/.test(a.title));
    assert.ok(fix, actions.map((a) => a.title).join(' | '));
    const dir = workspaceUri('migrations').fsPath;
    const before = new Set(readdirSync(dir));
    await applyCodeAction(fix!);
    const folder = await waitFor('a new diesel migration folder', () => readdirSync(dir).find((f) => !before.has(f)));
    assert.match(folder, /^\d{4}-\d\d-\d\d-\d{6}_add_index_order_items_order_id$/);
    const up = path.join(dir, folder, 'up.sql');
    await waitFor('the new up.sql saved', () => existsSync(up) && /CREATE INDEX CONCURRENTLY IF NOT EXISTS/.test(readFileSync(up, 'utf8')));
    assert.equal(readFileSync(path.join(dir, folder, 'metadata.toml'), 'utf8'), 'run_in_transaction = false\n');
    const shown = await waitFor('the new up.sql open in an editor', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath === up));
    assert.notEqual(shown.viewColumn, editor.viewColumn, 'beside the file the fix was asked in');
    await diagnosticGoes(uri, isItems, 'fk-missing-index on order_items(order_id)');
    if (ui.available) {
      await sleep(300);
      await ui.screenshot('fix-opened');
    }
    await vscode.commands.executeCommand('workbench.action.closeEditorsInOtherGroups');
  });

  it('"Show documentation for RULE" and the diagnostic\'s code link open the rule page rendered', async () => {
    const uri = workspaceUri(ORDERS);
    const editor = await vscode.window.showTextDocument(uri);
    const d = await diagnosticAppears(uri, (x) => codeOf(x) === 'fk-type-mismatch', 'fk-type-mismatch');
    const docs = (await quickFixes(uri, d)).find((a) => a.title === 'Show documentation for fk-type-mismatch');
    assert.ok(docs?.command, 'a documentation action');
    await closePreviews();
    await applyCodeAction(docs!);
    await waitFor('the Markdown preview of fk-type-mismatch', () => previewTab('fk-type-mismatch')).catch((err) => {
      throw new Error(`${(err as Error).message}; tabs: ${tabsText()}`);
    });
    if (ui.available) {
      // Rendered: the page's title as a heading, not `# fk-type-mismatch` source.
      await ui.waitFor('h1', { frames: parts.webviewFrames, text: 'fk-type-mismatch' });
      await ui.screenshot('rule-docs');
    }
    await closePreviews();

    // The code link in the problem hover: FK Lens's URI handler, which opens the same preview.
    const code = d.code as { value: string; target: vscode.Uri };
    assert.equal(code.target.toString(), `${vscode.env.uriScheme}://fklens.fklens/rule/fk-type-mismatch`);
    const again = await vscode.window.showTextDocument(editor.document);
    if (ui.available) {
      await showHoverUi(again, d.range.start, 'fk-type-mismatch');
      await ui.call('click', { selector: `${parts.hover} a.code-link` });
      await waitFor('the preview opened from the code link', () => previewTab('fk-type-mismatch'));
      await closePreviews();
    }
  });

  it('"Ignore on this line" and "Ignore in this file" write comments that suppress the finding', async () => {
    // On this line: shipments(order_id) in create_items.
    const items = workspaceUri(ITEMS);
    const isShipments = (x: vscode.Diagnostic) => codeOf(x) === 'fk-missing-index' && x.message.includes('shipments(order_id)');
    const d = await diagnosticAppears(items, isShipments, 'fk-missing-index on shipments(order_id)');
    const line = (await quickFixes(items, d)).find((a) => a.title === 'Ignore fk-missing-index on this line');
    assert.ok(line?.edit, 'an ignore-line action');
    await applyCodeAction(line!);
    const doc = await vscode.workspace.openTextDocument(items);
    assert.equal(doc.lineAt(d.range.start.line).text, '    -- fklens-ignore fk-missing-index');
    assert.ok(await doc.save());
    await diagnosticGoes(items, isShipments, 'fk-missing-index on shipments(order_id), ignored');
    assert.ok(!diagnosticsOf(items).some((x) => codeOf(x) === 'unused-suppression'), 'the comment is used');

    // In this file: fk-type-mismatch in create_orders.
    const orders = workspaceUri(ORDERS);
    const mismatch = await diagnosticAppears(orders, (x) => codeOf(x) === 'fk-type-mismatch', 'fk-type-mismatch');
    const file = (await quickFixes(orders, mismatch)).find((a) => a.title === 'Ignore fk-type-mismatch in this file');
    assert.ok(file?.edit, 'an ignore-file action');
    await applyCodeAction(file!);
    const ordersDoc = await vscode.workspace.openTextDocument(orders);
    assert.equal(ordersDoc.lineAt(0).text, '-- fklens-ignore-file fk-type-mismatch');
    assert.ok(await ordersDoc.save());
    await diagnosticGoes(orders, (x) => codeOf(x) === 'fk-type-mismatch', 'fk-type-mismatch, ignored in the file');
    assert.ok(!diagnosticsOf(orders).some((x) => codeOf(x) === 'unused-suppression'), 'the comment is used');
  });
});
