/**
 * LSP wiring of the editor features (hover, definition, references, symbols, code lens, completion, code
 * actions): translates positions and locations between LSP and the pure features under features/, which
 * know nothing of LSP. server.ts owns the folders and workspaces and hands them over through `FeatureHost`.
 */
import {
  CodeActionKind,
  CompletionItemKind,
  MarkupKind,
  SymbolKind,
  type ClientCapabilities,
  type CodeAction,
  type CodeLens,
  type CompletionItem,
  type Connection,
  type Diagnostic,
  type DocumentSymbol,
  type Location,
  type Range,
  type ServerCapabilities,
  type SymbolInformation,
  type TextDocumentEdit,
  type TextEdit,
  type WorkspaceEdit,
  type CreateFile,
} from 'vscode-languageserver/node';
import type { HistoryModel } from '../model/replay';
import type { ForeignKey, SourceLocation } from '../model/schema';
import { LineIndex, type Span } from '../sources/text';
import type { Workspace, WorkspaceModel } from '../workspace/workspace';
import { codeLenses } from '../features/codeLens';
import { completionsAt } from '../features/completion';
import { fixAll, fixesFor, FIXABLE_RULES, LOCK_TIMEOUT_RULES, prismaFindingAt, type FixPlan, type FixTarget } from '../features/fixes';
import { hoverAt } from '../features/hover';
import { ignoreFixes } from '../features/ignore';
import { commandUri } from '../features/markdown';
import { tableDocument } from '../features/peek';
import { ruleById } from '../analysis/rules/index';
import { definitionAt, referencesAt } from '../features/navigation';
import { documentSymbols, workspaceSymbols, type FileSymbol } from '../features/symbols';
import { historyOf, prepareTargets } from '../features/target';
import { plural } from '../features/describe';

export interface FolderView {
  workspace: Workspace;
  /** The model to answer from without waiting: the last finished analysis (it may lag the newest edit). */
  lastModel(): WorkspaceModel;
  /** The URI of a workspace-relative path of this folder (existing or to be created). */
  uriOf(rel: string): string;
  /** The folder's URI, for settings scoped to it. */
  scopeUri?: string;
}

export interface FeatureHost {
  /** The folder that owns a document URI and the document's path in it. */
  locate(uri: string): (FolderView & { rel: string }) | undefined;
  /** Every folder (for workspace symbols). */
  folders(): FolderView[];
  /** Resolves once the parser is loaded. */
  ready(): Promise<unknown>;
}

/** The commands the client implements (client/src/extension.ts) and the ERD helper contributes. */
export const SHOW_REFERENCES_COMMAND = 'fklens.showReferences';
/** The client's command that saves the files a quick-fix created (client/src/extension.ts). */
export const SAVE_CREATED_COMMAND = 'fklens.saveCreatedFiles';
export const SHOW_ERD_COMMAND = 'fklens.showErdFor';
/** The client's command that peeks the whole picture of a table (a `fklens:` document from TABLE_DOCUMENT_REQUEST). */
export const PEEK_TABLE_COMMAND = 'fklens.peekTable';
/** The client's command that shows a rule's page rendered. */
export const SHOW_RULE_DOCS_COMMAND = 'fklens.showRuleDocs';
/** `{ uri, table }` -> `{ text }`: the peek document of a table of the history of the document `uri`. */
export const TABLE_DOCUMENT_REQUEST = 'fklens/tableDocument';
export const FIX_ALL_KIND = 'source.fixAll.fklens';

interface FeatureSettings {
  codeLens: boolean;
  /** A lens over tables no FK references ("not referenced by any FK"). */
  unreferencedLens: boolean;
  concurrentIndex: boolean;
}

