/**
 * The workspace: the one entry point through which file contents arrive (setFile / deleteFile), and from
 * which the model is asked (model()). No I/O here: the server feeds it editor and disk contents, the CLI
 * feeds it disk contents, tests feed it strings.
 */
import type { SourceFile } from '../sources/events';
import { readSqlFileSteps } from '../sources/sql/read';
import { drain } from '../sources/sql/postgres';
import { readPrismaSchema } from '../sources/prisma/read';
import { replayFrom, type HistoryModel, type ReplayCheckpoint } from '../model/replay';
import { planHistories, isCandidate, type DiscoveryOptions, type History } from './discovery';
import { markerTool } from '../sources/migrationFile';
import { isKnexfile, readContext } from './jsMigrations';

export interface WorkspaceModel {
  histories: HistoryModel[];
  /** Prisma schemas whose database is a Prisma migration set (`history.companionOf`): compared with it, not part of the model. */
  companions?: HistoryModel[];
  /** Every file that was read, with what its reader found. */
  sources: Map<string, SourceFile>;
}

interface CachedFile {
  text: string;
  source?: SourceFile;
  /** The last read of this file before its text changed: lets the next read parse only what changed. */
  previous?: SourceFile;
  /** goose / dbmate marker found in the text (decides how the file is read). */
  marker: ReturnType<typeof markerTool>;
  /** A read started by readPending and not finished yet (dropped with the entry when the text changes). */
  reading?: Generator<void, SourceFile, void>;
  /** How it was read: its history's tool and dialect, and what earlier files passed on (jsMigrations.ts readContext). */
  readKey?: string;
}

export class Workspace {
  private readonly files = new Map<string, CachedFile>();
  private plan: History[] | undefined;
  private historyOf = new Map<string, History>();
  private readonly historyCache = new Map<string, { key: string; model: HistoryModel; checkpoint?: ReplayCheckpoint }>();
  private cached: WorkspaceModel | undefined;

  constructor(private options: DiscoveryOptions = {}) {}

  setOptions(options: DiscoveryOptions): void {
    this.options = options;
    this.invalidate(true);
  }

  /** Adds or replaces a file's text. Returns false when the path is not a schema source. */
  setFile(path: string, text: string): boolean {
    if (!isCandidate(path, this.options)) return false;
    const existing = this.files.get(path);
    if (existing && existing.text === text) return true;
    const marker = markerTool(text);
    this.files.set(path, { text, previous: existing?.source ?? existing?.previous, marker });
    // goose / dbmate markers decide how a file is read; the file list (and a knexfile's folders) decide the histories.
    this.invalidate(!existing || existing.marker !== marker || isKnexfile(path));
    return true;
  }

  deleteFile(path: string): boolean {
    const had = this.files.delete(path);
    if (had) this.invalidate(true);
    return had;
  }

  hasFile(path: string): boolean {
    return this.files.has(path);
  }

  filePaths(): string[] {
    return [...this.files.keys()];
  }

  text(path: string): string | undefined {
    return this.files.get(path)?.text;
  }

  /** The parsed form of one file (parsed on first request, cached until its text changes). */
  source(path: string): SourceFile | undefined {
    const file = this.files.get(path);
    if (!file) return undefined;
    this.checkContext(path, file);
    if (!file.source) {
      try {
        this.finishRead(file, drain(this.reading(path, file)));
      } catch (err) {
        file.reading = undefined;
        throw err;
      }
    }
    return file.source;
  }

