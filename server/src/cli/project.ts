/**
 * What a command reads: its targets (directories, files, globs) grouped into projects, each with its root, its
 * configuration (`.fklens.json` or `--config`, then the command-line flags) and its workspace read from disk.
 *
 * The root of a target:
 * - a directory: the nearest folder at or above it with a `.fklens.json`, up to the version-control root
 *   (`.git`, `.hg`, `.svn`); without one, the directory itself;
 * - a file or a glob: the nearest folder with a `.fklens.json`, else the version-control root, else the
 *   file's folder. The whole project is read, so a migration is judged after the ones before it, and only the
 *   targeted files are reported.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { Minimatch } from 'minimatch';
import { CONFIG_FILE, resolveConfig, type ConfigLayer, type FkLensConfig } from '../config/config';
import { loadConfigFile, type LoadedConfigFile } from '../config/load';
import { locateConfigIssues } from '../config/locate';
import { LineIndex } from '../sources/text';
import { isDialect } from '../workspace/dialects';
import { skipReason, type SkippedFile } from '../workspace/disk';
import type { DiscoveryOptions } from '../workspace/discovery';
import { openWorkspace } from '../workspace/open';
import type { Workspace } from '../workspace/workspace';
import { InputError, UsageError, type OptionSpec, type OptionValues } from './command';
import { displayPath, escapeTerminal, quotePath } from './terminal';

/** The options of every command that reads a project. */
export const PROJECT_OPTIONS: Record<string, OptionSpec> = {
  config: { type: 'string', value: 'FILE', help: 'configuration file (default: the .fklens.json of the project root); missing or invalid: exit 2' },
  include: { type: 'string', multiple: true, value: 'GLOB', help: 'read only files matching GLOB (relative to the project root)' },
  exclude: { type: 'string', multiple: true, value: 'GLOB', help: 'skip files matching GLOB' },
  order: { type: 'string', choices: ['auto', 'name', 'version'], help: 'migration order: as the tool found in each folder (default), by path, or by leading number' },
  dialect: { type: 'string', multiple: true, value: 'GLOB=DIALECT', help: 'read files matching GLOB as postgres, mysql or sqlite' },
  'mysql-server': { type: 'string', choices: ['mysql', 'mariadb'], help: 'the server MySQL files target (column-level REFERENCES: ignored by mysql, a key on mariadb)' },
  'max-file-bytes': { type: 'string', value: 'N', help: 'files larger than N bytes (suffix k, M) are not read and reported as file-skipped (default 20M; files.maxBytes)' },
  'symlinks-outside-root': { type: 'boolean', help: 'read symlinked files whose target is outside the project root (files.symlinksOutsideRoot)' },
  'allow-empty': { type: 'boolean', help: 'a target without schema or migration files is not an error' },
};

export interface Target {
  /** As typed. */
  arg: string;
  kind: 'directory' | 'file' | 'glob';
  /** Absolute path (the glob's pattern made absolute). */
  path: string;
  /** Does the project file (absolute path) belong to this target? */
  matches(file: string): boolean;
}

export interface Project {
  root: string;
  targets: Target[];
  config: FkLensConfig;
  /** The automatically found `.fklens.json` (its problems become findings), unless --config was given. */
  configFile?: LoadedConfigFile;
  workspace: Workspace;
  /** Files found but not read. */
  skipped: SkippedFile[];
  /** Workspace-relative paths of the files the targets select. */
  selected: Set<string>;
}

export interface OpenResult {
  projects: Project[];
  /** Lines for standard error (skipped files, …), already escaped for the terminal. */
  notes: string[];
}

const GLOB_CHARS = /[*?[\]{}]/;

/** The command-line flags as a configuration layer (they win over the file). */
export function flagsLayer(values: OptionValues): ConfigLayer {
  const migrations: DiscoveryOptions = {};
  const include = values.include as string[] | undefined;
  const exclude = values.exclude as string[] | undefined;
  if (include?.length) migrations.include = include;
  if (exclude?.length) migrations.exclude = exclude;
  if (values.order) migrations.order = values.order as DiscoveryOptions['order'];
  for (const v of (values.dialect as string[] | undefined) ?? []) {
    const at = v.lastIndexOf('=');
    const [glob, dialect] = [v.slice(0, at), v.slice(at + 1)];
    if (at < 1 || !isDialect(dialect)) throw new UsageError(`--dialect needs GLOB=postgres|mysql|sqlite, not '${v}'`);
    migrations.dialects = { ...migrations.dialects, [glob]: dialect };
  }
  if (values['mysql-server']) migrations.mysqlServer = values['mysql-server'] as 'mysql' | 'mariadb';
  const layer: ConfigLayer = {};
  if (Object.keys(migrations).length) layer.migrations = migrations;
  const files: ConfigLayer['files'] = {};
  if (values['max-file-bytes'] !== undefined) files.maxBytes = parseBytes(values['max-file-bytes'] as string);
  if (values['symlinks-outside-root']) files.symlinksOutsideRoot = true;
  if (Object.keys(files).length) layer.files = files;
  return layer;
}

/** `1048576`, `512k`, `20M` (powers of 1024). */
export function parseBytes(text: string): number {
  const m = /^(\d+)\s*([kKmMgG]?)[bB]?$/.exec(text.trim());
  if (!m || Number(m[1]) < 1) throw new UsageError(`--max-file-bytes must be a size such as 5000000, 512k or 20M, not '${text}'`);
  return Number(m[1]) * 1024 ** ' kmg'.indexOf((m[2] || ' ').toLowerCase());
}

function vcsRoot(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    if (['.git', '.hg', '.svn'].some((m) => existsSync(join(dir, m)))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The nearest folder at or above `start` with a .fklens.json, not above the version-control root. */
function configRoot(start: string, stop: string | undefined): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, CONFIG_FILE))) return dir;
    if (dir === stop || dirname(dir) === dir || stop === undefined) return undefined;
  }
}

