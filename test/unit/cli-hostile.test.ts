/**
 * Hostile and odd input on the built CLI (issue 13): control characters in names and file names, GitHub's
 * workflow-command escaping, files over the size limit, symlinks out of the project, a closed pipe, FIFOs,
 * devices and dangling symlinks. Each test fails on the CLI before these were handled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { escapeTerminal, quotePath } from '../../server/src/cli/terminal';
import { settingsLayer, resolveConfig, parseConfigText } from '../../server/src/config/config';
import { shortenQuotedText } from '../../server/src/sources/excerpt';

const root = resolve(__dirname, '../../..');
const CLI = resolve(root, 'dist/cli.js');
const cli = (args: string[], cwd: string) => spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });

function workspace(files: Record<string, string | Buffer>): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'fklens-hostile-')));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
const FINDING_LINE = /^(?:"(?:[^"\\]|\\.)*"|[^\s"]+):\d+:\d+ (?:error|warning|info) [a-z-]+ /;

test('escapeTerminal shows control characters, C1 codes and bidi overrides visibly; quotePath quotes spaces', () => {
  assert.equal(escapeTerminal('a\x1b[2K\rALL CLEAN\x07'), 'a\\e[2K\\rALL CLEAN\\x07');
  assert.equal(escapeTerminal('x\x1b]52;c;ZWNobyBoaQ==\x07y'), 'x\\e]52;c;ZWNobyBoaQ==\\x07y');
  assert.equal(escapeTerminal('\x9b31m \u202etxt.exe'), '\\x9b31m \\u202etxt.exe');
  assert.equal(escapeTerminal('tab\tstays, ünïcödé stays'), 'tab\tstays, ünïcödé stays');
  assert.equal(quotePath('db/my file.sql'), '"db/my file.sql"');
  assert.equal(quotePath('db/a\nb.sql'), '"db/a\\nb.sql"');
  assert.equal(quotePath('db/plain.sql'), 'db/plain.sql');
});

test('check, model and reach print names and file names with control characters escaped; a newline cannot fake a finding', () => {
  const evil = 'p\x1b]52;c;ZWNobyBoaQ==\x07\x1b[2K\rALL CLEAN';
  const fakeFile = 'db/x.sql:1:1 error fake-rule ALL CLEAN\n0001_evil.sql';
  // Written as a Unicode-escaped identifier (U&"\001B..."): the file itself is plain ASCII text, the name is not.
  const spelled = `U&"${[...evil].map((c) => (c < ' ' ? `\\${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join('')}"`;
  const dir = workspace({
    'db/schema.sql': `CREATE TABLE ${spelled} (id int PRIMARY KEY);\nCREATE TABLE child (id int PRIMARY KEY, p int REFERENCES ${spelled} (id) ON DELETE CASCADE);\n`,
  });
  writeFileSync(join(dir, fakeFile), 'CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE b (a_id int REFERENCES a);\n');
  for (const args of [['check', '.', '--fail-on', 'never'], ['model', '.'], ['reach', evil, '.'], ['check', '.', '--format', 'github']]) {
    const r = cli(args, dir);
    assert.equal(r.status, 0, `${args[0]}: ${r.stderr}`);
    assert.doesNotMatch(r.stdout, RAW_CONTROL, `${args.join(' ')}: stdout holds a raw control character`);
    assert.doesNotMatch(r.stderr, RAW_CONTROL, `${args.join(' ')}: stderr holds a raw control character`);
  }
  const check = cli(['check', '.', '--fail-on', 'never'], dir);
  const lines = check.stdout.trim().split('\n');
  for (const line of lines) assert.match(line, FINDING_LINE, line);
  assert.ok(lines.some((l) => l.includes('\\e]52;c;ZWNobyBoaQ==\\x07\\e[2K\\rALL CLEAN')), check.stdout);
  assert.ok(!lines.some((l) => l.startsWith('0001_evil.sql')), 'the part after the newline is not a line of its own');
  assert.ok(lines.some((l) => l.startsWith('"db/x.sql:1:1 error fake-rule ALL CLEAN\\n0001_evil.sql":2:')), check.stdout);
  const reach = cli(['reach', evil, '.'], dir);
  assert.match(reach.stdout, /^DELETE FROM p\\e\]52;c;ZWNobyBoaQ==\\x07\\e\[2K\\rALL CLEAN: 1 table deleted/);
});

test('github annotations: % CR LF escaped in the message, also : and , in properties; one command per finding', () => {
  const name = 'a%0A::error file=x::injected,\r\nb';
  const spelled = `U&"${[...name].map((c) => (c < ' ' ? `\\${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join('')}"`;
  const dir = workspace({ 'weird, name: 1.sql': `CREATE TABLE ${spelled} (id int PRIMARY KEY);\nCREATE TABLE child (p int REFERENCES ${spelled} (id));\n` });
  const r = cli(['check', '.', '--format', 'github'], dir);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, r.stdout);
  assert.match(lines[0], /^::warning file=weird%2C name%3A 1\.sql,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=fklens fk-missing-index::/);
  const message = lines[0].slice(lines[0].indexOf('::', 2) + 2);
  assert.ok(message.includes('a%250A::error file=x::injected,%0D%0Ab'), message);
});

test('a file over the size limit is a file-skipped warning in every format and counts in --fail-on; the limit is a setting', () => {
  const big = `-- ${'x'.repeat(3000)}\nCREATE TABLE huge (id int PRIMARY KEY);\n`;
  const dir = workspace({ 'db/0001_small.sql': 'CREATE TABLE users (id int PRIMARY KEY);\n', 'db/0002_big.sql': big });
  const text = cli(['check', '.', '--max-file-bytes', '2k'], dir);
  assert.equal(text.status, 0, 'a warning does not fail by default');
  assert.match(text.stdout, /^db\/0002_big\.sql:1:1 warning file-skipped Not read: 3\d{3} bytes, larger than the limit of 2048 bytes/m);
  assert.match(text.stderr, /Skipped db\/0002_big\.sql: 3\d{3} bytes, larger than the limit of 2048 bytes/);
  assert.match(text.stderr, /0 error\(s\), 1 warning\(s\)/);
  assert.equal(cli(['check', '.', '--max-file-bytes=2048', '--fail-on', 'warning'], dir).status, 1, 'counts in --fail-on');
  const json = JSON.parse(cli(['check', '.', '--max-file-bytes', '2048', '--json'], dir).stdout).diagnostics;
  assert.deepEqual(json.map((d: { rule: string; severity: string; file: string }) => [d.rule, d.severity, d.file]), [['file-skipped', 'warning', 'db/0002_big.sql']]);
  const sarif = JSON.parse(cli(['check', '.', '--max-file-bytes', '2048', '--format', 'sarif'], dir).stdout).runs[0];
  assert.deepEqual(sarif.results.map((x: { ruleId: string; level: string }) => [x.ruleId, x.level]), [['file-skipped', 'warning']]);
  assert.ok(sarif.tool.driver.rules.some((x: { id: string }) => x.id === 'file-skipped'));
  assert.match(cli(['check', '.', '--max-file-bytes', '2048', '--format', 'github'], dir).stdout, /^::warning file=db\/0002_big\.sql,line=1,col=1,.*title=fklens file-skipped::Not read/);
  // .fklens.json files.maxBytes; the flag wins over it; under the limit the file is read.
  writeFileSync(join(dir, '.fklens.json'), JSON.stringify({ files: { maxBytes: 2048 } }));
  assert.match(cli(['check', '.'], dir).stdout, /file-skipped/);
  assert.doesNotMatch(cli(['check', '.', '--max-file-bytes', '1M'], dir).stdout, /file-skipped/);
  // The VS Code setting fklens.files.maxBytes overrides the file; left empty (null) it does not.
  const file = parseConfigText(JSON.stringify({ files: { maxBytes: 2048 } })).layer;
  assert.equal(resolveConfig(file, settingsLayer({ files: { maxBytes: 4096 } }).layer).files.maxBytes, 4096);
  assert.equal(resolveConfig(file, settingsLayer({ files: { maxBytes: null } }).layer).files.maxBytes, 2048);
  assert.equal(resolveConfig().files.maxBytes, 20 * 1024 * 1024);
  assert.match(parseConfigText('{"files": {"maxBytes": "big"}}').problems[0], /files\.maxBytes" must be a whole number/);
});

test('a symlink to a file outside the project is not read (its content never echoed) unless configured', () => {
  const secret = realpathSync(mkdtempSync(join(tmpdir(), 'fklens-secret-')));
  const token = 'ghp_' + 'S3cr3tT0k3nValue'.repeat(3);
  writeFileSync(join(secret, 'token'), `${token}\n`);
  const dir = workspace({ 'db/0001_init.sql': 'CREATE TABLE users (id int PRIMARY KEY);\n', 'notes/audit.txt': 'CREATE TABLE audit (id int PRIMARY KEY);\n' });
  symlinkSync(join(secret, 'token'), join(dir, 'db', '0002_token.sql'));
  symlinkSync(join(dir, 'notes', 'audit.txt'), join(dir, 'db', '0003_alias.sql'));
  for (const format of ['text', 'json', 'sarif', 'github']) {
    const r = cli(['check', '.', '--format', format], dir);
    assert.ok(!r.stdout.includes(token.slice(0, 20)) && !r.stderr.includes(token.slice(0, 20)), `${format}: the token leaked\n${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /file-skipped/, format);
  }
  const text = cli(['check', '.'], dir);
  assert.match(text.stdout, /^db\/0002_token\.sql:1:1 warning file-skipped Not read: a symbolic link to a file outside the folder/m);
  const tables = JSON.parse(cli(['model', '.', '--json'], dir).stdout).tables.map((t: { name: string }) => t.name);
  assert.deepEqual(tables.sort(), ['audit', 'users'], 'a symlink to a file inside the project is read');
  // Allowed: read, and the syntax error quotes no more than a short excerpt of it.
  const allowed = cli(['check', '.', '--symlinks-outside-root', '--format', 'json'], dir);
  const errors = JSON.parse(allowed.stdout).diagnostics.filter((d: { rule: string }) => d.rule === 'syntax-error');
  assert.equal(errors.length, 1, allowed.stdout);
  assert.equal(errors[0].file, 'db/0002_token.sql');
  assert.ok(!errors[0].message.includes(token.slice(0, 17)), errors[0].message);
  assert.match(errors[0].message, /at or near "ghp_S3cr3tT0k3nV…"/);
});

test('reader messages quote at most 16 characters of the file, control characters escaped', () => {
  assert.equal(shortenQuotedText('syntax error at or near "CONCURRENTLY"'), 'syntax error at or near "CONCURRENTLY"');
  assert.equal(shortenQuotedText(`unterminated quoted string at or near "'abc\ndef "quoted" ${'z'.repeat(5000)}"`), `unterminated quoted string at or near "'abc\\ndef "quoted…"`);
  assert.ok(shortenQuotedText(`MySQL syntax error at "${'y'.repeat(100)}" found: ${'w'.repeat(1000)}`).length <= 301);
});

test('a closed pipe ends the output quietly (fklens model | head -1)', () => {
  const dir = workspace({ 'schema.sql': ['CREATE TABLE t0 (id int PRIMARY KEY);', ...Array.from({ length: 3000 }, (_, i) => `CREATE TABLE t${i + 1} (id int PRIMARY KEY, p int REFERENCES t${i});`)].join('\n') });
  for (const command of ['model .', 'check . --format sarif --fail-on never']) {
    const r = spawnSync('bash', ['-c', `set -o pipefail; node ${JSON.stringify(CLI)} ${command} | head -c 100 >/dev/null`], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    assert.doesNotMatch(r.stderr, /EPIPE|Error|\n\s+at /, `${command}: ${r.stderr}`);
    assert.equal(r.status, 0, command);
  }
});

test('FIFOs, devices and dangling symlinks with a schema file name are named in the skipped list, never waited on', () => {
  const dir = workspace({ 'db/0001_init.sql': 'CREATE TABLE users (id int PRIMARY KEY);\n' });
  const fifo = spawnSync('mkfifo', [join(dir, 'db', '0002_pipe.sql')]);
  assert.equal(fifo.status, 0, 'mkfifo');
  symlinkSync('/dev/null', join(dir, 'db', '0003_null.sql'));
  symlinkSync(join(dir, 'db', 'missing.sql'), join(dir, 'db', '0004_dangling.sql'));
  symlinkSync(join(dir, 'db', '0002_pipe.sql'), join(dir, 'db', '0005_to_pipe.sql'));
  const r = cli(['check', '.'], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /Skipped db\/0002_pipe\.sql: not a regular file \(fifo\)\./);
  assert.match(r.stderr, /Skipped db\/0003_null\.sql: not a regular file \(character device\)\./);
  assert.match(r.stderr, /Skipped db\/0004_dangling\.sql: a symbolic link to nothing\./);
  assert.match(r.stderr, /Skipped db\/0005_to_pipe\.sql: not a regular file \(fifo\)\./);
  assert.equal(r.stdout, '', 'they hold no schema: not findings');
});
