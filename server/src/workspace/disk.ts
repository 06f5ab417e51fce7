/**
 * Reads a workspace's candidate files from disk, for the CLI and the server's first index. The only file in
 * the workspace layer that does I/O: everything after it works on the returned path -> text map.
 */
import { promises as fs, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { pathFilter, type DiscoveryOptions } from './discovery';

/** Larger files are generated data dumps, not schema a person edits; reading them would stall the index. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

export interface SkippedFile {
  /** Workspace-relative, '/'-separated. */
  path: string;
  reason: 'too-large' | 'binary' | 'unreadable';
  bytes?: number;
}

/** Why a file was not read, in words for the CLI's notes and the server's log. */
export function skipReason(reason: SkippedFile['reason']): string {
  switch (reason) {
    case 'too-large':
      return `larger than FK Lens reads (${MAX_FILE_BYTES} bytes)`;
    case 'binary':
      return 'not text (binary, or an encoding other than UTF-8 / UTF-16 with a BOM)';
    case 'unreadable':
      return 'unreadable';
  }
}

export interface DiskWorkspace {
  /** Workspace-relative '/'-separated path -> text, in path order. */
  files: Map<string, string>;
  skipped: SkippedFile[];
}

export interface ScanLimits {
  maxBytes?: number;
  /** Open directories / files at once: enough to keep the disk busy, few enough to stay under fd limits. */
  concurrency?: number;
}

export async function readWorkspaceFromDisk(root: string, options?: DiscoveryOptions): Promise<Map<string, string>> {
  return (await scanWorkspace(root, options)).files;
}

/** Every candidate file under `root` (see `pathFilter`), and the ones that were found but not read. */
export async function scanWorkspace(root: string, options?: DiscoveryOptions, limits: ScanLimits = {}): Promise<DiskWorkspace> {
  const maxBytes = limits.maxBytes ?? MAX_FILE_BYTES;
  const concurrency = limits.concurrency ?? 32;
  const filter = pathFilter(options);
  const candidates = await findCandidates(root, filter, concurrency);
  candidates.sort();
  const skipped: SkippedFile[] = [];
  const texts = await mapLimited(candidates, concurrency, async (path) => {
    const read = await readText(join(root, ...path.split('/')), maxBytes);
    if (typeof read !== 'string') skipped.push({ path, ...read });
    return read;
  });
  const files = new Map<string, string>();
  candidates.forEach((path, i) => {
    const text = texts[i];
    if (typeof text === 'string') files.set(path, text);
  });
  skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, skipped };
}

/** Breadth-first, one level at a time, so directory reads run in parallel without an unbounded fan-out. */
async function findCandidates(root: string, filter: ReturnType<typeof pathFilter>, concurrency: number): Promise<string[]> {
  const found: string[] = [];
  let level = [''];
  while (level.length) {
    const next: string[] = [];
    await mapLimited(level, concurrency, async (folder) => {
      const entries = await fs.readdir(join(root, ...folder.split('/')), { withFileTypes: true }).catch(() => [] as Dirent[]);
      for (const entry of entries) {
        const path = folder ? `${folder}/${entry.name}` : entry.name;
        const kind = await entryKind(root, path, entry);
        if (kind === 'folder' && filter.entersFolder(path)) next.push(path);
        else if (kind === 'file' && filter.acceptsFile(path)) found.push(path);
      }
    });
    level = next;
  }
  return found;
}

/** Symlinked folders are not followed (they can loop); symlinked files are read like files. */
async function entryKind(root: string, path: string, entry: Dirent): Promise<'file' | 'folder' | 'other'> {
  if (entry.isDirectory()) return 'folder';
  if (entry.isFile()) return 'file';
  if (!entry.isSymbolicLink()) return 'other';
  const target = await fs.stat(join(root, ...path.split('/'))).catch(() => undefined);
  return target?.isFile() ? 'file' : 'other';
}

/**
 * A file's bytes as the editor shows them: UTF-8, or UTF-16 when it starts with a UTF-16 byte-order mark (as
 * SQL Server tools save scripts); the BOM dropped, as editors hand over text without it (offsets stay the same
 * as theirs). undefined for a binary file (a NUL character left after decoding).
 */
export function decodeText(bytes: Buffer): string | undefined {
  let text: string;
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) text = bytes.subarray(2).toString('utf16le');
  else if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) text = Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  else text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text.includes('\0') ? undefined : text;
}

async function readText(file: string, maxBytes: number): Promise<string | Omit<SkippedFile, 'path'>> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, 'r');
    const { size } = await handle.stat();
    if (size > maxBytes) return { reason: 'too-large', bytes: size };
    const text = decodeText(await handle.readFile());
    return text ?? { reason: 'binary', bytes: size };
  } catch {
    return { reason: 'unreadable' };
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** `Promise.all` over `items` with at most `limit` calls in flight; results keep the items' order. */
async function mapLimited<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