const under = (dir: string, file: string) => file === dir || file.startsWith(dir.endsWith(sep) ? dir : dir + sep);

function resolveTarget(arg: string, cwd: string): { target: Target; root: string } {
  const path = resolve(cwd, arg);
  let stat: ReturnType<typeof statSync> | undefined;
  try {
    stat = statSync(path);
  } catch {
    stat = undefined;
  }
  if (stat?.isDirectory()) {
    const root = configRoot(path, vcsRoot(path)) ?? path;
    return { target: { arg, kind: 'directory', path, matches: (f) => under(path, f) }, root };
  }
  if (stat) {
    const folder = dirname(path);
    const vcs = vcsRoot(folder);
    const root = configRoot(folder, vcs) ?? vcs ?? folder;
    return { target: { arg, kind: 'file', path, matches: (f) => f === path }, root };
  }
  if (!GLOB_CHARS.test(arg)) throw new InputError(`${quotePath(arg)}: no such file or directory`);
  // The folder the glob starts in: its segments before the first one with a wildcard.
  const segments = path.split(sep);
  const fixed = segments.slice(0, segments.findIndex((s) => GLOB_CHARS.test(s)));
  const base = fixed.join(sep) || sep;
  if (!existsSync(base) || !statSync(base).isDirectory()) throw new InputError(`${quotePath(arg)}: no such file or directory`);
  const vcs = vcsRoot(base);
  const root = configRoot(base, vcs) ?? vcs ?? base;
  const glob = new Minimatch(path.split(sep).join('/'), { dot: true });
  return { target: { arg, kind: 'glob', path, matches: (f) => glob.match(f.split(sep).join('/')) }, root };
}

/**
 * Opens the projects of `targets` (default `.`): configuration, workspace, skipped files. Throws InputError
 * (exit 2) for a missing target, a missing or invalid --config, and a target with nothing to read (unless
 * --allow-empty).
 */
export async function openProjects(targetArgs: string[], values: OptionValues, cwd = process.cwd()): Promise<OpenResult> {
  const flags = flagsLayer(values);
  let explicit: LoadedConfigFile | undefined;
  if (values.config !== undefined) {
    const file = resolve(cwd, values.config as string);
    if (!existsSync(file)) throw new InputError(`${quotePath(values.config as string)}: no such file`);
    explicit = await loadConfigFile(dirname(file), file);
    if (explicit.problems.length) throw new InputError(`${quotePath(values.config as string)}: ${explicit.problems.map((p) => p.replace(`${file}: `, '')).join(' ')}`);
  }
  const groups = new Map<string, Target[]>();
  for (const arg of targetArgs.length ? targetArgs : ['.']) {
    const { target, root } = resolveTarget(arg, cwd);
    groups.set(root, [...(groups.get(root) ?? []), target]);
  }
  const projects: Project[] = [];
  const notes: string[] = [];
  for (const [root, targets] of groups) {
    const configFile = explicit ? undefined : await loadConfigFile(root);
    const config = resolveConfig((explicit ?? configFile)!.layer, flags);
    const found: SkippedFile[] = [];
    const workspace = await openWorkspace(root, config.migrations, found, config.files);
    const scan = { files: workspace.filePaths(), skipped: found };
    const abs = (rel: string) => join(root, ...rel.split('/'));
    const selected = new Set<string>();
    for (const target of targets) {
      const read = scan.files.filter((rel) => target.matches(abs(rel)));
      const skipped = scan.skipped.filter((s) => target.matches(abs(s.path)));
      for (const rel of read) selected.add(rel);
      for (const s of skipped) selected.add(s.path);
      if (!read.length && !skipped.length && !values['allow-empty']) {
        throw new InputError(
          target.kind === 'file'
            ? `${quotePath(target.arg)} is not a schema or migration file FK Lens reads; see --include (or --allow-empty)`
            : `no schema or migration files found under ${quotePath(target.arg)}; see --include (or --allow-empty)`,
        );
      }
    }
    const skipped = scan.skipped.filter((s) => selected.has(s.path));
    for (const s of skipped) notes.push(`Skipped ${quotePath(displayPath(abs(s.path), cwd))}: ${skipReason(s.reason, s)}.`);
    projects.push({ root, targets, config, configFile, workspace, skipped, selected });
  }
  return { projects, notes };
}

/**
 * The problems of each project's .fklens.json as `file:line:col: severity message` lines for standard error
 * (model, reach, erd, locks; check reports them as config-error findings instead).
 */
export function configNotes(projects: Project[], cwd = process.cwd()): string[] {
  const notes: string[] = [];
  for (const { configFile: file } of projects) {
    if (!file?.path || !file.issues.length) continue;
    const lines = new LineIndex(file.text ?? '');
    for (const issue of locateConfigIssues(file.text ?? '', file.issues, file.path)) {
      const at = lines.position(issue.span.start);
      notes.push(`${quotePath(displayPath(file.path, cwd))}:${at.line + 1}:${at.character + 1}: ${issue.severity} config-error ${escapeTerminal(issue.message)}`);
    }
  }
  return notes;
}

/**
 * The one project of a single-folder command (model, reach, erd, locks): opened from the targets, with its
 * configuration notes and the targets' notes written to standard error first.
 */
export async function openSingleProject(targetArgs: string[], values: OptionValues, err: (text: string) => void, cwd = process.cwd()): Promise<Project> {
  const { projects, notes } = await openProjects(targetArgs, values, cwd);
  for (const note of [...configNotes(projects, cwd), ...notes]) err(`fklens: ${note}\n`);
  return projects[0];
}