export function registerLanguageFeatures(connection: Connection, host: FeatureHost) {
  let caps: ClientCapabilities = {};
  const settingsCache = new Map<string, Promise<FeatureSettings>>();

  const logError = (context: string, err: unknown) => {
    try {
      connection.console.error(`${context}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    } catch {
      // The connection is gone.
    }
  };

  const settingsFor = (folder: FolderView): Promise<FeatureSettings> => {
    const key = folder.scopeUri ?? '';
    let cached = settingsCache.get(key);
    if (!cached) {
      cached = readSettings(folder.scopeUri);
      settingsCache.set(key, cached);
    }
    return cached;
  };

  const readSettings = async (scopeUri: string | undefined): Promise<FeatureSettings> => {
    const defaults: FeatureSettings = { codeLens: true, unreferencedLens: false, concurrentIndex: true };
    if (!caps.workspace?.configuration) return defaults;
    try {
      const section = (await Promise.race([
        connection.workspace.getConfiguration(scopeUri ? { scopeUri, section: 'fklens' } : { section: 'fklens' }),
        new Promise((resolve) => setTimeout(resolve, 3000).unref()),
      ])) as Record<string, unknown> | undefined;
      const get = (group: string, key: string): unknown => {
        const nested = section?.[group];
        return nested && typeof nested === 'object' ? (nested as Record<string, unknown>)[key] : section?.[`${group}.${key}`];
      };
      return {
        codeLens: get('codeLens', 'enabled') !== false,
        unreferencedLens: get('codeLens', 'unreferenced') === true,
        concurrentIndex: get('fixes', 'concurrentIndex') !== false,
      };
    } catch {
      return defaults;
    }
  };

  /**
   * The folder, path and model of a document; undefined when it is not ours or the model fails. Hovers, code
   * lenses, completion and navigation answer from the last finished analysis (no waiting for one that runs);
   * `current` builds the model of the newest text (code actions: their edits must fit the text as it is).
   */
  const open = async (uri: string, current = false) => {
    await host.ready();
    const located = host.locate(uri);
    if (!located) return undefined;
    let model: WorkspaceModel;
    try {
      model = current ? located.workspace.model() : located.lastModel();
    } catch (err) {
      logError('building the model', err);
      return undefined;
    }
    const lines = model.sources.get(located.rel)?.lines;
    if (!lines) return undefined;
    const range = (span: Span): Range => ({ start: lines.position(span.start), end: lines.position(span.end) });
    const toLocation = (loc: SourceLocation): Location | undefined => {
      const other = model.sources.get(loc.file)?.lines;
      if (!other) return undefined;
      return { uri: located.uriOf(loc.file), range: { start: other.position(loc.span.start), end: other.position(loc.span.end) } };
    };
    return { ...located, model, lines, range, toLocation };
  };

  const locations = (list: SourceLocation[], toLocation: (l: SourceLocation) => Location | undefined) =>
    list.map(toLocation).filter((l): l is Location => !!l);

  const safe =
    <P, R>(context: string, handler: (params: P) => Promise<R>, fallback: R) =>
    async (params: P): Promise<R> => {
      try {
        return await handler(params);
      } catch (err) {
        logError(context, err);
        return fallback;
      }
    };

  connection.onHover(
    safe('hover', async (params) => {
      const doc = await open(params.textDocument.uri);
      if (!doc) return null;
      // Command links carry only FK Lens's own data (the table's qualified name, this document and position).
      const hover = hoverAt(doc.model, doc.rel, doc.lines.offset(params.position), {
        link: (file, p) => `${doc.uriOf(file)}#L${p.line + 1},${p.character + 1}`,
        erdLink: (name) => commandUri(SHOW_ERD_COMMAND, [name]),
        peekLink: (name) => commandUri(PEEK_TABLE_COMMAND, [{ uri: params.textDocument.uri, position: params.position, table: name }]),
      });
      return hover ? { contents: { kind: MarkupKind.Markdown, value: hover.markdown }, range: doc.range(hover.span) } : null;
    }, null),
  );

  connection.onRequest(
    TABLE_DOCUMENT_REQUEST,
    safe('table document', async (params: { uri?: unknown; table?: unknown }) => {
      if (typeof params?.uri !== 'string' || typeof params.table !== 'string') return null;
      const doc = await open(params.uri);
      if (!doc) return null;
      const text = tableDocument(doc.model, doc.rel, params.table);
      return text === undefined ? null : { text };
    }, null),
  );

  connection.onDefinition(
    safe('definition', async (params) => {
      const doc = await open(params.textDocument.uri);
      if (!doc) return null;
      return locations(definitionAt(doc.model, doc.rel, doc.lines.offset(params.position)), doc.toLocation);
    }, null),
  );

  connection.onReferences(
    safe('references', async (params) => {
      const doc = await open(params.textDocument.uri);
      if (!doc) return null;
      const found = referencesAt(doc.model, doc.rel, doc.lines.offset(params.position), !!params.context?.includeDeclaration);
      return locations(found, doc.toLocation);
    }, null),
  );

  connection.onDocumentSymbol(
    safe('document symbols', async (params) => {
      const doc = await open(params.textDocument.uri);
      if (!doc) return null;
      const convert = (s: FileSymbol): DocumentSymbol => ({
        name: s.name,
        detail: s.detail,
        kind: SYMBOL_KINDS[s.kind],
        range: doc.range(s.span),
        selectionRange: doc.range(s.selection),
        children: s.children.map(convert),
      });
      return documentSymbols(doc.model, doc.rel).map(convert);
    }, null),
  );

  connection.onWorkspaceSymbol(
    safe('workspace symbols', async (params) => {
      await host.ready();
      const out: SymbolInformation[] = [];
      for (const folder of host.folders()) {
        let model: WorkspaceModel;
        try {
          model = folder.lastModel();
        } catch {
          continue;
        }
        for (const s of workspaceSymbols(model, params.query ?? '')) {
          const lines = model.sources.get(s.location.file)?.lines;
          if (!lines) continue;
          out.push({
            name: s.name,
            containerName: s.schema,
            kind: SymbolKind.Class,
            location: { uri: folder.uriOf(s.location.file), range: { start: lines.position(s.location.span.start), end: lines.position(s.location.span.end) } },
          });
        }
      }
      return out;
    }, null),
  );

  connection.onCodeLens(
    safe('code lens', async (params) => {
      const doc = await open(params.textDocument.uri);
      const settings = doc && (await settingsFor(doc));
      if (!doc || !settings?.codeLens) return null;
      const out: CodeLens[] = [];
      for (const lens of codeLenses(doc.model, doc.rel, { unreferenced: settings.unreferencedLens })) {
        const range = doc.range(lens.span);
        const refs = locations(lens.references, doc.toLocation);
        out.push({
          range,
          command: refs.length
            ? { title: lens.title, command: SHOW_REFERENCES_COMMAND, arguments: [params.textDocument.uri, range.start, refs] }
            : { title: lens.title, command: '' },
        });
        out.push({ range, command: { title: 'ERD', command: SHOW_ERD_COMMAND, arguments: [lens.qualifiedName] } });
      }
      return out;
    }, null),
  );

  connection.onCompletion(
    safe('completion', async (params) => {
      const doc = await open(params.textDocument.uri);
      if (!doc) return null;
      const text = doc.workspace.text(doc.rel) ?? doc.lines.text;
      // The model may lag the text just typed: positions are taken in the text as it is now.
      if (text !== doc.lines.text) doc.lines = new LineIndex(text);
      const offset = doc.lines.offset(params.position);
      return completionsAt(doc.model, doc.rel, text, offset).map(
        (entry): CompletionItem => ({
          label: entry.label,
          kind: entry.kind === 'table' ? CompletionItemKind.Class : entry.kind === 'column' ? CompletionItemKind.Field : CompletionItemKind.EnumMember,
          detail: entry.detail,
          documentation: entry.documentation ? { kind: MarkupKind.Markdown, value: entry.documentation } : undefined,
          sortText: entry.sortText,
          filterText: entry.insertText,
          textEdit: { range: doc.range(entry.replace), newText: entry.insertText },
        }),
      );
    }, null),
  );

  connection.onCodeAction(
    safe('code actions', async (params) => {
      const doc = await open(params.textDocument.uri, true);
      if (!doc) return null;
      const settings = await settingsFor(doc);
      const input = {
        model: doc.model,
        files: doc.workspace.filePaths(),
        textOf: (file: string) => doc.workspace.text(file),
        options: { concurrentIndex: settings.concurrentIndex },
      };
      const only = params.context.only;
      const wants = (kind: string) => !only || only.some((k) => kind === k || kind.startsWith(k + '.'));
      const targets: { diagnostic: Diagnostic; target: FixTarget }[] = [];
      for (const diagnostic of params.context.diagnostics ?? []) {
        if (diagnostic.source !== 'fklens' || typeof diagnostic.code !== 'string' || !FIXABLE_RULES.includes(diagnostic.code)) continue;
        const span = { start: doc.lines.offset(diagnostic.range.start), end: doc.lines.offset(diagnostic.range.end) };
        if (diagnostic.code.startsWith('prisma-')) {
          const finding = prismaFindingAt(doc.model, diagnostic.code, doc.rel, span);
          if (finding) targets.push({ diagnostic, target: { rule: diagnostic.code, finding } });
          continue;
        }
        if (LOCK_TIMEOUT_RULES.includes(diagnostic.code)) {
          const history = historyOf(doc.model, doc.rel);
          if (history) targets.push({ diagnostic, target: { rule: diagnostic.code, history, file: doc.rel } });
          continue;
        }
        const found = fkOfDiagnostic(doc.model, doc.rel, diagnostic, span);
        if (found) targets.push({ diagnostic, target: { rule: diagnostic.code, ...found } });
      }
      const actions: CodeAction[] = [];
      if (wants(CodeActionKind.QuickFix)) {
        for (const { diagnostic, target } of targets) {
          for (const fix of fixesFor(input, target)) {
            const action = codeAction(fix, doc.uriOf, doc.model, { title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: fix.preferred });
            if (action) actions.push(action);
          }
        }
        actions.push(...ruleActions(doc, params.context.diagnostics ?? []));
      }
      if (wants(FIX_ALL_KIND) && targets.length) {
        const all = fixAll(input, targets.map((t) => t.target));
        const action = all && codeAction(all, doc.uriOf, doc.model, { title: 'Fix all FK Lens problems with a safe fix', kind: FIX_ALL_KIND, diagnostics: targets.map((t) => t.diagnostic) });
        if (action) actions.push(action);
      }
      return actions;
    }, null),
  );

  /**
   * Per FK Lens diagnostic of a rule: "Ignore RULE on this line / in this file" (suppression comments) and "Show
   * documentation for RULE" (its page, rendered by the client).
   */
  function ruleActions(doc: { model: WorkspaceModel; rel: string; lines: { offset(p: { line: number; character: number }): number; text: string }; workspace: Workspace; uriOf(rel: string): string }, diagnostics: Diagnostic[]): CodeAction[] {
    const out: CodeAction[] = [];
    const seen = new Set<string>();
    for (const diagnostic of diagnostics) {
      if (diagnostic.source !== 'fklens' || typeof diagnostic.code !== 'string' || !ruleById(diagnostic.code) || diagnostic.code === 'unused-suppression') continue;
      const rule = diagnostic.code;
      const text = doc.workspace.text(doc.rel) ?? doc.lines.text;
      const start = doc.lines.offset(diagnostic.range.start);
      for (const fix of ignoreFixes(doc.model, doc.rel, text, rule, start)) {
        const key = `${fix.title}\0${fix.edits[0].span.start}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const action = codeAction(fix, doc.uriOf, doc.model, { title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic] });
        if (action) out.push(action);
      }
      if (!seen.has(`docs\0${rule}`)) {
        seen.add(`docs\0${rule}`);
        const href = diagnostic.codeDescription?.href;
        out.push({ title: `Show documentation for ${rule}`, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], command: { title: `Show documentation for ${rule}`, command: SHOW_RULE_DOCS_COMMAND, arguments: href ? [rule, href] : [rule] } });
      }
    }
    return out;
  }

  /**
   * A fix as a code action: its workspace edit and, when it creates files, the command that saves them (an edit
   * leaves new files empty on disk until saved) and opens the new migration beside the current file. Undefined
   * when the client cannot apply the edit.
   */
  function codeAction(fix: FixPlan, uriOf: (rel: string) => string, model: WorkspaceModel, action: Omit<CodeAction, 'edit' | 'command'>): CodeAction | undefined {
    const edit = toWorkspaceEdit(fix, uriOf, model);
    if (!edit) return undefined;
    const shown = fix.creates.find((c) => !/(^|[/._])down\.sql$|\.(toml|conf)$/i.test(c.file)) ?? fix.creates[0];
    const command = fix.creates.length
      ? { title: 'Save and open the new migration files', command: SAVE_CREATED_COMMAND, arguments: [fix.creates.map((c) => uriOf(c.file)), uriOf(shown.file)] }
      : undefined;
    return { ...action, edit, ...(command ? { command } : {}) };
  }

  /** Files to create need resource operations; without them, fixes that create files are not offered. */
  function toWorkspaceEdit(fix: FixPlan, uriOf: (rel: string) => string, model: WorkspaceModel): WorkspaceEdit | undefined {
    const documentChanges = !!caps.workspace?.workspaceEdit?.documentChanges;
    const canCreate = documentChanges && !!caps.workspace?.workspaceEdit?.resourceOperations?.includes('create');
    if (fix.creates.length && !canCreate) return undefined;
    const byFile = new Map<string, TextEdit[]>();
    for (const e of fix.edits) {
      const lines = model.sources.get(e.file)?.lines;
      if (!lines) return undefined;
      const edit = { range: { start: lines.position(e.span.start), end: lines.position(e.span.end) }, newText: e.newText };
      byFile.set(e.file, [...(byFile.get(e.file) ?? []), edit]);
    }
    if (!documentChanges) {
      const changes: Record<string, TextEdit[]> = {};
      for (const [file, edits] of byFile) changes[uriOf(file)] = edits;
      return { changes };
    }
    // An edit that changes an existing file and touches another one too (a migration rewritten in place plus a new
    // one, "fix all") is shown in the refactor preview first, where the client supports change annotations.
    const touched = byFile.size + fix.creates.length;
    const preview = !!caps.workspace?.workspaceEdit?.changeAnnotationSupport && byFile.size > 0 && touched > 1;
    const annotation = preview ? { annotationId: 'fklens-fix' } : {};
    const operations: (TextDocumentEdit | CreateFile)[] = [];
    for (const [file, edits] of byFile) operations.push({ textDocument: { uri: uriOf(file), version: null }, edits: edits.map((e) => ({ ...e, ...annotation })) });
    for (const c of fix.creates) {
      const uri = uriOf(c.file);
      operations.push({ kind: 'create', uri, options: { ignoreIfExists: true }, ...annotation });
      operations.push({ textDocument: { uri, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: c.text, ...annotation }] });
    }
    if (!preview) return { documentChanges: operations };
    const description = `${plural(byFile.size, 'file')} changed, ${plural(fix.creates.length, 'file')} created`;
    return { documentChanges: operations, changeAnnotations: { 'fklens-fix': { label: fix.title, description, needsConfirmation: true } } };
  }

  return {
    capabilities: {
      hoverProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      documentSymbolProvider: true,
      workspaceSymbolProvider: true,
      codeLensProvider: { resolveProvider: false },
      completionProvider: { triggerCharacters: [' ', '(', ',', '.'] },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
    } satisfies ServerCapabilities,
    /** A folder's model was rebuilt: index its positions while the editor is idle, so the next hover is quick. */
    modelChanged(model: WorkspaceModel) {
      setImmediate(() => {
        try {
          prepareTargets(model);
        } catch (err) {
          logError('indexing positions', err);
        }
      });
    },
    initialize(clientCapabilities: ClientCapabilities) {
      caps = clientCapabilities ?? {};
    },
    /** Settings changed: read them again, and let the client ask for code lenses again. */
    settingsChanged() {
      settingsCache.clear();
      if (caps.workspace?.codeLens?.refreshSupport) {
        connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
      }
    },
  };
}

const SYMBOL_KINDS: Record<FileSymbol['kind'], SymbolKind> = {
  table: SymbolKind.Class,
  column: SymbolKind.Field,
  'primary-key': SymbolKind.Key,
  unique: SymbolKind.Key,
  'foreign-key': SymbolKind.Interface,
  index: SymbolKind.Array,
};

/**
 * The FK a diagnostic is about: from its data (`fk: {schema, table, name, columns}`, as the rules put it there),
 * else the FK of this file whose declaration overlaps the diagnostic's range.
 */
export function fkOfDiagnostic(model: WorkspaceModel, file: string, diagnostic: Diagnostic, span: Span): { history: HistoryModel; fk: ForeignKey } | undefined {
  const history = historyOf(model, file);
  if (!history) return undefined;
  const data = (diagnostic.data as { fk?: { schema?: string; table?: string; columns?: string[]; name?: string } } | undefined)?.fk;
  if (data?.table && (typeof data.name === 'string' || Array.isArray(data.columns))) {
    const fk = history.foreignKeys.find((f) => {
      const t = history.tableById.get(f.tableId);
      if (!t || t.name !== data.table || (data.schema && t.schema !== data.schema)) return false;
      return typeof data.name === 'string' ? f.name === data.name : f.columns.join('\0') === data.columns!.join('\0');
    });
    if (fk) return { history, fk };
  }
  let best: ForeignKey | undefined;
  for (const fk of history.foreignKeys) {
    const spans = [fk.location.span, fk.location.columnsSpan, fk.location.refTableSpan, fk.location.refColumnsSpan, fk.location.onDeleteSpan, fk.location.onUpdateSpan];
    if (fk.location.file !== file) continue;
    if (spans.some((s) => s && s.start <= span.end && span.start <= s.end)) {
      if (!best || fk.location.span.end - fk.location.span.start < best.location.span.end - best.location.span.start) best = fk;
    }
  }
  return best ? { history, fk: best } : undefined;
}
