/**
 * Rule pages, rendered: "Show documentation for RULE" (a code action, or the command palette) opens the page
 * shipped with the extension in VS Code's Markdown preview, or a configured `docsBaseUrl` page in the browser.
 * A diagnostic's code link to a shipped page would open its raw Markdown in a text editor: it is rewritten to
 * `<app scheme>://<extension id>/rule/<id>`, which VS Code hands to this extension's URI handler.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Middleware } from 'vscode-languageclient/node';

const RULE_ID = /^[a-z0-9][a-z0-9-]{0,80}$/;

export class RuleDocs implements vscode.UriHandler {
  private readonly dir: string;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.dir = context.asAbsolutePath(path.join('docs', 'rules'));
  }

  register(): vscode.Disposable[] {
    return [vscode.commands.registerCommand('fklens.showRuleDocs', (rule?: unknown, href?: unknown) => this.show(rule, href)), vscode.window.registerUriHandler(this)];
  }

  /** `<scheme>://<id>/rule/<rule>` */
  handleUri(uri: vscode.Uri): void {
    const m = /^\/rule\/([^/]+)$/.exec(uri.path);
    if (m) void this.show(decodeURIComponent(m[1]));
  }

  /** The page of `rule`: the shipped one in the Markdown preview, else `href` (a docsBaseUrl page). No rule: pick one. */
  async show(rule?: unknown, href?: unknown): Promise<void> {
    let id = typeof rule === 'string' && RULE_ID.test(rule) ? rule : undefined;
    if (!id && rule === undefined) id = await this.pick();
    if (!id) return;
    const shipped = path.join(this.dir, `${id}.md`);
    // `href`: the diagnostic's code link, i.e. a configured docsBaseUrl page, or the shipped page (through the URI handler).
    const link = typeof href === 'string' ? vscode.Uri.parse(href) : undefined;
    if (link && (link.scheme === 'http' || link.scheme === 'https')) {
      await vscode.env.openExternal(link);
    } else if (link?.scheme === 'file' && link.fsPath.endsWith('.md') && path.dirname(link.fsPath) !== this.dir) {
      await vscode.commands.executeCommand('markdown.showPreview', link);
    } else if (fs.existsSync(shipped)) {
      await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(shipped));
    } else {
      void vscode.window.showWarningMessage(`FK Lens: no page for rule ${id}.`);
    }
  }

  private async pick(): Promise<string | undefined> {
    let ids: string[] = [];
    try {
      ids = fs.readdirSync(this.dir).filter((f) => f.endsWith('.md') && f !== 'README.md').map((f) => f.slice(0, -3));
    } catch {
      return undefined;
    }
    return vscode.window.showQuickPick(ids.sort(), { placeHolder: 'FK Lens rule' });
  }

  /** The link VS Code opens for a diagnostic's code: the URI handler, for a shipped page. */
  codeLink(target: vscode.Uri): vscode.Uri {
    if (target.scheme !== 'file' || path.dirname(target.fsPath) !== this.dir) return target;
    const id = path.basename(target.fsPath, '.md');
    if (!RULE_ID.test(id)) return target;
    return vscode.Uri.from({ scheme: vscode.env.uriScheme, authority: this.context.extension.id, path: `/rule/${id}` });
  }

  /** Client middleware: diagnostics' code links to shipped pages go through `codeLink`. */
  middleware(): Middleware {
    return {
      handleDiagnostics: (uri, diagnostics, next) => {
        for (const d of diagnostics) {
          if (d.code && typeof d.code === 'object' && d.code.target) d.code = { value: d.code.value, target: this.codeLink(d.code.target) };
        }
        next(uri, diagnostics);
      },
    };
  }
}
