/**
 * "Peek N tables" from a hover: the whole cascade trees and references of a table, which the hover leaves out,
 * in a read-only `fklens:` document shown in a peek view at the hover's position. The server writes the text
 * (`fklens/tableDocument`); this side only asks for it and shows it.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

export const PEEK_SCHEME = 'fklens';
const TABLE_DOCUMENT_REQUEST = 'fklens/tableDocument';

interface PeekArgs {
  /** The document the hover was in (its history decides which table the name means). */
  uri: string;
  position?: { line: number; character: number };
  /** `schema.name` */
  table: string;
}

function isPeekArgs(v: unknown): v is PeekArgs {
  const a = v as PeekArgs;
  return !!a && typeof a.uri === 'string' && typeof a.table === 'string' && a.table.length < 1000;
}

/** The virtual document of a table: `fklens:/<table>.txt?<document uri>`. */
export function peekUri(args: PeekArgs): vscode.Uri {
  return vscode.Uri.from({ scheme: PEEK_SCHEME, path: `/${args.table}.txt`, query: JSON.stringify({ uri: args.uri, table: args.table }) });
}

export function registerPeek(getClient: () => LanguageClient | undefined): vscode.Disposable[] {
  const provider: vscode.TextDocumentContentProvider = {
    async provideTextDocumentContent(uri) {
      let args: unknown;
      try {
        args = JSON.parse(uri.query);
      } catch {
        return 'FK Lens: this link is not valid.';
      }
      if (!isPeekArgs(args)) return 'FK Lens: this link is not valid.';
      const client = getClient();
      if (!client) return 'FK Lens: the language server is not running.';
      const result = await client.sendRequest<{ text: string } | null>(TABLE_DOCUMENT_REQUEST, { uri: args.uri, table: args.table });
      return result?.text ?? `FK Lens: no table ${args.table} in this file's database.`;
    },
  };
  const peek = async (raw: unknown) => {
    if (!isPeekArgs(raw)) return;
    const target = peekUri(raw);
    const uri = vscode.Uri.parse(raw.uri);
    const editor = vscode.window.activeTextEditor;
    const position = raw.position ? new vscode.Position(raw.position.line, raw.position.character) : editor?.selection.active;
    if (editor && editor.document.uri.toString() === uri.toString() && position) {
      await vscode.commands.executeCommand('editor.action.peekLocations', uri, position, [new vscode.Location(target, new vscode.Position(0, 0))], 'peek');
    } else {
      await vscode.window.showTextDocument(target, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    }
  };
  return [vscode.workspace.registerTextDocumentContentProvider(PEEK_SCHEME, provider), vscode.commands.registerCommand('fklens.peekTable', peek)];
}
