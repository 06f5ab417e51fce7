/**
 * The command line of the built CLI (dist/cli.js) as eslint, squawk or tsc users expect it: --version, help
 * per command, bare `fklens`, `--opt value` and `--opt=value` before or after the command, "did you mean",
 * exit codes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { closest, editDistance } from '../../server/src/cli/suggest';

const root = resolve(__dirname, '../../..');
const cli = (...args: string[]) => spawnSync(process.execPath, [resolve(root, 'dist/cli.js'), ...args], { cwd: root, encoding: 'utf8' });
const version = (JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string }).version;

test('fklens --version and -v print the package version', () => {
  for (const flag of ['--version', '-v']) {
    const r = cli(flag);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${version}\n`);
  }
});

test('bare fklens prints the help on stderr and exits 2; fklens --help prints it on stdout and exits 0', () => {
  const bare = cli();
  assert.equal(bare.status, 2);
  assert.equal(bare.stdout, '');
  assert.match(bare.stderr, /^Usage: fklens <command>/);
  for (const name of ['model', 'check', 'reach', 'erd']) assert.match(bare.stderr, new RegExp(`^  ${name} `, 'm'));
  const help = cli('--help');
  assert.equal(help.status, 0);
  assert.equal(help.stdout, bare.stderr);
});

test('fklens help CMD and fklens CMD --help print the same help: options, an example and exit codes', () => {
  for (const name of ['model', 'check', 'reach', 'erd']) {
    const a = cli('help', name);
    const b = cli(name, '--help');
    const c = cli(name, '-h');
    assert.equal(a.status, 0, a.stderr);
    assert.equal(a.stdout, b.stdout);
    assert.equal(a.stdout, c.stdout);
    assert.match(a.stdout, new RegExp(`^Usage: fklens ${name} `));
    assert.match(a.stdout, /\nOptions:\n[^]*--include GLOB[^]*-h, --help/);
    assert.match(a.stdout, new RegExp(`\\nExamples?:\\n  fklens ${name}`));
    assert.match(a.stdout, /\nExit codes:\n  0 [^]*\n  2 /);
  }
  assert.match(cli('help', 'check').stdout, /--format text\|json\|sarif\|github[^]*--fail-on[^]*\n  1  a finding at or above --fail-on/);
  const unknown = cli('help', 'chekc');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command 'chekc' \(did you mean 'check'\?\)/);
});

test('--opt value and --opt=value, before or after the command, mean the same', () => {
  const runs = [
    cli('check', 'examples/shop', '--format', 'json', '--fail-on', 'never'),
    cli('check', 'examples/shop', '--format=json', '--fail-on=never'),
    cli('--format=json', 'check', '--fail-on', 'never', 'examples/shop'),
    cli('--fail-on', 'never', '--format', 'json', 'check', 'examples/shop'),
    cli('check', '--json', 'examples/shop', '--fail-on=never'),
    cli('check', '-f', 'json', 'examples/shop', '--fail-on=never'),
  ];
  for (const r of runs) assert.equal(r.status, 0, r.stderr);
  const first = JSON.parse(runs[0].stdout);
  // The shop's findings (its SET NULL on orders finds the rows already deleted: no cascade-conflict).
  assert.equal(first.diagnostics.length, 7);
  for (const r of runs.slice(1)) assert.deepEqual(JSON.parse(r.stdout), first);
  // Repeatable options in both spellings.
  const included = cli('model', 'examples/shop', '--json', '--include=db/migrations/0001*', '--include', 'db/migrations/0002*');
  assert.equal(included.status, 0, included.stderr);
  assert.deepEqual([...new Set(JSON.parse(included.stdout).tables.map((t: { location: { file: string } }) => t.location.file.split('/').pop()))].sort(), [
    '0001_users_and_catalog.up.sql',
    '0002_orders.up.sql',
  ]);
});

test('unknown commands, options and values: one line, a suggestion, exit 2', () => {
  const cases: [string[], RegExp][] = [
    [['chek'], /^fklens: unknown command 'chek' \(did you mean 'check'\?\)/],
    [['modle', 'examples/shop'], /unknown command 'modle' \(did you mean 'model'\?\)/],
    [['check', '--fial-on', 'warning'], /^fklens check: unknown option '--fial-on' \(did you mean '--fail-on'\?\)/],
    [['check', '--formt=json'], /unknown option '--formt' \(did you mean '--format'\?\)/],
    [['check', '--format', 'jsno'], /--format must be text, json, sarif, github, not 'jsno' \(did you mean 'json'\?\)/],
    [['check', '--format'], /--format needs a value/],
    [['check', '--include', '--exclude', 'x'], /--include needs a value/],
    [['check', '--json=yes'], /--json takes no value/],
    [['model', 'a', 'b'], /unexpected argument 'b'/],
    [['reach'], /reach needs an argument/],
    [['check', '--max-file-bytes', 'lots'], /--max-file-bytes must be a size/],
    [['check', '--dialect', 'oracle'], /--dialect needs GLOB=postgres\|mysql\|sqlite/],
  ];
  for (const [args, message] of cases) {
    const r = cli(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '', args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }
});

test('did you mean: typos, transpositions and prefixes, nothing for unrelated words', () => {
  assert.equal(editDistance('chekc', 'check'), 1);
  assert.deepEqual(closest('user', ['users', 'orders', 'user_roles']), ['users']);
  assert.deepEqual(closest('--fial-on', ['--fail-on', '--format', '--config']), ['--fail-on']);
  assert.deepEqual(closest('ord', ['orders', 'users']), ['orders'], 'a unique prefix');
  assert.deepEqual(closest('zebra', ['orders', 'users']), []);
});
