/**
 * Reads a workspace's candidate files from disk, for the CLI and the server's first index. The only file in
 * the workspace layer that does I/O: everything after it works on the returned path -> text map.
 */
import { constants, promises as fs, type Dirent } from 'node:fs';
import { join, relative, isAbsolute, sep } from 'node:path';
import { pathFilter, type DiscoveryOptions } from './discovery';

/** Larger files are generated data dumps, not schema a person edits; reading them would stall the index. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

/** Which files are read at all (`.fklens.json` `files`, the `fklens.files.*` settings, the CLI's flags). */
export interface FileLimits {
  /** Files larger than this are not read (and reported). */
  maxBytes: number;
  /** Read symlinked files whose target is outside the root. Off: they are skipped (and reported). */
  symlinksOutsideRoot: boolean;
}

export const DEFAULT_FILE_LIMITS: FileLimits = { maxBytes: MAX_FILE_BYTES, symlinksOutsideRoot: false };

export type SkipReason = 'too-large' | 'binary' | 'unreadable' | 'outside-root' | 'not-a-file' | 'dangling-symlink';

export interface SkippedFile {
  /** Workspace-relative, '/'-separated. */
  path: string;
  reason: SkipReason;
  bytes?: number;
  /** The limit that applied (too-large). */
  limit?: number;
  /** What it is when it is not a regular file: fifo, socket, character device, block device. */
  kind?: string;
}

/**
 * A skipped file whose content FK Lens chose not to read, so the model may lack what it declares: reported as
 * a finding (`file-skipped`). The others (FIFOs, devices, dangling symlinks) hold no schema and are only named.
 */
export function skipHidesContent(reason: SkipReason): boolean {
  return reason === 'too-large' || reason === 'binary' || reason === 'unreadable' || reason === 'outside-root';
}

/** Why a file was not read, in words for the CLI's notes and the server's log. */
export function skipReason(reason: SkipReason, skipped?: Omit<SkippedFile, 'path' | 'reason'>): string {
  switch (reason) {
    case 'too-large':
      return `${skipped?.bytes !== undefined ? `${skipped.bytes} bytes, ` : ''}larger than the limit of ${skipped?.limit ?? MAX_FILE_BYTES} bytes (files.maxBytes, --max-file-bytes)`;
    case 'binary':
      return 'not text (binary, or an encoding other than UTF-8 / UTF-16 with a BOM)';
    case 'unreadable':
      return 'unreadable';
    case 'outside-root':
      return 'a symbolic link to a file outside the folder (files.symlinksOutsideRoot, --symlinks-outside-root to read it)';
    case 'not-a-file':
      return `not a regular file${skipped?.kind ? ` (${skipped.kind})` : ''}`;
    case 'dangling-symlink':
      return 'a symbolic link to nothing';
  }
}

export interface DiskWorkspace {
  /** Workspace-relative '/'-separated path -> text, in path order. */
  files: Map<string, string>;
  skipped: SkippedFile[];
}

export interface ScanLimits extends Partial<FileLimits> {
  /** The folder symlinks may not point out of (default: the scanned root). */
  boundary?: string;
  /** Open directories / files at once: enough to keep the disk busy, few enough to stay under fd limits. */
  concurrency?: number;
}

export async function readWorkspaceFromDisk(root: string, options?: DiscoveryOptions): Promise<Map<string, string>> {
  return (await scanWorkspace(root, options)).files;
}

