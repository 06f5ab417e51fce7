// The real-project corpus the conformance tests read: fetched from each project's public repository at the
// commit pinned in test/corpus/sources.json (repository, commit, paths, license; facts, no copies), into a
// folder outside this repository. The tests find it through FKLENS_CORPUS (see test/support/corpus.ts).
//
//   npm run corpus [-- DEST] [--only ID,ID] [--mirror BASE]     fetch (DEST default ../fklens-corpus)
//   node scripts/corpus.mjs --verify DIR                          check a corpus folder against the manifest
//   node scripts/corpus.mjs --write-manifest DIR                  (maintainers) the manifest from a corpus laid
//                                                                 out as the shared one (MANIFEST.json per source)
//
// Each source lands in DEST/<id>/: files/<path in the repository>, variants/<engine>/<file name> (hydra's
// MySQL and SQLite variants), LICENSE.upstream (the project's license file at that commit) and SOURCE.json
// (what was fetched). The files are checked against the manifest's sha256 digest. git (2.25+) is needed;
// `--mirror BASE` fetches from BASE<owner>/<name> instead of https://github.com/<owner>/<name> (git's
// url.<base>.insteadOf), for a mirror or, in the tests, a local stand-in.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const GITHUB = 'https://github.com/';

const USAGE = `Usage: npm run corpus -- [DEST] [--only ID,ID] [--mirror BASE] [--manifest FILE]
       node scripts/corpus.mjs --verify DIR
Fetches the real-project corpus of the conformance tests (default DEST: ../fklens-corpus, beside this checkout)
from each project's repository at its pinned commit. Then: FKLENS_CORPUS=DEST npm test.
`;

function fail(message) {
  console.error(`corpus: ${message}`);
  process.exit(1);
}

/** Every file of a source as `[path under DEST/<id>/, path in the repository]`. */
function sourceFiles(source) {
  const out = [];
  for (const [dir, names] of Object.entries(source.files)) for (const name of names) out.push([`files/${dir ? `${dir}/` : ''}${name}`, dir ? `${dir}/${name}` : name]);
  for (const [variant, groups] of Object.entries(source.variants ?? {})) {
    for (const [dir, names] of Object.entries(groups)) for (const name of names) out.push([`variants/${variant}/${basename(name)}`, dir ? `${dir}/${name}` : name]);
  }
  return out;
}

/** sha256 over the sorted `path NUL sha256(content) LF` of the files (paths under DEST/<id>/). */
function digest(folder, paths) {
  const hash = createHash('sha256');
  for (const path of [...paths].sort()) {
    hash.update(`${path}\0${createHash('sha256').update(readFileSync(join(folder, path))).digest('hex')}\n`);
  }
  return hash.digest('hex');
}

function git(args, cwd, what) {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], input: typeof what === 'object' ? what.input : undefined });
  if (r.error?.code === 'ENOENT') fail('git is not installed (apt-get install -y git)');
  if (r.status !== 0) {
    const said = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ');
    throw Object.assign(new Error(`git ${args.filter((a, i) => a !== '-c' && args[i - 1] !== '-c').join(' ')}: ${said}`), { said });
  }
  return r.stdout;
}

