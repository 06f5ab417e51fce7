// What `npm test` needs from the system, checked before anything is built: one line per missing piece, saying
// what needs it and how to install it, then exit 1 (instead of a stack trace minutes later).
//
// Usage: node scripts/prerequisites.mjs        (the first step of npm test and npm run test:e2e; --e2e: only what
//        the end-to-end tests need). FKLENS_SKIP_E2E=1 leaves out what only they need.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const onlyE2e = process.argv.includes('--e2e');
const e2e = process.env.FKLENS_SKIP_E2E !== '1';

const onPath = (name) => (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, name)));

function pgBinDir() {
  const has = (dir) => ['initdb', 'pg_ctl', 'psql'].every((b) => existsSync(join(dir, b)));
  if (process.env.FKLENS_PG_BINDIR) return has(process.env.FKLENS_PG_BINDIR) ? process.env.FKLENS_PG_BINDIR : undefined;
  const config = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (config.status === 0 && has(config.stdout.trim())) return config.stdout.trim();
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  return versions.map((v) => join(base, v, 'bin')).find(has);
}

/** The end-to-end tools are installed once into .vscode-test/; building them needs a compiler and headers. */
function e2eToolsReady() {
  try {
    const tools = JSON.parse(readFileSync(join(root, '.vscode-test/e2e-tools.json'), 'utf8'));
    return existsSync(tools.node) && existsSync(tools.codeServer);
  } catch {
    return false;
  }
}

const checks = [
  {
    what: 'Node.js 20 or newer',
    ok: () => Number(process.versions.node.split('.')[0]) >= 20,
    why: `everything (found ${process.version})`,
    fix: 'install Node.js 20 (https://nodejs.org)',
  },
  {
    what: 'PostgreSQL (initdb, pg_ctl, psql)',
    ok: () => !!pgBinDir(),
    why: 'test/pg and the corpus truth start a throw-away PostgreSQL server',
    fix: 'apt-get install -y postgresql, or set FKLENS_PG_BINDIR to the folder holding initdb',
  },
  { what: 'sqlite3', ok: () => onPath('sqlite3'), why: 'test/sqlite runs the sqlite3 shell', fix: 'apt-get install -y sqlite3' },
  {
    what: 'Active Record (ruby, ruby-activerecord, ruby-pg)',
    ok: () => spawnSync('ruby', ['-e', 'require "active_record"; require "pg"'], { stdio: 'ignore' }).status === 0,
    why: 'test/pg/rails-schema loads db/schema.rb files with the real Active Record',
    fix: 'apt-get install -y ruby-activerecord ruby-pg',
  },
  { what: 'git', ok: () => onPath('git'), why: 'the corpus fetch test (npm run corpus) runs git', fix: 'apt-get install -y git' },
  {
    what: 'chromium',
    ok: () => existsSync(process.env.FKLENS_CHROMIUM ?? '/usr/bin/chromium'),
    why: 'test/browser renders the ERD page in it',
    fix: 'apt-get install -y chromium, or set FKLENS_CHROMIUM to a Chrome/Chromium binary',
  },
  {
    what: 'chromium on PATH',
    e2e: true,
    ok: () => (process.env.FKLENS_E2E_CHROMIUM ? existsSync(process.env.FKLENS_E2E_CHROMIUM) : ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'].some(onPath)),
    why: 'the end-to-end tests open VS Code (code-server) in it',
    fix: 'apt-get install -y chromium, or set FKLENS_E2E_CHROMIUM, or FKLENS_SKIP_E2E=1',
  },
  ...[
    ['python3', 'python3', 'python3'],
    ['g++', 'g++', 'g++'],
    ['make', 'make', 'make'],
    ['Kerberos headers (krb5-config)', 'krb5-config', 'libkrb5-dev'],
  ].map(([what, binary, pkg]) => ({
    what,
    e2e: true,
    ok: () => e2eToolsReady() || onPath(binary),
    why: "the first end-to-end run builds code-server's native modules (node-gyp) into .vscode-test/",
    fix: `apt-get install -y ${pkg}, or FKLENS_SKIP_E2E=1`,
  })),
];

const missing = checks.filter((c) => (onlyE2e ? c.e2e : !c.e2e || e2e) && !c.ok());
for (const c of missing) console.error(`npm test: ${c.what} is missing: ${c.why}. Fix: ${c.fix}.`);
if (missing.length) {
  console.error(
    `npm test: ${missing.length} prerequisite(s) missing; on Debian/Ubuntu all at once: apt-get install -y postgresql sqlite3 ruby-activerecord ruby-pg git chromium python3 g++ make libkrb5-dev`,
  );
  process.exit(1);
}