/** Every candidate file under `root` (see `pathFilter`), and the ones that were found but not read. */
export async function scanWorkspace(root: string, options?: DiscoveryOptions, limits: ScanLimits = {}): Promise<DiskWorkspace> {
  const concurrency = limits.concurrency ?? 32;
  const filter = pathFilter(options);
  const skipped: SkippedFile[] = [];
  const candidates = await findCandidates(root, filter, concurrency, skipped);
  candidates.sort();
  const realRoot = await fs.realpath(limits.boundary ?? root).catch(() => limits.boundary ?? root);
  const texts = await mapLimited(candidates, concurrency, async (path) => {
    const read = await readCandidate(root, path, limits, realRoot);
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

/**
 * Breadth-first, one level at a time, so directory reads run in parallel without an unbounded fan-out. Entries
 * with a candidate's name that are not files (FIFOs, sockets, devices, symlinks to nothing or to one of those)
 * go to `skipped`.
 */
async function findCandidates(root: string, filter: ReturnType<typeof pathFilter>, concurrency: number, skipped: SkippedFile[]): Promise<string[]> {
  const found: string[] = [];
  let level = [''];
  while (level.length) {
    const next: string[] = [];
    await mapLimited(level, concurrency, async (folder) => {
      const entries = await fs.readdir(join(root, ...folder.split('/')), { withFileTypes: true }).catch(() => [] as Dirent[]);
      for (const entry of entries) {
        const path = folder ? `${folder}/${entry.name}` : entry.name;
        const kind = await entryKind(root, path, entry);
        if (kind === 'folder') {
          if (filter.entersFolder(path)) next.push(path);
        } else if (filter.acceptsFile(path)) {
          if (kind === 'file') found.push(path);
          else if (kind === 'dangling') skipped.push({ path, reason: 'dangling-symlink' });
          else if (kind !== 'symlinked-folder') skipped.push({ path, reason: 'not-a-file', kind });
        }
      }
    });
    level = next;
  }
  return found;
}

type EntryKind = 'file' | 'folder' | 'symlinked-folder' | 'dangling' | string;

/** Symlinked folders are not followed (they can loop); symlinked files are candidates like files. */
async function entryKind(root: string, path: string, entry: Dirent): Promise<EntryKind> {
  if (entry.isDirectory()) return 'folder';
  if (entry.isFile()) return 'file';
  if (!entry.isSymbolicLink()) return specialKind(entry);
  const target = await fs.stat(join(root, ...path.split('/'))).catch(() => undefined);
  if (!target) return 'dangling';
  if (target.isDirectory()) return 'symlinked-folder';
  return target.isFile() ? 'file' : specialKind(target);
}

function specialKind(entry: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (entry.isFIFO()) return 'fifo';
  if (entry.isSocket()) return 'socket';
  if (entry.isCharacterDevice()) return 'character device';
  if (entry.isBlockDevice()) return 'block device';
  return 'unknown kind';
}

/**
 * One file of the workspace (`path` relative to `root`), as the scan reads it: the server reads changed files
 * with it too, so both apply the same limits. A symlink whose target is outside the root is not read unless
 * `symlinksOutsideRoot`; FIFOs and devices are never opened for reading (opening a FIFO would wait for a writer).
 */
export async function readCandidate(root: string, path: string, limits: Partial<FileLimits> = {}, realRoot?: string): Promise<string | Omit<SkippedFile, 'path'>> {
  const file = join(root, ...path.split('/'));
  const maxBytes = limits.maxBytes ?? MAX_FILE_BYTES;
  let target = file;
  try {
    const link = await fs.lstat(file);
    if (link.isSymbolicLink()) {
      target = await fs.realpath(file);
      if (!limits.symlinksOutsideRoot && !inside(realRoot ?? (await fs.realpath(root)), target)) return { reason: 'outside-root' };
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { reason: 'dangling-symlink' } : { reason: 'unreadable' };
  }
  return readText(target, maxBytes);
}

function inside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return rel !== '' && !rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel);
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

/**
 * The text of a regular file of at most `maxBytes` bytes. Opened without following a symlink put in its place
 * after the checks (O_NOFOLLOW) and without blocking on a FIFO (O_NONBLOCK); what it is is decided on the open
 * file, and no more than `maxBytes` + 1 bytes are ever read, however the file grows meanwhile.
 */
async function readText(file: string, maxBytes: number): Promise<string | Omit<SkippedFile, 'path'>> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
    const stat = await handle.stat();
    if (!stat.isFile()) return { reason: 'not-a-file', kind: specialKind(stat) };
    if (stat.size > maxBytes) return { reason: 'too-large', bytes: stat.size, limit: maxBytes };
    const chunks: Buffer[] = [];
    let total = 0;
    let chunk = Buffer.alloc(Math.min(stat.size, maxBytes) + 1);
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, total);
      if (!bytesRead) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) return { reason: 'too-large', bytes: Math.max(total, stat.size), limit: maxBytes };
      chunk = Buffer.alloc(Math.min(1 << 16, maxBytes + 1 - total));
    }
    const text = decodeText(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    return text ?? { reason: 'binary', bytes: total };
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