  /**
   * Reads every file of a history that is not read yet, a piece at a time: each `yield` is a point where the
   * caller may give the event loop a turn, or stop (the server stops when an edit supersedes the analysis).
   * Finished reads are cached as source() caches them; a file read halfway goes on from where it stopped at the
   * next call, unless its text changed in between. Afterwards model() has nothing left to parse.
   */
  *readPending(): Generator<void, void, void> {
    for (const history of this.histories()) {
      for (const path of history.files) {
        const file = this.files.get(path);
        if (file) this.checkContext(path, file);
        if (!file || file.source) continue;
        const reading = this.reading(path, file);
        for (;;) {
          let step: IteratorResult<void, SourceFile>;
          try {
            step = reading.next();
          } catch (err) {
            file.reading = undefined;
            throw err;
          }
          if (step.done) {
            this.finishRead(file, step.value);
            break;
          }
          yield;
          // The caller may have changed or dropped the file while we were paused.
          if (this.files.get(path) !== file || file.source) break;
        }
      }
    }
  }

  private reading(path: string, file: CachedFile): Generator<void, SourceFile, void> {
    if (!file.reading) {
      const history = this.historyFor(path);
      const context = history ? readContext(history, path, (p) => this.files.get(p)?.text) : undefined;
      file.readKey = this.readKey(path);
      file.reading = readSqlFileSteps(path, file.text, history?.tool ?? 'schema', history?.dialect, file.previous, context);
    }
    return file.reading;
  }

  private readKey(path: string): string {
    const history = this.historyFor(path);
    if (!history) return '';
    return `${history.tool}\0${history.dialect ?? ''}\0${readContext(history, path, (p) => this.files.get(p)?.text) ?? ''}`;
  }

  /**
   * A file is read again when what its read depended on changed: the tool or engine of its history (a `.sql` file
   * that joined a node-pg-migrate history), or what earlier files pass on to it (node-pg-migrate's shorthands).
   */
  private checkContext(path: string, file: CachedFile): void {
    if ((file.source || file.reading) && file.readKey !== this.readKey(path)) {
      file.previous = file.source ?? file.previous;
      file.source = undefined;
      file.reading = undefined;
    }
  }

  private finishRead(file: CachedFile, source: SourceFile): void {
    file.source = source;
    file.previous = undefined;
    file.reading = undefined;
  }

  histories(): History[] {
    if (!this.plan) {
      this.plan = planHistories([...this.files.keys()], this.options, (p) => this.files.get(p)?.text);
      this.historyOf = new Map(this.plan.flatMap((h) => h.files.map((f) => [f, h] as const)));
    }
    return this.plan;
  }

  /** The model of every history. Only histories whose files changed are replayed again. */
  model(): WorkspaceModel {
    if (this.cached) return this.cached;
    const histories: HistoryModel[] = [];
    const companions: HistoryModel[] = [];
    const sources = new Map<string, SourceFile>();
    for (const history of this.histories()) {
      let files = history.files.map((p) => this.source(p)!).filter(Boolean);
      // A Prisma schema means something only as a whole: its files are resolved together.
      if (history.tool === 'prisma-schema') files = readPrismaSchema(files);
      const output = history.companionOf !== undefined ? companions : histories;
      for (const f of files) sources.set(f.path, f);
      const key = history.tool + '\0' + history.files.join('\0');
      const hit = this.historyCache.get(history.id);
      if (hit && hit.key === key && hit.model.sources.every((s, i) => s === files[i])) {
        output.push(hit.model);
        continue;
      }
      // Only the steps from the first changed file on need replaying; keep a checkpoint there for the next edit.
      const previous = hit && hit.key === key ? hit : undefined;
      const firstChanged = previous ? files.findIndex((s, i) => s !== previous.model.sources[i]) : 0;
      const { model, checkpoint } = replayFrom(history, files, previous?.checkpoint, Math.max(0, firstChanged));
      this.historyCache.set(history.id, { key, model, checkpoint });
      output.push(model);
    }
    this.cached = { histories, companions, sources };
    return this.cached;
  }

  private historyFor(path: string): History | undefined {
    this.histories();
    return this.historyOf.get(path);
  }

  private invalidate(layoutChanged: boolean): void {
    if (layoutChanged) this.plan = undefined;
    this.cached = undefined;
  }
}
