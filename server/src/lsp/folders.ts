/**
 * The server's workspace folders: one Workspace per folder (plus a pseudo folder for loose files), and the
 * mapping between document URIs, file-system paths and workspace-relative paths. No connection here.
 */
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig, type FkLensConfig } from '../config/config';
import type { DiscoveryOptions } from '../workspace/discovery';
import { Workspace, type WorkspaceModel } from '../workspace/workspace';

const isWindows = process.platform === 'win32';

export interface Folder {
  /** The folder's URI as the client spelled it, without a trailing '/'. */
  uri: string;
  name: string;
  /** File-system path; '' for the folder of loose files. */
  fsPath: string;
  /** Normalised fsPath used for containment tests. */
  key: string;
  /** The pseudo folder for open files outside every workspace folder (never read from disk). */
  loose: boolean;
  workspace: Workspace;
  options: DiscoveryOptions;
  /** `.fklens.json` overridden by the fklens.* settings; `options` is its `migrations` part. */
  config: FkLensConfig;
  /** The initial disk scan finished (before that, diagnostics would be based on a partial workspace). */
  indexed: boolean;
  /** Bumped by every index run and on removal; a run that finds a newer generation gives up. */
  generation: number;
  /** Open editor documents in this folder: relative path -> document URI. Their text wins over disk. */
  open: Map<string, string>;
  /** URIs as the client spelled them in file events, to publish under the same spelling. */
  uris: Map<string, string>;
  /** What was last published per relative path. */
  published: Map<string, { uri: string; hash: string }>;
  /** Bumped by every change of the folder's files or settings: an analysis that sees it move was superseded. */
  changes: number;
  /** The model of the last analysis that finished: hovers, completion and code lenses answer from it at once. */
  model?: WorkspaceModel;
}

export interface Location {
  folder: Folder;
  /** Workspace-relative path ('/'-separated). */
  rel: string;
  fsPath: string;
}

export function newFolder(uri: string, name: string, fsPath: string, isLoose = false): Folder {
  return {
    uri: uri.replace(/\/+$/, ''),
    name,
    fsPath,
    key: isLoose ? '' : normalizeKey(fsPath),
    loose: isLoose,
    workspace: new Workspace({}),
    options: {},
    config: resolveConfig(),
    indexed: isLoose,
    generation: 0,
    open: new Map(),
    uris: new Map(),
    published: new Map(),
    changes: 0,
  };
}

export function normalizeKey(fsPath: string): string {
  let key = nodePath.resolve(fsPath);
  if (isWindows) key = key.toLowerCase();
  if (key.length > 1 && key.endsWith(nodePath.sep)) key = key.slice(0, -1);
  return key;
}

export function contains(folderKey: string, key: string): boolean {
  if (key === folderKey) return true;
  const prefix = folderKey.endsWith(nodePath.sep) ? folderKey : folderKey + nodePath.sep;
  return key.startsWith(prefix);
}

export function uriToFsPath(uri: unknown): string | undefined {
  if (typeof uri !== 'string' || !/^file:/i.test(uri)) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/** Percent-encodes a path segment the way VS Code does (everything but unreserved characters). */
export function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

export function uriFor(folder: Folder, rel: string): string {
  const known = folder.open.get(rel) ?? folder.published.get(rel)?.uri ?? folder.uris.get(rel);
  if (known) return known;
  if (folder.loose) return 'file:///' + rel.split('/').map(encodeSegment).join('/');
  return folder.uri + '/' + rel.split('/').map(encodeSegment).join('/');
}

export function fsPathOf(folder: Folder, rel: string): string {
  if (folder.loose) return (isWindows ? '' : '/') + rel.split('/').join(nodePath.sep);
  return nodePath.join(folder.fsPath, ...rel.split('/'));
}

export function isUnder(path: string, dir: string): boolean {
  return dir === '' || path === dir || path.startsWith(dir + '/');
}

