/**
 * Diagnostics from the language server reach VS Code and the Problems panel: a syntax error typed into a
 * migration appears at the offending token, and goes once the text is fixed.
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { activated, codeOf, diagnosticAppears, diagnosticGoes, e2eContext, parts, ui, workspaceUri } from './helpers';

const BAD_TOKEN = 'TABLOE';
const isOurSyntaxError = (d: vscode.Diagnostic) => codeOf(d) === 'syntax-error' && d.message.includes(BAD_TOKEN);

describe('diagnostics', () => {
  const ctx = e2eContext();
  let editor: vscode.TextEditor;

  before(async function () {
    if (!ctx.editFile) this.skip();
    await activated();
    editor = await vscode.window.showTextDocument(workspaceUri(ctx.editFile!));
  });

  after(async () => {
    if (!editor) return;
    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('a syntax error typed into a migration appears at the bad token, in the Problems panel too, and goes when fixed', async () => {
    const doc = editor.document;
    const uri = doc.uri;
    assert.equal(vscode.languages.getDiagnostics(uri).filter(isOurSyntaxError).length, 0);

    const inserted = `\nCREATE ${BAD_TOKEN} e2e_oops (id int);\n`;
    const at = doc.lineAt(doc.lineCount - 1).range.end;
    assert.ok(await editor.edit((b) => b.insert(at, inserted)));
    const tokenStart = doc.positionAt(doc.offsetAt(at) + inserted.indexOf(BAD_TOKEN));

    const d = await diagnosticAppears(uri, isOurSyntaxError, 'a syntax-error diagnostic');
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.deepEqual([d.range.start.line, d.range.start.character], [tokenStart.line, tokenStart.character]);
    assert.deepEqual([d.range.end.line, d.range.end.character], [tokenStart.line, tokenStart.character + BAD_TOKEN.length]);

    if (ui.available) {
      editor.revealRange(d.range, vscode.TextEditorRevealType.InCenter);
      editor.selection = new vscode.Selection(d.range.start, d.range.start);
      await vscode.commands.executeCommand('workbench.actions.view.problems');
      const rows = await ui.waitFor(parts.problemRow, { text: BAD_TOKEN });
      assert.ok(rows.some((r) => r.includes('syntax-error') && r.includes(`Ln ${tokenStart.line + 1}, Col ${tokenStart.character + 1}`)), `Problems panel rows: ${rows.join(' | ')}`);
      await ui.waitFor(parts.editorSquiggleError);
      await ui.screenshot('syntax-error');
      await ui.screenshot('problems-panel', { selector: '.part.panel' });
    }

    const end = doc.positionAt(doc.offsetAt(at) + inserted.length);
    assert.ok(await editor.edit((b) => b.delete(new vscode.Range(at, end))));
    await diagnosticGoes(uri, isOurSyntaxError, 'the syntax-error diagnostic');
    if (ui.available) await ui.waitFor(parts.problemRow, { text: BAD_TOKEN, gone: true });
  });
});
