/**
 * FK Lens on a real project of 80+ tables (issue 17): the hover on the most referenced table fits in ~15 lines,
 * its summary and links first; its "Peek" link opens the whole picture (every table the DELETE reaches); files
 * are named by their shortest unique path (every Prisma migration is a migration.sql).
 */
import * as assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { activated, cli, log, markdownOf, parts, peekFromHover, showHoverUi, sleep, ui, unescapeMarkdown, waitFor, workspaceUri, type UiBox } from './helpers';

interface ModelJson {
  tables: { schema: string; name: string; location: { file: string; line: number; column: number } }[];
  foreignKeys: { table: string; refTable: string }[];
}

/** Most lines the hover may take: the summary, the links, ~8 lines of tree, the conflicts, the key UPDATE. */
const MAX_LINES = 16;

describe('hovers at real-project scale', () => {
  let table: ModelJson['tables'][number];
  let reach: { deletes: { table: string }[]; setsNull: { table: string }[] };

  before(async () => {
    await activated();
    const model = cli<ModelJson>('model', '.', '--json');
    assert.ok(model.tables.length >= 80, `a project of at least 80 tables (${model.tables.length})`);
    const counts = new Map<string, number>();
    for (const fk of model.foreignKeys) counts.set(fk.refTable, (counts.get(fk.refTable) ?? 0) + 1);
    const [name] = [...counts].sort((a, b) => b[1] - a[1])[0];
    table = model.tables.find((t) => t.name === name)!;
    reach = cli('reach', name, '.', '--json');
    assert.ok(reach.deletes.length >= 20, `a large blast radius (${reach.deletes.length} tables)`);
  });

  it('the hover on the most referenced table fits in ~15 lines, summary and links first; Peek shows every table', async () => {
    const uri = workspaceUri(table.location.file);
    const editor = await vscode.window.showTextDocument(uri);
    const at = new vscode.Position(table.location.line - 1, table.location.column);
    const md = markdownOf(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, at));
    const lines = md.split('\n').filter((l) => l.trim());
    assert.ok(lines.length <= MAX_LINES, `${lines.length} lines of Markdown:\n${md}`);
    assert.match(lines[0], new RegExp(`^\\*\\*DELETE FROM ${table.name}\\*\\*: ${reach.deletes.length} tables deleted · `));
    assert.match(lines[1], /^\[Show all \d+ in ERD\]\(command:fklens\.showErdFor\?[^)]+\) · \[Peek \d+ tables\]\(command:fklens\.peekTable\?[^)]+\)$/);
    // Every Prisma migration is a migration.sql: the labels carry their folder.
    const plain = unescapeMarkdown(md);
    const labels = [...plain.matchAll(/(?:declared at \[|"declared at )([^\]"]+):\d+/g)].map((m) => m[1]);
    assert.ok(labels.length >= 4, plain);
    assert.ok(labels.every((l) => /^\d{14}_[\w-]+\/migration\.sql$/.test(l)), labels.join('\n'));

    if (ui.available) {
      await vscode.commands.executeCommand('workbench.action.closePanel');
      await showHoverUi(editor, at, 'DELETE FROM');
      await sleep(300);
      const [box] = (await ui.call<{ boxes: UiBox[] }>('measure', { selector: `${parts.hover} .hover-contents` })).boxes;
      const rendered = Math.round(box.scrollHeight / box.lineHeight);
      log(`hover on ${table.name}: ${box.scrollHeight}px of content in a ${box.height}px box (~${rendered} lines of ${box.lineHeight}px), ${box.links.length} links`);
      assert.ok(rendered <= MAX_LINES + 2, `rendered ${box.scrollHeight}px = ~${rendered} lines of ${box.lineHeight}px`);
      const [first, second] = box.text.split('\n').filter((l) => l.trim());
      assert.match(first, new RegExp(`^DELETE FROM ${table.name}: `));
      assert.match(`${first} ${second}`, /Show all \d+ in ERD · Peek \d+ tables/);
      await ui.screenshot('hover');
      // Peek, as a click on the link does.
      await ui.call('click', { selector: `${parts.hover} a:has-text("Peek")` });
      await ui.waitFor('.peekview-widget', { text: `DELETE FROM ${table.name}` });
      await sleep(300);
      await ui.screenshot('peek');
      await ui.call('press', { key: 'Escape' });
    }
    const peek = await peekFromHover(md);
    for (const t of reach.deletes) assert.match(peek, new RegExp(`- deletes ${t.table} via `), `the peek names ${t.table}`);
    for (const t of reach.setsNull) assert.ok(peek.includes(`sets NULL ${t.table}.`), `the peek names ${t.table}`);
    await waitFor('the peek closed', async () => {
      await vscode.commands.executeCommand('closeReferenceSearch');
      return true;
    });
  });
});