/** Fetches one source into DEST/<id>; returns the number of files. Throws on any mismatch. */
function fetchSource(source, dest, mirror) {
  const target = join(dest, source.id);
  const files = sourceFiles(source);
  const marker = join(target, 'SOURCE.json');
  if (existsSync(marker)) {
    const previous = JSON.parse(readFileSync(marker, 'utf8'));
    if (previous.commit === source.commit && digest(target, files.map(([p]) => p)) === source.sha256) return { files: files.length, fresh: false };
  }
  const work = mkdtempSync(join(tmpdir(), `fklens-corpus-${source.id}-`));
  try {
    const config = mirror ? ['-c', `url.${mirror}.insteadOf=${GITHUB}`] : [];
    git(['init', '-q'], work);
    git([...config, 'remote', 'add', 'origin', source.repository], work);
    // Only the pinned commit, and (where the server allows) only the blobs the checkout needs.
    try {
      git([...config, 'fetch', '-q', '--depth', '1', '--filter=blob:none', 'origin', source.commit], work);
    } catch (e) {
      throw new Error(`cannot fetch commit ${source.commit} from ${source.repository}${mirror ? ` (mirror ${mirror})` : ''}: ${e.said ?? e.message}`);
    }
    const fetched = git(['rev-parse', 'FETCH_HEAD'], work).trim();
    if (fetched !== source.commit) throw new Error(`the repository gave commit ${fetched}, not ${source.commit}`);
    const wanted = [...new Set([...files.map(([, p]) => p), source.license.file])];
    git(['sparse-checkout', 'set', '--no-cone', '--stdin'], work, { input: wanted.map((p) => `/${p.replace(/[*?[\\!#]/g, '\\$&')}`).join('\n') + '\n' });
    git([...config, 'checkout', '-q', source.commit], work);
    const missing = wanted.filter((p) => !existsSync(join(work, p)));
    if (missing.length) throw new Error(`${missing.length} file(s) are not in ${source.repository} at ${source.commit.slice(0, 12)}: ${missing.slice(0, 3).join(', ')}`);
    const staging = `${target}.partial`;
    rmSync(staging, { recursive: true, force: true });
    for (const [to, from] of files) {
      mkdirSync(dirname(join(staging, to)), { recursive: true });
      cpSync(join(work, from), join(staging, to));
    }
    cpSync(join(work, source.license.file), join(staging, 'LICENSE.upstream'));
    const got = digest(staging, files.map(([p]) => p));
    if (got !== source.sha256) throw new Error(`the files differ from the ones the manifest describes (sha256 ${got.slice(0, 12)}…, expected ${source.sha256.slice(0, 12)}…)`);
    writeFileSync(
      join(staging, 'SOURCE.json'),
      JSON.stringify({ id: source.id, repository: source.repository, commit: source.commit, license: source.license.spdx, files: files.length, sha256: got, fetchedAt: new Date().toISOString() }, null, 2) + '\n',
    );
    rmSync(target, { recursive: true, force: true });
    mkdirSync(dirname(target), { recursive: true });
    cpSync(staging, target, { recursive: true });
    rmSync(staging, { recursive: true, force: true });
    return { files: files.length, fresh: true };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function fetchAll(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { only: { type: 'string' }, mirror: { type: 'string' }, manifest: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length > 1) fail(`one DEST folder, not ${positionals.length} (see --help)`);
  const manifest = JSON.parse(readFileSync(values.manifest ?? join(ROOT, 'test/corpus/sources.json'), 'utf8'));
  const dest = resolve(positionals[0] ?? join(ROOT, '..', 'fklens-corpus'));
  if (!relative(ROOT, dest).startsWith('..')) fail(`${dest} is inside the repository; the corpus stays outside it`);
  const only = values.only ? new Set(values.only.split(',')) : undefined;
  const unknown = [...(only ?? [])].filter((id) => !manifest.sources.some((s) => s.id === id));
  if (unknown.length) fail(`unknown source(s) ${unknown.join(', ')} (known: ${manifest.sources.map((s) => s.id).join(', ')})`);
  let failed = 0;
  for (const source of manifest.sources.filter((s) => !only || only.has(s.id))) {
    const started = Date.now();
    try {
      const { files, fresh } = fetchSource(source, dest, values.mirror);
      const where = relative(process.cwd(), join(dest, source.id)) || '.';
      console.log(`corpus: ${source.id}: ${files} files at ${source.commit.slice(0, 12)} of ${source.repository} (${source.license.spdx}) ${fresh ? `fetched into ${where} in ${((Date.now() - started) / 1000).toFixed(1)} s` : `already in ${where}`}`);
    } catch (e) {
      failed++;
      console.error(`corpus: ${source.id}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (failed) {
    console.error(`corpus: ${failed} source(s) failed; the tests skip what is missing`);
    return 1;
  }
  console.log(`corpus: done. Run the tests on it with FKLENS_CORPUS=${dest} npm test${dest === resolve(ROOT, '..', 'fklens-corpus') ? ' (or without the variable: this folder is the default when ../shared/corpus is absent)' : ''}`);
  return 0;
}

function verify(dir) {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'test/corpus/sources.json'), 'utf8'));
  let bad = 0;
  for (const source of manifest.sources) {
    const folder = join(dir, source.id);
    if (!existsSync(folder)) {
      console.log(`corpus: ${source.id}: absent`);
      continue;
    }
    const paths = sourceFiles(source).map(([p]) => p);
    const missing = paths.filter((p) => !existsSync(join(folder, p)));
    const ok = !missing.length && digest(folder, paths) === source.sha256;
    if (!ok) bad++;
    console.log(`corpus: ${source.id}: ${ok ? 'as the manifest says' : missing.length ? `${missing.length} file(s) missing` : 'files differ from the manifest'}`);
  }
  return bad ? 1 : 0;
}

/** Maintainers: the manifest from a corpus with one MANIFEST.json per source (the facts, not the files). */
function writeManifest(dir) {
  const sources = [];
  for (const id of readdirSync(dir).sort()) {
    const manifestFile = join(dir, id, 'MANIFEST.json');
    if (!existsSync(manifestFile)) continue;
    const m = JSON.parse(readFileSync(manifestFile, 'utf8'));
    // The files under their longest common folder: { "packages/db/prisma": ["schema.prisma", "migrations/…/migration.sql"] }.
    const group = (paths) => {
      let prefix = dirname(paths[0]).split('/');
      for (const p of paths) {
        const parts = dirname(p).split('/');
        let n = 0;
        while (n < prefix.length && parts[n] === prefix[n]) n++;
        prefix = prefix.slice(0, n);
      }
      const base = prefix.join('/') === '.' ? '' : prefix.join('/');
      return { [base]: paths.map((p) => (base ? p.slice(base.length + 1) : p)) };
    };
    const source = {
      id: m.id,
      repository: m.url,
      commit: m.commit,
      license: { spdx: m.license.spdx, file: m.license.upstream_file },
      kind: m.kind,
      dialect: m.dialect,
      files: group(m.files.map((f) => f.original_path)),
    };
    const variants = join(dir, id, 'variants');
    if (existsSync(variants)) {
      source.variants = {};
      for (const engine of readdirSync(variants).sort()) {
        const originals = readFileSync(join(variants, engine, 'ORIGINAL_PATHS.txt'), 'utf8').split('\n').filter(Boolean);
        source.variants[engine] = group(originals);
      }
    }
    const apply = m.apply ?? {};
    if (apply.truth_args) {
      const [mode, arg] = apply.truth_args;
      const listed = mode === '--files-from' ? readFileSync(join(dir, id, arg), 'utf8').split('\n').filter(Boolean) : [arg];
      const all = sourceFiles(source).map(([p]) => p).filter((p) => p.startsWith('files/')).sort();
      // A list that is every file in path order is written as the glob it is.
      const sameAsAll = mode === '--files-from' && listed.length === all.length && listed.every((p, i) => p === all[i]);
      source.postgres = { apply: sameAsAll ? [`files/${Object.keys(source.files)[0]}/*`] : listed };
      const prelude = join(dir, id, 'prelude.sql');
      if (existsSync(prelude)) source.postgres.prelude = readFileSync(prelude, 'utf8').split('\n').filter((l) => l && !l.startsWith('--')).join('\n');
    }
    // A Rails app: Active Record loaded its db/schema.rb (truth.json); the tests read that truth, never compute it.
    if (apply.mode === 'rails_schema_rb') source.activerecord = { schema: 'files/db/schema.rb' };
    source.sha256 = digest(join(dir, id), sourceFiles(source).map(([p]) => p));
    sources.push(source);
  }
  const out = join(ROOT, 'test/corpus/sources.json');
  const header = {
    description:
      'The real-project corpus of the conformance tests: where each source comes from (repository, pinned commit, license), which files, and how PostgreSQL applies them. Facts only: `npm run corpus` fetches the files; nothing of them is in this repository.',
  };
  // One line per directory group keeps the file reviewable.
  const text = JSON.stringify({ ...header, sources }, null, 2).replace(/\[\n\s+("[^\n]*",?\n\s+)*"[^\n]*"\n\s+\]/g, (m) => `[${m.slice(1, -1).split('\n').map((s) => s.trim()).filter(Boolean).join(' ')}]`);
  writeFileSync(out, text + '\n');
  console.log(`corpus: wrote ${relative(process.cwd(), out)} (${sources.length} sources, ${statSync(out).size} bytes)`);
  return 0;
}

const argv = process.argv.slice(2);
if (argv[0] === '--verify') process.exit(verify(resolve(argv[1] ?? '.')));
else if (argv[0] === '--write-manifest') process.exit(writeManifest(resolve(argv[1] ?? '.')));
else process.exit(fetchAll(argv));
